"""What a damaged SQLite progress file still holds, brought back into the store; and whole-store backups.

`recover(path, store)` reads a file that was set aside as `progress.db.corrupt-<time>` (or any damaged copy)
from a private copy, table by table, stepping over the pages that cannot be read (a range of row ids is
tried, and on an error the reader gallops ahead until rows read again), and merges every learner, answer
and lesson mark it finds into the store; what the store already holds stays, so recovering twice adds
nothing. Guests are left out: their answers belonged to one browser session.

`backup(store)` writes every profile's and account's answers as one JSON document; `restore(store, text)`
merges one back, all or nothing; `learner=` narrows both to one learner.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from core.errors import StoreError
from core.progress.attempt import _ID, _UID, attempt_problems, now_iso
from core.progress.cards import Fade, Review, fade_problems, review_problems
from core.progress.identity import Learner, as_learner
from core.progress.rows import MergeResult, _attempt
from core.progress.schema import SCHEMA_VERSION, attempts_table, fades, learners, lesson_reads, reviews

BACKUP_FORMAT = "rnn-tutor-backup"
_BATCH = 200


@dataclass(frozen=True)
class RecoveryReport:
    """What a damaged file gave back: rows read per table, rows that could not be read, what the store added."""

    read: dict[str, int]
    unreadable: dict[str, int]
    merged: MergeResult


def _columns(con: sqlite3.Connection, table: str) -> list[str]:
    try:
        return [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
    except sqlite3.DatabaseError:
        return []


def _read_table(con: sqlite3.Connection, table: str, columns: list[str]) -> tuple[list[dict], int]:
    """(rows, row ids that could not be read) of one table, stepping over damaged pages.

    Rows are read in rowid order, in batches; where a batch fails, one at a time up to the damage, then the
    reader gallops ahead (1, 2, 4, ... rowids) until a row reads again and searches back (by bisection) for
    the first readable row after the damage, so only the rows on damaged pages are lost.
    """
    cols = ", ".join(columns)

    def fetch(after: int, n: int) -> list:
        return con.execute(f"SELECT rowid, {cols} FROM {table} WHERE rowid > ? ORDER BY rowid LIMIT {n}",
                           (after,)).fetchall()

    def readable(after: int) -> bool:
        try:
            con.execute(f"SELECT rowid FROM {table} WHERE rowid > ? ORDER BY rowid LIMIT 1", (after,)).fetchone()
            return True
        except sqlite3.DatabaseError:
            return False

    rows, lost, last = [], 0, 0
    while True:
        try:
            batch = fetch(last, _BATCH)
        except sqlite3.DatabaseError:
            batch = None
        if batch is None:  # damage ahead: read up to it row by row
            try:
                while batch := fetch(last, 1):
                    rows.append(dict(zip(columns, batch[0][1:], strict=True)))
                    last = batch[0][0]
                return rows, lost
            except sqlite3.DatabaseError:
                pass
            step = 1
            while not readable(last + step):
                step *= 2
                if step > 2**40:
                    return rows, lost + 1
            bad, good = last + step // 2, last + step  # readable(good); not readable(bad) unless step == 1
            while good - bad > 1:
                mid = (bad + good) // 2
                bad, good = (bad, mid) if readable(mid) else (mid, good)
            nxt = con.execute(f"SELECT rowid FROM {table} WHERE rowid > ? ORDER BY rowid LIMIT 1", (good,)).fetchone()
            if nxt is None:
                return rows, lost + 1
            lost += max(nxt[0] - last - 1, 1)
            last = nxt[0] - 1
            continue
        if not batch:
            return rows, lost
        for r in batch:
            rows.append(dict(zip(columns, r[1:], strict=True)))
            last = r[0]


def read_damaged(path: Path) -> tuple[dict[str, list[dict]], dict[str, int]]:
    """The learners, attempts, lesson_reads, reviews and fades rows a damaged file still holds, in the current
    schema's shape."""
    path = Path(path)
    if not path.is_file():
        raise StoreError(f"{path} is not a file")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "damaged.db"
        shutil.copyfile(path, copy)  # never touch the set-aside file itself
        con = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
        try:
            got, lost = {}, {}
            for table in (learners, attempts_table, lesson_reads, reviews, fades):
                have = _columns(con, table.name)
                cols = [c.name for c in table.columns if c.name in have]
                got[table.name], lost[table.name] = _read_table(con, table.name, cols) if cols else ([], 0)
        finally:
            con.close()
    people = []
    for r in got["learners"]:
        kind = r.get("kind") or "profile"
        if kind == "guest" or r.get("name_key") == "guest":  # a guest's (or the old shared Guest's): not ours
            continue
        people.append({"kind": kind, "email": r.get("email"), **r})
    keep = {r["id"] for r in people}
    answers = []
    for r in got["attempts"]:
        if r.get("learner_id") not in keep or not isinstance(r.get("uid"), str) or not _UID.match(r["uid"]):
            continue
        r = {"hints_used": 0, "first_wrong": None, "source": "here", **r}
        r["solution_revealed"] = bool(r.get("solution_revealed"))
        try:
            problems = attempt_problems(_attempt({**r, "name": "recovered"}))
        except (KeyError, TypeError, ValueError):
            problems = ["unreadable"]
        if not problems:
            answers.append(r)
        else:
            lost["attempts"] = lost.get("attempts", 0) + 1
    reads = [r for r in got["lesson_reads"] if r.get("learner_id") in keep]
    ratings = []
    for r in got["reviews"]:
        try:
            ratings.append(_review_row(r))
        except StoreError:
            lost["reviews"] = lost.get("reviews", 0) + 1
    ratings = [r for r in ratings if r["learner_id"] in keep]
    places = []
    for r in got["fades"]:
        try:
            places.append(_fade_row(r))
        except StoreError:
            lost["fades"] = lost.get("fades", 0) + 1
    places = [r for r in places if r["learner_id"] in keep]
    return {"learners": people, "attempts": answers, "lesson_reads": reads, "reviews": ratings, "fades": places}, lost


