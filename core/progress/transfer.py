"""Export and import of a learner's progress (JSON or CSV), validated before anything is stored."""
from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass

from core.progress.attempt import (
    _SLUG,
    EXPORT_FIELDS,
    MAX_ANSWER,
    Attempt,
    attempt_problems,
    normalize_learner,
    now_iso,
)
from core.progress.schema import SCHEMA_VERSION

EXPORT_FORMAT = "rnn-tutor-progress"


@dataclass(frozen=True)
class ImportResult:
    """What an import did: answers added, answers already present (skipped), lessons marked read."""

    added: int
    skipped: int
    lessons_marked: int


def export_json_text(learner: str, attempts: Iterable[Attempt], lessons_read: dict[str, str]) -> str:
    """The JSON export of a learner's answers and lessons read (what Store.export_json writes)."""
    doc = {
        "format": EXPORT_FORMAT,
        "schema_version": SCHEMA_VERSION,
        "learner": normalize_learner(learner),
        "exported_at": now_iso(),
        "attempts": [{k: getattr(a, k) for k in EXPORT_FIELDS} for a in attempts],
        "lessons_read": dict(lessons_read),
    }
    # One answer per line: readable and diff-friendly, and much faster than indenting every field.
    head = json.dumps({k: v for k, v in doc.items() if k != "attempts"}, ensure_ascii=False)[:-1]
    rows = ",\n  ".join(json.dumps(r, ensure_ascii=False) for r in doc["attempts"])
    return f'{head}, "attempts": [\n  {rows}\n]}}\n' if rows else f'{head}, "attempts": []}}\n'


def export_csv_text(attempts: Iterable[Attempt]) -> str:
    """The CSV export of answers: a header, then one row per answer (empty cells for missing values)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    w.writeheader()
    for a in attempts:
        row = {k: getattr(a, k) for k in EXPORT_FIELDS}
        row["solution_revealed"] = "true" if a.solution_revealed else "false"
        row["variant_seed"] = "" if a.variant_seed is None else a.variant_seed
        row["diagnosis"] = a.diagnosis or ""
        row["lesson"] = a.lesson or ""
        w.writerow(row)
    return buf.getvalue()


def _coerce(raw: dict, learner: str) -> Attempt:
    """An Attempt from one exported row (JSON values or CSV strings); ValueError naming the bad field."""
    missing = [k for k in ("exercise_id", "quantity_id", "answer_text", "status", "credit", "created_at", "uid")
               if k not in raw]
    if missing:
        raise ValueError("missing " + ", ".join(missing))

    def opt(v):
        return None if v is None or v == "" else v

    def as_int(name, v, default=None):
        v = opt(v)
        if v is None:
            return default
        if isinstance(v, bool):
            raise ValueError(f"{name} must be a whole number")
        try:
            f = float(v)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a whole number (got {v!r})") from None
        if not math.isfinite(f) or f != int(f):
            raise ValueError(f"{name} must be a whole number (got {v!r})")
        return int(v) if isinstance(v, int) else int(f)

    def as_bool(name, v):
        if isinstance(v, bool):
            return v
        if isinstance(v, str) and v.strip().lower() in ("true", "false", "1", "0"):
            return v.strip().lower() in ("true", "1")
        if v in (0, 1):
            return bool(v)
        raise ValueError(f"{name} must be true or false (got {v!r})")

    try:
        credit = float(raw["credit"])
    except (TypeError, ValueError):
        raise ValueError(f"credit must be a number (got {raw['credit']!r})") from None
    a = Attempt(
        learner=learner, exercise_id=str(raw["exercise_id"]), quantity_id=str(raw["quantity_id"]),
        answer_text=str(raw["answer_text"]), status=str(raw["status"]), credit=credit,
        variant_seed=as_int("variant_seed", raw.get("variant_seed")), diagnosis=opt(raw.get("diagnosis")),
        hints_used=as_int("hints_used", raw.get("hints_used"), 0),
        solution_revealed=as_bool("solution_revealed", raw.get("solution_revealed", False)),
        lesson=opt(raw.get("lesson")), created_at=str(raw["created_at"]), uid=str(raw["uid"]),
    )
    problems = attempt_problems(a)
    if problems:
        raise ValueError("; ".join(problems))
    if len(a.answer_text) > MAX_ANSWER:
        raise ValueError(f"answer_text is longer than {MAX_ANSWER} characters")
    return a


def parse_export(data: str | bytes, learner: str = "import") -> tuple[list[Attempt], dict[str, str]]:
    """(answers, lessons read) from an export in JSON or CSV; ValueError listing the first problems."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError("The file is not UTF-8 text; choose a .json or .csv file exported by this app.") from None
    data = data.lstrip("\ufeff")
    if not data.strip():
        raise ValueError("The file is empty.")
    if len(data) > 50_000_000:
        raise ValueError("The file is larger than 50 MB; this is not a progress export of this app.")
    reads: dict[str, str] = {}
    if data.lstrip().startswith("{"):
        try:
            doc = json.loads(data)
        except json.JSONDecodeError as exc:
            raise ValueError(f"The file is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                             f"{exc.msg}).") from None
        if not isinstance(doc, dict) or doc.get("format") != EXPORT_FORMAT:
            raise ValueError(f"This JSON is not a progress export of this app "
                             f"(expected \"format\": \"{EXPORT_FORMAT}\").")
        version = doc.get("schema_version")
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise ValueError(f"This export has schema_version {version!r}; this app reads up to {SCHEMA_VERSION}.")
        raws = doc.get("attempts")
        if not isinstance(raws, list):
            raise ValueError("The export has no list of attempts.")
        lr = doc.get("lessons_read", {})
        if not isinstance(lr, dict):
            raise ValueError("lessons_read must map lesson slugs to times.")
        for slug, when in lr.items():
            if not isinstance(slug, str) or not _SLUG.match(slug) or not isinstance(when, str):
                raise ValueError(f"lessons_read has an invalid entry {slug!r}: {when!r}.")
            reads[slug] = when
        first_row = 1
    else:
        reader = csv.DictReader(io.StringIO(data))
        header = reader.fieldnames or []
        missing = [k for k in ("exercise_id", "quantity_id", "answer_text", "status", "credit", "created_at", "uid")
                   if k not in header]
        if missing:
            raise ValueError("This CSV is not a progress export of this app: the header lacks "
                             + ", ".join(missing) + ".")
        raws = list(reader)
        first_row = 2  # CSV line numbers: the header is line 1
    items, problems = [], []
    for i, raw in enumerate(raws):
        if not isinstance(raw, dict):
            problems.append(f"row {i + first_row}: not a record")
            continue
        try:
            items.append(_coerce(raw, learner))
        except ValueError as exc:
            problems.append(f"row {i + first_row}: {exc}")
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise ValueError("Nothing was imported; the file has invalid rows: " + " | ".join(problems[:5]) + more)
    return items, reads
