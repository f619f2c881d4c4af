"""Spaced review in the store: the log of ratings (`reviews`) and each (learner, skill)'s FSRS card (`cards`).

A `Review` is one rating a Check gave one skill. It is written in the same transaction as the Check's
answers, and the skill's card is moved on by the scheduler (core.review.schedule) in that transaction too,
so an answer is never saved without its review, nor a review without its answer. The log is the truth: a
card is a pure function of its ratings, and `rebuild_cards` makes a learner's cards again from the log
after reviews arrive from elsewhere (an import, a restore, a guest's work adopted under a name).
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, insert, select, update

from core.progress.attempt import now_iso
from core.progress.schema import cards, fades, reviews
from core.review.schedule import CardState, replay, review, utc

_SKILL = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_UID = re.compile(r"^[0-9a-f]{32}$")
REVIEW_SOURCES = ("here", "import", "restore")


@dataclass(frozen=True)
class Review:
    """One rating of one skill: 1 Again, 2 Hard, 3 Good, 4 Easy (fsrs.Rating), at `reviewed_at` (ISO, UTC)."""

    skill_id: str
    rating: int
    reviewed_at: str = field(default_factory=now_iso)
    uid: str = field(default_factory=lambda: uuid.uuid4().hex)
    source: str = "here"

    @property
    def when(self) -> datetime:
        return utc(datetime.fromisoformat(self.reviewed_at))


def review_problems(r: Review) -> list[str]:
    """What is wrong with a review record (empty when it is fine)."""
    problems = []
    if not isinstance(r.skill_id, str) or not _SKILL.match(r.skill_id) or len(r.skill_id) > 80:
        problems.append(f"skill {r.skill_id!r} is not a skill id")
    if isinstance(r.rating, bool) or not isinstance(r.rating, int) or not 1 <= r.rating <= 4:
        problems.append(f"rating {r.rating!r} is not 1 to 4")
    try:
        datetime.fromisoformat(r.reviewed_at)
    except (TypeError, ValueError):
        problems.append(f"time {r.reviewed_at!r} is not an ISO date and time")
    if not isinstance(r.uid, str) or not _UID.match(r.uid):
        problems.append("uid must be 32 hexadecimal digits")
    if r.source not in REVIEW_SOURCES:
        problems.append(f"source must be one of {', '.join(REVIEW_SOURCES)}")
    return problems


def _state(row) -> CardState:
    return CardState(row.skill_id, row.card, utc(datetime.fromisoformat(row.due)), int(row.reviews), int(row.lapses))


def _card_values(state: CardState) -> dict:
    return {"card": state.card_json, "due": state.due.isoformat(timespec="microseconds"),
            "reviews": state.reviews, "lapses": state.lapses}


def apply_reviews(conn, learner_id: int, items: list[Review]) -> None:
    """Log `items` for a learner and move each skill's card on (in the caller's transaction)."""
    if not items:
        return
    conn.execute(insert(reviews), [{"uid": r.uid, "learner_id": learner_id, "skill_id": r.skill_id,
                                    "rating": int(r.rating), "reviewed_at": r.reviewed_at, "source": r.source}
                                   for r in items])
    for r in sorted(items, key=lambda r: r.when):
        q = select(cards).where(cards.c.learner_id == learner_id, cards.c.skill_id == r.skill_id)
        if conn.dialect.name == "postgresql":
            q = q.with_for_update()  # two servers rating one learner's skill at once: one waits
        row = conn.execute(q).first()
        state = review(_state(row) if row is not None else None, r.skill_id, r.rating, r.when)
        if row is None:
            conn.execute(insert(cards).values(learner_id=learner_id, skill_id=r.skill_id, **_card_values(state)))
        else:
            conn.execute(update(cards).where(cards.c.learner_id == learner_id, cards.c.skill_id == r.skill_id)
                         .values(**_card_values(state)))


def rebuild_cards(conn, learner_id: int) -> int:
    """Make a learner's cards again from their whole review log; returns how many cards there are."""
    rows = conn.execute(select(reviews.c.skill_id, reviews.c.rating, reviews.c.reviewed_at)
                        .where(reviews.c.learner_id == learner_id)).all()
    by_skill: dict[str, list[tuple[int, datetime]]] = {}
    for skill, rating, at in rows:
        by_skill.setdefault(skill, []).append((int(rating), datetime.fromisoformat(at)))
    conn.execute(delete(cards).where(cards.c.learner_id == learner_id))
    made = [replay(skill, ratings) for skill, ratings in by_skill.items()]
    if made:
        conn.execute(insert(cards), [{"learner_id": learner_id, "skill_id": s.skill_id, **_card_values(s)}
                                     for s in made])
    return len(made)


