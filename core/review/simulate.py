"""One learner's schedule over days, simulated: what the review plan does with a learner, without a browser.

The learner works through every exercise on day 0 (the skills in `struggles` go wrong the first time, the
rest right), then sits down once a day at 09:00 UTC and reviews every skill that is due. A review succeeds
with the probability FSRS itself gives (the card's retrievability then), drawn from a seeded generator: a
learner the memory model describes exactly. A success rates Good, a failure Again; a failed skill is
reviewed again 10 minutes later in the same sitting, as the Review screen would bring it back.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from fsrs import Rating

from core.review.schedule import CardState, review
from core.review.skills import Skills

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
STRUGGLES = ("recurrent-term", "softmax", "through-tanh", "chain-jacobian")


@dataclass(frozen=True)
class Event:
    day: int
    at: datetime
    skill_id: str
    rating: Rating
    recall: float  # FSRS's retrievability just before this review (1.0 for a first try)
    due: datetime  # when the card is due after it


def simulate(skills: Skills, days: int = 14, seed: int = 0, struggles=STRUGGLES,
             start: datetime = START) -> list[Event]:
    rng = np.random.default_rng(seed)
    cards: dict[str, CardState] = {}
    events: list[Event] = []

    def rate(skill_id: str, at: datetime, rating: Rating, recall: float, day: int) -> None:
        cards[skill_id] = review(cards.get(skill_id), skill_id, rating, at)
        events.append(Event(day, at, skill_id, rating, recall, cards[skill_id].due))

    for k, s in enumerate(skills):  # day 0: the exercises, one value a minute
        rate(s.id, start + timedelta(minutes=k), Rating.Again if s.id in struggles else Rating.Good, 1.0, 0)
    for day in range(0, days + 1):
        at = start + timedelta(days=day, hours=1 if day == 0 else 0)
        for _ in range(3):  # a sitting: the due skills, then the ones failed in it (back after 10 minutes)
            due = sorted((c.due, sid) for sid, c in cards.items() if c.due <= at)
            if not due:
                break
            for _, sid in due:
                recall = cards[sid].retrievability(at)
                rating = Rating.Good if rng.random() < recall else Rating.Again
                rate(sid, at, rating, recall, day)
                at += timedelta(minutes=1)
            at += timedelta(minutes=10)
    return events


def report(events: list[Event], skills: Skills, days: int) -> str:
    """A table: reviews per day, and the dates each of a few skills came back."""
    lines = [f"{len(skills)} skills; one simulated learner over {days} days (reviews at 09:00 UTC)",
             "", "day  reviews  again  due by the next sitting"]
    for day in range(days + 1):
        today = [e for e in events if e.day == day]
        last = {}
        for e in events:
            if e.day <= day:
                last[e.skill_id] = e.due
        morning = START + timedelta(days=day + 1, hours=1)  # by the end of the next sitting
        lines.append(f"{day:>3}  {len(today):>7}  {sum(e.rating == Rating.Again for e in today):>5}  "
                     f"{sum(1 for d in last.values() if d <= morning):>5}")
    lines.append("")
    for sid in ("recurrent-term", "pre-activation", "softmax", "tanh-derivative"):
        mine = [e for e in events if e.skill_id == sid]
        if mine:
            trail = ", ".join(f"day {e.day} {e.rating.name}" for e in mine)
            lines.append(f"{sid}: {trail}; next due day {(mine[-1].due - START).days}")
    return "\n".join(lines)
