"""How a checked answer rates its skill's review card (FSRS ratings: Again, Hard, Good, Easy).

The rule, in the order it is applied:

| what happened                                              | rating |
|------------------------------------------------------------|--------|
| blank or unreadable (costs nothing, is no attempt)         | none   |
| the solution was revealed                                  | Again  |
| a diagnosed mistake, or wrong                              | Again  |
| close (right method, outside the tolerance)                | Hard   |
| follows from the learner's own wrong value (ecf)           | Hard   |
| right, but after a hint, or not at the first try           | Hard   |
| right at the first try, without hints, within `easy_s`     | Easy   |
| right                                                      | Good   |

`seconds` is the time from the value being shown to its Check; None (not known) never rates Easy. A Check
that answers several values of one skill rates it once, with the lowest of their ratings (`combine`), and a
value rates its skill only at its first counted check on a network (`reviews_of_check`): what the learner
could retrieve, not what they fixed after the feedback.
"""
from __future__ import annotations

from fsrs import Rating

from core.course.own_text import split_stored_id
from core.progress.attempt import now_iso
from core.progress.cards import Review
from core.review.skills import Skills

NO_RATING = ("blank", "invalid")
FAILED = ("revealed", "mistake", "wrong")
PARTLY = ("close", "ecf")


def rate(status: str, *, hints_used: int = 0, first_try: bool = True, seconds: float | None = None,
         easy_s: float = 60.0) -> Rating | None:
    """The rating one checked value gives its skill (None: no rating), by the rule above."""
    if status in NO_RATING:
        return None
    if status in FAILED:
        return Rating.Again
    if status in PARTLY:
        return Rating.Hard
    if status != "correct":
        raise ValueError(f"unknown status {status!r}")
    if hints_used > 0 or not first_try:
        return Rating.Hard
    if seconds is not None and 0 <= seconds <= easy_s:
        return Rating.Easy
    return Rating.Good


def combine(ratings) -> Rating | None:
    """One rating for several values of a skill checked together: the lowest (None when there is none)."""
    given = [r for r in ratings if r is not None]
    return min(given, key=int) if given else None


def reviews_of_check(skills: Skills, exercise_id: str, checked: list[tuple[str, str]], *,
                     hints: dict[str, int] | None = None, first_try: dict[str, bool] | None = None,
                     seconds: dict[str, float] | None = None, at: str | None = None) -> list[Review]:
    """The reviews one Check gives: `checked` is [(quantity id, verdict status)].

    A value rates its skill once per network, at its first counted check (or its solution revealed before
    any): a second try on the same value is practice, its retrieval was already rated. A value of no skill
    (a quiz question) rates nothing; several values of one skill rate it once (`combine`).
    """
    hints, first_try, seconds = hints or {}, first_try or {}, seconds or {}
    by_skill: dict[str, list] = {}
    base = split_stored_id(exercise_id)[0]  # "forward_hello/text:abba": the learner's own text, the same skills
    for qid, status in checked:
        skill = skills.of_id(base, qid)
        if skill is None or not first_try.get(qid, True):
            continue
        by_skill.setdefault(skill.id, []).append(rate(status, hints_used=hints.get(qid, 0),  # a first try
                                                      seconds=seconds.get(qid), easy_s=skill.easy_s))
    at = at or now_iso()
    out = []
    for skill_id, ratings in by_skill.items():
        rating = combine(ratings)
        if rating is not None:
            out.append(Review(skill_id, int(rating), at))
    return out
