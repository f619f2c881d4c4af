"""The course: lessons, quizzes and exercises, and the engine that reads and grades a learner's answers."""
