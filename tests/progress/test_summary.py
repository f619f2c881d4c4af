"""Progress summaries: mastery is the latest answer, mistakes are ranked, lessons get a status, and the
next steps follow the course and the learner's most frequent mistake."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from core.course.content import load_content
from core.progress import Attempt
from core.progress.summary import day_window, days_since, lesson_progress, next_steps, quiz_exercise, summarize

CONTENT = load_content()


def at(minutes: int) -> str:
    return (datetime(2024, 3, 1, 9, 0, tzinfo=UTC) + timedelta(minutes=minutes)).isoformat()


def ans(ex, qty, credit, minute, **kw) -> Attempt:
    return Attempt(learner="Ana", exercise_id=ex, quantity_id=qty, answer_text="x",
                   status="correct" if credit == 1 else "wrong", credit=credit, created_at=at(minute), **kw)


def test_mastery_is_the_latest_answer_and_a_revealed_solution_earns_none():
    items = [ans("forward-hello", "h_1", 0.0, 0), ans("forward-hello", "h_1", 1.0, 1),
             ans("forward-hello", "z_1", 1.0, 2), ans("forward-hello", "z_1", 0.0, 3),
             ans("forward-hello", "y_1", 1.0, 4, solution_revealed=True)]
    s = summarize("Ana", items)
    (ex,) = s.exercises
    assert (ex.attempts, ex.tried, ex.mastered, ex.revealed) == (5, 3, 1, 1)
    assert s.mastered_answers == 2 and s.first_at == at(0) and s.last_at == at(4)


def test_mistakes_are_ranked_with_their_lesson():
    items = [ans("e", "a", 0.0, 0, diagnosis="bias left out", lesson="first-step"),
             ans("e", "b", 0.0, 1, diagnosis="tanh left out", lesson="tanh"),
             ans("e", "c", 0.0, 2, diagnosis="bias left out", lesson="first-step"),
             ans("e", "d", 1.0, 3, diagnosis="bias left out")]  # full credit: not a mistake
    s = summarize("Ana", items)
    assert s.mistakes == (("bias left out", 2, "first-step"), ("tanh left out", 1, "tanh"))


def test_per_day_counts_by_outcome():
    items = [ans("e", "a", 1.0, 0), ans("e", "b", 0.5, 1), ans("e", "c", 0.0, 60 * 24 + 5)]
    assert summarize("Ana", items).per_day == (("2024-03-01", "correct", 1), ("2024-03-01", "partly right", 1),
                                               ("2024-03-02", "wrong", 1))


def test_the_chart_spans_at_least_a_week_ending_on_the_last_active_day():
    assert day_window(["2024-03-01"]) == ("2024-02-24", "2024-03-01")
    assert day_window(["2024-03-05", "2024-03-01"]) == ("2024-02-28", "2024-03-05")
    assert day_window(["2024-01-01", "2024-03-01"]) == ("2024-01-01", "2024-03-01")  # a longer span is kept
    first, last = day_window([])
    assert (date.fromisoformat(last) - date.fromisoformat(first)).days == 6


def test_lesson_status_and_next_steps_follow_the_course():
    quiz = {x.slug: [q.id for q in CONTENT.quiz(x.slug)] for x in CONTENT.lessons}
    first, second = CONTENT.lessons[0], CONTENT.lessons[1]
    items = [ans(quiz_exercise(first.slug), qid, 1.0, i) for i, qid in enumerate(quiz[first.slug])]
    items.append(ans(quiz_exercise(second.slug), quiz[second.slug][0], 0.0, 50))
    s = summarize("Ana", items)
    prog = lesson_progress(s, CONTENT.lessons, quiz, lessons_read=[first.slug, second.slug])
    assert prog[0].status == "done" and prog[0].quiz_share == 1.0
    assert prog[1].status == "in progress" and prog[1].quiz_answered == 1 and prog[1].quiz_mastered == 0
    assert prog[2].status == "not started"
    steps = next_steps(prog, s)
    assert steps[0].lesson == second.slug and steps[0].go == "quiz"
    assert steps[1].lesson == CONTENT.lessons[2].slug and steps[1].go == "lesson"


def test_a_recurring_mistake_comes_first():
    quiz = {x.slug: [q.id for q in CONTENT.quiz(x.slug)] for x in CONTENT.lessons}
    items = [ans("forward-hello", f"h_{i}", 0.0, i, diagnosis="sigmoid instead of tanh", lesson="tanh")
             for i in range(3)]
    s = summarize("Ana", items)
    steps = next_steps(lesson_progress(s, CONTENT.lessons, quiz, []), s)
    assert "sigmoid instead of tanh" in steps[0].text and steps[0].lesson == "tanh"
    assert lesson_progress(s, CONTENT.lessons, quiz, [])[[x.slug for x in CONTENT.lessons].index("tanh")] \
        .practice_attempts == 3


def test_a_new_learner_is_told_to_start_at_lesson_one():
    s = summarize("New", [])
    prog = lesson_progress(s, CONTENT.lessons, {}, [])
    assert next_steps(prog, s)[0].lesson == CONTENT.lessons[0].slug
    assert days_since(None) is None
    assert days_since(at(0), now=datetime(2024, 3, 8, 10, 0, tzinfo=UTC)) == 7
