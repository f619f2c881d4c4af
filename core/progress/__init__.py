"""A learner's progress: the store of checked answers and what they add up to."""
