"""The FSRS schedule of a skill, with the clock passed in: failing brings a skill back sooner than knowing it,
and a card is a pure function of its ratings (replay gives what reviewing one by one gave)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fsrs import Rating

from core.review.schedule import replay, review

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_a_failed_skill_is_due_again_sooner_than_one_answered_right():
    again = review(None, "softmax", Rating.Again, T0)
    good = review(None, "softmax", Rating.Good, T0)
    easy = review(None, "softmax", Rating.Easy, T0)
    assert T0 < again.due < good.due < easy.due
    assert again.due - T0 <= timedelta(minutes=10)  # the same sitting
    assert good.due - T0 >= timedelta(days=1)


def test_intervals_grow_with_each_good_review_and_shrink_after_a_lapse():
    card, gaps = None, []
    at = T0
    for _ in range(5):
        card = review(card, "z", Rating.Good, at)
        gaps.append(card.due - at)
        at = card.due
    assert all(b > a for a, b in zip(gaps, gaps[1:], strict=False)), gaps
    lapsed = review(card, "z", Rating.Again, at)
    assert lapsed.due - at < gaps[-1] and lapsed.lapses == 1 and lapsed.reviews == 6


def test_replay_of_the_ratings_is_the_card_reviewed_one_by_one():
    ratings = [(Rating.Good, T0), (Rating.Again, T0 + timedelta(days=2)),
               (Rating.Hard, T0 + timedelta(days=2, minutes=11)), (Rating.Easy, T0 + timedelta(days=5))]
    card = None
    for r, at in ratings:
        card = review(card, "h", r, at)
    shuffled = [ratings[2], ratings[0], ratings[3], ratings[1]]
    assert replay("h", shuffled) == card  # order of arrival does not matter: time order does
    assert replay("h", []) is None


def test_retrievability_falls_with_time_since_the_review():
    card = review(None, "y", Rating.Good, T0)
    r = [card.retrievability(T0 + timedelta(days=d)) for d in (0, 1, 5, 30)]
    assert r[0] > r[1] > r[2] > r[3] > 0
