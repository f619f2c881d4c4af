"""What a learner's review cards say: which skills are due, how well each is held, what to practise next.

Pure functions over `Store.cards` (a {skill id: CardState} dict) and the course's skills, with the time
passed in. A skill never rated has no card: it is *new*, not due.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.review.schedule import CardState, utc
from core.review.skills import Skill, Skills

STRONG = 0.9  # retrievability at or above this: the skill is held (FSRS's own target retention)


@dataclass(frozen=True)
class SkillStatus:
    """One skill for one learner at one moment."""

    skill: Skill
    card: CardState | None
    retrievability: float | None  # None for a new skill
    due: bool

    @property
    def level(self) -> str:
        """'new', 'due', 'learning' (in its same-day steps), 'weak' (below STRONG) or 'strong'."""
        if self.card is None:
            return "new"
        if self.due:
            return "due"
        if self.card.learning:
            return "learning"
        return "strong" if (self.retrievability or 0.0) >= STRONG else "weak"


def statuses(skills: Skills, cards: dict[str, CardState], now: datetime) -> list[SkillStatus]:
    """Every skill of the course, in course order, with its card (if any) at `now`."""
    now = utc(now)
    out = []
    for s in skills:
        card = cards.get(s.id)
        out.append(SkillStatus(s, card, None if card is None else card.retrievability(now),
                               card is not None and card.due <= now))
    return out


def due_now(skills: Skills, cards: dict[str, CardState], now: datetime) -> list[SkillStatus]:
    """The skills due at `now`, most overdue first (a review queue)."""
    due = [s for s in statuses(skills, cards, now) if s.due]
    return sorted(due, key=lambda s: (s.card.due, s.skill.id))


def next_due(cards: dict[str, CardState], now: datetime, skills: Skills | None = None) -> datetime | None:
    """When the next skill that is not due yet falls due (None when none is scheduled)."""
    now = utc(now)
    later = [c.due for sid, c in cards.items() if c.due > now and (skills is None or skills.get(sid))]
    return min(later, default=None)


def practise_next(skills: Skills, cards: dict[str, CardState], now: datetime, n: int = 3) -> list[SkillStatus]:
    """What to practise next: due skills first, then the least well held, then new ones in course order."""
    every = statuses(skills, cards, now)
    order = {s.skill.id: i for i, s in enumerate(every)}
    due = sorted((s for s in every if s.due), key=lambda s: (s.card.due, order[s.skill.id]))
    held = sorted((s for s in every if s.card is not None and not s.due),
                  key=lambda s: (s.retrievability, order[s.skill.id]))
    new = [s for s in every if s.card is None]
    return (due + [s for s in held if (s.retrievability or 0) < STRONG] + new)[:n]


def in_words(delta: timedelta) -> str:
    """A time from now in words: 'in 10 minutes', 'in 5 hours', 'tomorrow', 'in 3 days', 'in 2 weeks'."""
    seconds = delta.total_seconds()
    if seconds <= 60:
        return "in a minute"
    if seconds < 3600:
        return f"in {round(seconds / 60)} minutes"
    if seconds < 20 * 3600:
        hours = round(seconds / 3600)
        return f"in {hours} hour{'s' if hours != 1 else ''}"
    days = round(seconds / 86400)
    if days <= 1:
        return "tomorrow"
    if days < 14:
        return f"in {days} days"
    if days < 60:
        return f"in {round(days / 7)} weeks"
    return f"in {round(days / 30)} months"
