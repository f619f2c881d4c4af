"""One checked answer as the progress store keeps it (Attempt), and the rules its fields follow."""
from __future__ import annotations

import math
import re
import unicodedata
import uuid
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import NamedTuple

MAX_NAME = 40
MAX_ANSWER = 2000  # longer answers are cut on record (the answer is kept, its tail is not)


def now_iso() -> str:
    """The current time as ISO 8601 text in UTC, microseconds included."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def normalize_learner(name: str) -> str:
    """A learner name trimmed, with inner whitespace collapsed; ValueError with a reason if unusable."""
    if not isinstance(name, str):
        raise ValueError("The name must be text.")
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValueError("Type a name first (any name you like; there is no password).")
    if len(cleaned) > MAX_NAME:
        raise ValueError(f"The name is {len(cleaned)} characters long; use at most {MAX_NAME}.")
    if any(unicodedata.category(ch).startswith("C") for ch in cleaned):
        raise ValueError("The name contains a control character; use letters, digits, spaces or punctuation.")
    return cleaned


@dataclass(frozen=True)
class Attempt:
    """One checked answer: which quantity of which exercise variant, what was typed, and how it was judged."""

    learner: object  # a core.progress.identity.Learner, or a profile name (as the store returns: the name shown)
    exercise_id: str  # e.g. "forward-hello" or "quiz:tanh"
    quantity_id: str  # e.g. "h_1" or a quiz question id
    answer_text: str
    status: str  # the checker's verdict, e.g. "correct", "close", "carried", "wrong", "revealed"
    credit: float  # 0..1
    variant_seed: int | None = None
    diagnosis: str | None = None  # name of the diagnosed mistake, if any
    hints_used: int = 0
    solution_revealed: bool = False
    lesson: str | None = None  # slug of the lesson this practises, if known
    created_at: str = field(default_factory=now_iso)
    uid: str = field(default_factory=lambda: uuid.uuid4().hex)
    first_wrong: str | None = None  # for "ecf": the first wrong link of the chain it was computed from
    source: str = "here"  # "here", or "import" for an answer brought in from a progress file


class Brief(NamedTuple):
    """An answer as a summary across many learners reads it (Store.everyone_brief): no text, no ids of its own.

    Its fields are the Attempt fields of the same names, so code reading only these takes either."""

    exercise_id: str
    quantity_id: str
    status: str
    credit: float
    diagnosis: str | None
    solution_revealed: bool
    first_wrong: str | None
    created_at: str


SOURCES = ("here", "import")
ATTEMPT_FIELDS = [f.name for f in fields(Attempt)]
EXPORT_FIELDS = [f for f in ATTEMPT_FIELDS if f != "learner"]  # an export belongs to one learner
_ID = re.compile(r"^[A-Za-z0-9_.:\-\[\]/ ]{1,80}$")
_STATUS = re.compile(r"^[a-z][a-z_\- ]{0,31}$")
_UID = re.compile(r"^[0-9a-f]{32}$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9\-]{0,79}$")


def attempt_problems(a: Attempt) -> list[str]:
    """Everything wrong with an attempt's fields, as short sentences (empty list: valid)."""
    out = []
    for name in ("exercise_id", "quantity_id"):
        v = getattr(a, name)
        if not isinstance(v, str) or not _ID.match(v):
            out.append(f"{name} must be 1 to 80 letters, digits or _.:-[]/ (got {v!r})")
    if not isinstance(a.answer_text, str):
        out.append("answer_text must be text")
    if not isinstance(a.status, str) or not _STATUS.match(a.status):
        out.append(f"status must be a short lower-case word (got {a.status!r})")
    if isinstance(a.credit, bool) or not isinstance(a.credit, int | float) or not (
            math.isfinite(a.credit) and 0.0 <= a.credit <= 1.0):
        out.append(f"credit must be a number from 0 to 1 (got {a.credit!r})")
    if a.variant_seed is not None and (isinstance(a.variant_seed, bool) or not isinstance(a.variant_seed, int)
                                       or not -2**63 <= a.variant_seed < 2**63):
        out.append(f"variant_seed must be a whole number or empty (got {a.variant_seed!r})")
    if a.diagnosis is not None and (not isinstance(a.diagnosis, str) or len(a.diagnosis) > 120):
        out.append("diagnosis must be text of at most 120 characters or empty")
    if isinstance(a.hints_used, bool) or not isinstance(a.hints_used, int) or not 0 <= a.hints_used <= 100:
        out.append(f"hints_used must be a whole number from 0 to 100 (got {a.hints_used!r})")
    if not isinstance(a.solution_revealed, bool):
        out.append(f"solution_revealed must be true or false (got {a.solution_revealed!r})")
    if a.lesson is not None and (not isinstance(a.lesson, str) or not _SLUG.match(a.lesson)):
        out.append(f"lesson must be a lesson slug or empty (got {a.lesson!r})")
    if a.first_wrong is not None and (not isinstance(a.first_wrong, str) or not _ID.match(a.first_wrong)):
        out.append(f"first_wrong must be a quantity id or empty (got {a.first_wrong!r})")
    if a.source not in SOURCES:
        out.append(f"source must be one of {', '.join(SOURCES)} (got {a.source!r})")
    if not isinstance(a.uid, str) or not _UID.match(a.uid):
        out.append(f"uid must be 32 hexadecimal digits (got {a.uid!r})")
    try:
        stamp = datetime.fromisoformat(a.created_at)
        if stamp.tzinfo is None:
            out.append(f"created_at needs a time zone, e.g. +00:00 (got {a.created_at!r})")
    except (TypeError, ValueError):
        out.append(f"created_at must be an ISO 8601 time (got {a.created_at!r})")
    return out


def replace_attempt(a: Attempt, **changes) -> Attempt:
    """A copy of an attempt with some fields changed."""
    return replace(a, **changes)