def read_cards(conn, learner_id: int) -> dict[str, CardState]:
    return {row.skill_id: _state(row) for row in conn.execute(select(cards).where(cards.c.learner_id == learner_id))}


def read_reviews(conn, learner_id: int) -> list[Review]:
    rows = conn.execute(select(reviews).where(reviews.c.learner_id == learner_id)
                        .order_by(reviews.c.reviewed_at, reviews.c.id)).all()
    return [Review(r.skill_id, int(r.rating), r.reviewed_at, r.uid, r.source) for r in rows]


def delete_reviews(conn, learner_ids: list[int]) -> None:
    """Delete the learners' review log, cards and fades."""
    conn.execute(delete(cards).where(cards.c.learner_id.in_(learner_ids)))
    conn.execute(delete(reviews).where(reviews.c.learner_id.in_(learner_ids)))
    conn.execute(delete(fades).where(fades.c.learner_id.in_(learner_ids)))


@dataclass(frozen=True)
class Fade:
    """Where a learner is in an exercise's faded worked examples: the stage and the network of that stage."""

    stage: int
    seed: int
    hidden: int


def read_fade(conn, learner_id: int, exercise_id: str) -> Fade | None:
    row = conn.execute(select(fades).where(fades.c.learner_id == learner_id,
                                           fades.c.exercise_id == exercise_id)).first()
    return None if row is None else Fade(int(row.stage), int(row.seed), int(row.hidden))


MAX_STAGE, MAX_SEED, MAX_HIDDEN = 100, 2 ** 63 - 1, 64  # bounds of a fade read from a file


def fade_problems(fade: Fade) -> list[str]:
    """Everything wrong with a fade from elsewhere (an import): whole numbers within bounds (empty: valid)."""
    out = []
    for name, lo, hi in (("stage", 0, MAX_STAGE), ("seed", 0, MAX_SEED), ("hidden", 1, MAX_HIDDEN)):
        v = getattr(fade, name)
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            out.append(f"{name} must be a whole number from {lo} to {hi}")
    return out


def read_fades(conn, learner_id: int) -> dict[str, Fade]:
    """{exercise id: Fade} of every exercise the learner has started in the worked examples."""
    rows = conn.execute(select(fades).where(fades.c.learner_id == learner_id).order_by(fades.c.exercise_id)).all()
    return {r.exercise_id: Fade(int(r.stage), int(r.seed), int(r.hidden)) for r in rows}


def write_fade(conn, learner_id: int, exercise_id: str, fade: Fade) -> None:
    values = {"stage": int(fade.stage), "seed": int(fade.seed), "hidden": int(fade.hidden), "updated_at": now_iso()}
    if read_fade(conn, learner_id, exercise_id) is None:
        conn.execute(insert(fades).values(learner_id=learner_id, exercise_id=exercise_id, **values))
    else:
        conn.execute(update(fades).where(fades.c.learner_id == learner_id, fades.c.exercise_id == exercise_id)
                     .values(**values))


def move_fades(conn, from_id: int, to_id: int) -> None:
    """A guest's fades go to the learner who adopts their work, where that learner has none of their own."""
    have = set(conn.execute(select(fades.c.exercise_id).where(fades.c.learner_id == to_id)).scalars())
    for row in conn.execute(select(fades).where(fades.c.learner_id == from_id)).all():
        if row.exercise_id not in have:
            write_fade(conn, to_id, row.exercise_id, Fade(row.stage, row.seed, row.hidden))