def recover(path: Path, store) -> RecoveryReport:
    """Merge what the damaged file at `path` still holds into `store`."""
    rows, lost = read_damaged(path)
    merged = store.merge(rows)
    return RecoveryReport({k: len(v) for k, v in rows.items()}, lost, merged)


# ------------------------------------------------------------------------------------------- backups


def backup(store, learner: Learner | str | None = None) -> str:
    """A JSON backup of the store's profiles and accounts (or of one learner), every answer and lesson mark."""
    rows = store.dump(("profile", "account"))
    if learner is not None:
        rows = _only(rows, learner)
        if not rows["learners"]:
            raise StoreError(f"no learner {_shown(learner)!r} in this store")
    doc = {"format": BACKUP_FORMAT, "schema_version": SCHEMA_VERSION, "created_at": now_iso(), **rows}
    return json.dumps(doc, ensure_ascii=False, default=str)


def _shown(learner: Learner | str) -> str:
    return learner if isinstance(learner, str) and "@" in learner else as_learner(learner).display


def _only(rows: dict[str, list[dict]], learner: Learner | str) -> dict[str, list[dict]]:
    """The rows of one learner: a profile by name, or (a string with "@") a signed-in account by e-mail."""
    if isinstance(learner, str) and "@" in learner:
        email = learner.strip().casefold()
        people = [r for r in rows["learners"]
                  if r.get("kind") == "account" and (r.get("email") or "").casefold() == email]
    else:
        key = as_learner(learner).key
        people = [r for r in rows["learners"] if r["name_key"] == key]
    ids = {r["id"] for r in people}
    return {"learners": people, "attempts": [r for r in rows["attempts"] if r["learner_id"] in ids],
            "lesson_reads": [r for r in rows["lesson_reads"] if r["learner_id"] in ids],
            "reviews": [r for r in rows.get("reviews") or [] if r.get("learner_id") in ids],
            "fades": [r for r in rows.get("fades") or [] if r.get("learner_id") in ids]}


def restore(store, text: str, learner: Learner | str | None = None) -> MergeResult:
    """Merge a backup into the store (all or nothing); StoreError naming the problem if it is not one."""
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, RecursionError, ValueError) as exc:
        raise StoreError(f"this is not a backup of this app: {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != BACKUP_FORMAT:
        raise StoreError(f'this is not a backup of this app (expected "format": "{BACKUP_FORMAT}")')
    if not isinstance(doc.get("schema_version"), int) or not 1 <= doc["schema_version"] <= SCHEMA_VERSION:
        raise StoreError(f"this backup has schema version {doc.get('schema_version')!r}; this app restores 1 to "
                         f"{SCHEMA_VERSION}")
    rows = {k: doc.get(k) for k in ("learners", "attempts", "lesson_reads")}
    rows["reviews"] = doc.get("reviews", [])  # backups of schema 3 and older have none
    rows["fades"] = doc.get("fades", [])  # nor places in the worked examples
    if not all(isinstance(v, list) and all(isinstance(r, dict) for r in v) for v in rows.values()):
        raise StoreError("the backup's learners, attempts, lesson_reads, reviews and fades must be lists of rows")
    if learner is not None:
        rows = _only(rows, learner)
    for r in rows["attempts"]:
        problems = attempt_problems(_attempt({**r, "name": "restored"})) if {"uid", "learner_id"} <= set(r) else ["?"]
        if problems:
            raise StoreError(f"the backup has an invalid answer ({'; '.join(problems)[:200]}): nothing was restored")
    rows["reviews"] = [_review_row(r) for r in rows["reviews"]]
    rows["fades"] = [_fade_row(r) for r in rows["fades"]]
    return store.merge(rows)


def _fade_row(r: dict) -> dict:
    """A backup's place in the worked examples, checked (StoreError naming the problem)."""
    keys = ("learner_id", "exercise_id", "stage", "seed", "hidden")
    problems = (fade_problems(Fade(r["stage"], r["seed"], r["hidden"])) if all(k in r for k in keys)
                else ["a field is missing"])
    if not problems and not (isinstance(r["exercise_id"], str) and _ID.match(r["exercise_id"])):
        problems = ["its exercise id is not one"]
    if problems:
        raise StoreError(f"the backup has an invalid worked-examples place ({'; '.join(problems)[:200]}): nothing "
                         "was restored")
    return {k: r[k] for k in keys}


def _review_row(r: dict) -> dict:
    """A backup's review row, checked (StoreError naming the problem), marked as restored."""
    keys = ("learner_id", "skill_id", "rating", "reviewed_at", "uid")
    problems = review_problems(Review(r.get("skill_id"), r.get("rating"), r.get("reviewed_at"), r.get("uid"),
                                      "restore")) if all(k in r for k in keys) else ["a field is missing"]
    if problems:
        raise StoreError(f"the backup has an invalid review ({'; '.join(problems)[:200]}): nothing was restored")
    return {**{k: r[k] for k in keys}, "source": "restore"}
