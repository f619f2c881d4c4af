"""Rows of the progress tables as Python values: an Attempt and its row, and whole dumps of learners'
rows that a store can merge (a backup, a recovered file, what a memory store kept)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, insert, select

from core.progress.attempt import ATTEMPT_FIELDS, Attempt
from core.progress.cards import Fade, read_fade, rebuild_cards, write_fade
from core.progress.schema import attempts_table, fades, learners, lesson_reads, reviews


def _row(a: Attempt, learner_id: int) -> dict:
    """The attempts-table row of an attempt."""
    row = {f: getattr(a, f) for f in ATTEMPT_FIELDS if f != "learner"}
    row["learner_id"] = learner_id
    row["credit"] = float(a.credit)
    return row


def _attempt(r) -> Attempt:
    """An Attempt from an attempts-table row joined with the learner's name."""
    return Attempt(
        learner=r["name"], exercise_id=r["exercise_id"], quantity_id=r["quantity_id"], answer_text=r["answer_text"],
        status=r["status"], credit=float(r["credit"]), variant_seed=r["variant_seed"], diagnosis=r["diagnosis"],
        hints_used=int(r["hints_used"]), solution_revealed=bool(r["solution_revealed"]), lesson=r["lesson"],
        created_at=r["created_at"], uid=r["uid"], first_wrong=r["first_wrong"], source=r["source"],
    )


@dataclass(frozen=True)
class LearnerInfo:
    """A learner known to the store, with how much they did and when they were last here."""

    name: str
    attempts: int
    last_active: str | None
    key: str = ""  # the store's key of the learner (Learner.key): never shown, for matching only


@dataclass(frozen=True)
class MergeResult:
    """What a merge added: learners it did not know, answers it did not hold, lesson marks it did not have."""

    learners: int
    answers: int
    lessons: int


def _dump(engine: Engine) -> dict[str, list[dict]]:
    """Every row of the learners, attempts, lesson_reads and reviews tables (to move a memory store into a file)."""
    with engine.begin() as conn:
        return _dump_rows(conn, None)


def _dump_rows(conn, kinds: tuple[str, ...] | None) -> dict[str, list[dict]]:
    """The rows of the learners of `kinds` (None: all), with their answers, lesson marks, review ratings and
    places in the worked examples (the review cards are not dumped: they are made again from the ratings)."""
    who = select(learners)
    if kinds is not None:
        who = who.where(learners.c.kind.in_(kinds))
    people = [dict(r) for r in conn.execute(who).mappings()]
    ids = [r["id"] for r in people]
    rows: dict[str, list[dict]] = {"learners": people, "attempts": [], "lesson_reads": [], "reviews": [],
                                   "fades": []}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        rows["attempts"] += [dict(r) for r in conn.execute(select(attempts_table).where(
            attempts_table.c.learner_id.in_(chunk)).order_by(attempts_table.c.id)).mappings()]
        rows["lesson_reads"] += [dict(r) for r in conn.execute(select(lesson_reads).where(
            lesson_reads.c.learner_id.in_(chunk))).mappings()]
        rows["reviews"] += [dict(r) for r in conn.execute(select(reviews).where(
            reviews.c.learner_id.in_(chunk)).order_by(reviews.c.id)).mappings()]
        rows["fades"] += [dict(r) for r in conn.execute(select(fades).where(
            fades.c.learner_id.in_(chunk)).order_by(fades.c.learner_id, fades.c.exercise_id)).mappings()]
    return rows


def _load(conn, rows: dict[str, list[dict]]) -> MergeResult:
    """Add dumped rows to a store's tables (in the caller's transaction), matching learners by key and
    skipping answers and reviews it already holds (by uid) and lessons already marked; the review cards of
    every learner who got reviews are made again from all of theirs."""
    ids, new_learners = {}, 0
    for r in rows["learners"]:
        found = conn.execute(select(learners.c.id).where(learners.c.name_key == r["name_key"])).scalar()
        if found is None:
            found = conn.execute(insert(learners).values({k: v for k, v in r.items() if k != "id"})
                                 ).inserted_primary_key[0]
            new_learners += 1
        ids[r["id"]] = found
    have: dict[int, set[str]] = {}
    for lid in set(ids.values()):
        have[lid] = set(conn.execute(select(attempts_table.c.uid).where(attempts_table.c.learner_id == lid)).scalars())
    new = []
    for r in rows["attempts"]:
        lid = ids.get(r["learner_id"])
        if lid is not None and r["uid"] not in have[lid]:
            have[lid].add(r["uid"])
            new.append({**{k: v for k, v in r.items() if k != "id"}, "learner_id": lid})
    if new:
        conn.execute(insert(attempts_table), new)
    marks = 0
    for r in rows["lesson_reads"]:
        lid = ids.get(r["learner_id"])
        if lid is not None and conn.execute(select(lesson_reads.c.lesson).where(
                lesson_reads.c.learner_id == lid, lesson_reads.c.lesson == r["lesson"])).first() is None:
            conn.execute(insert(lesson_reads).values({**r, "learner_id": lid}))
            marks += 1
    rated = set()
    for r in rows.get("reviews") or []:  # dumps and backups of schema 3 and older have none
        lid = ids.get(r["learner_id"])
        if lid is not None and conn.execute(select(reviews.c.id).where(
                reviews.c.learner_id == lid, reviews.c.uid == r["uid"])).first() is None:
            conn.execute(insert(reviews).values({**{k: v for k, v in r.items() if k != "id"}, "learner_id": lid}))
            rated.add(lid)
    for lid in rated:
        rebuild_cards(conn, lid)
    for r in rows.get("fades") or []:  # places in the worked examples (schema 4); one the store has stays
        lid = ids.get(r["learner_id"])
        if lid is not None and read_fade(conn, lid, r["exercise_id"]) is None:
            write_fade(conn, lid, r["exercise_id"], Fade(int(r["stage"]), int(r["seed"]), int(r["hidden"])))
    return MergeResult(new_learners, len(new), marks)
