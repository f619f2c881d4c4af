"""What is due, how well each skill is held and what to practise next, at a given time."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fsrs import Rating

from core.review.plan import due_now, in_words, next_due, practise_next, statuses
from core.review.schedule import review
from core.review.skills import load_skills

SKILLS = load_skills()
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_due_new_and_held_skills_at_a_given_time():
    cards = {"softmax": review(None, "softmax", Rating.Again, T0),
             "pre-activation": review(None, "pre-activation", Rating.Good, T0)}
    later = T0 + timedelta(hours=1)
    assert [s.skill.id for s in due_now(SKILLS, cards, later)] == ["softmax"]
    assert next_due(cards, later) == cards["pre-activation"].due
    by_id = {s.skill.id: s for s in statuses(SKILLS, cards, later)}
    assert by_id["softmax"].level == "due" and by_id["pre-activation"].level == "strong"
    assert by_id["scores"].level == "new" and by_id["scores"].retrievability is None
    first = practise_next(SKILLS, cards, later, n=2)
    assert [s.skill.id for s in first] == ["softmax", "input-term"]  # due first, then new in course order
    much_later = T0 + timedelta(days=30)
    assert {s.skill.id for s in due_now(SKILLS, cards, much_later)} == {"softmax", "pre-activation"}


def test_times_in_words():
    assert in_words(timedelta(minutes=10)) == "in 10 minutes"
    assert in_words(timedelta(hours=5)) == "in 5 hours"
    assert in_words(timedelta(hours=23)) == "tomorrow"
    assert in_words(timedelta(days=3)) == "in 3 days"
    assert in_words(timedelta(days=21)) == "in 3 weeks"
