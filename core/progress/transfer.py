"""Export and import of a learner's progress (JSON or CSV), validated before anything is stored.

An import cannot hurt: a file is read within fixed limits (MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, no JSON
number longer than MAX_DIGITS digits, nesting refused past what an export holds) and every row is checked
field by field (known exercises and lessons when the caller passes them, times between FIRST_DAY and now,
credit that agrees with the status). Any problem raises ImportRefused with a one-line reason and nothing is
stored (all or nothing). A JSON export names its learner; a file of someone else's progress is refused.
Imported answers and review ratings are marked source="import".
"""
from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from core.progress.attempt import (
    _ID,
    _SLUG,
    EXPORT_FIELDS,
    MAX_ANSWER,
    Attempt,
    attempt_problems,
    now_iso,
)
from core.progress.cards import Fade, Review, fade_problems, review_problems
from core.progress.identity import GUEST_NAME, Learner, as_learner
from core.progress.schema import SCHEMA_VERSION

EXPORT_FORMAT = "rnn-tutor-progress"
MAX_IMPORT_BYTES = 10_000_000  # an export of MAX_IMPORT_ROWS answers is about 6 MB
MAX_IMPORT_ROWS = 20_000
MAX_DIGITS = 20  # a whole number in an export has at most 19 digits (a 64-bit seed); more is not ours
FIRST_DAY = datetime(2024, 1, 1, tzinfo=UTC)  # no answer of this app is older
STATUSES = ("correct", "partial", "close", "ecf", "mistake", "wrong", "revealed")  # saved ones (no blank/invalid)
_QUANTITY = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]{0,60}(\[\d{1,3}\])?$")
_REQUIRED = ("exercise_id", "quantity_id", "answer_text", "status", "credit", "created_at", "uid")


class ImportRefused(ValueError):
    """The file was not imported; the message says why in one line a learner can act on."""


@dataclass(frozen=True)
class ImportResult:
    """What an import did: answers added, answers already present (skipped), lessons marked read."""

    added: int
    skipped: int
    lessons_marked: int
    fades_added: int = 0  # exercises' places in the worked examples taken from the file (where there were none)


@dataclass(frozen=True)
class Known:
    """The ids an import may name: the app's exercises and lessons (quizzes are "quiz:<lesson slug>")."""

    exercises: frozenset[str] = field(default_factory=frozenset)
    lessons: frozenset[str] = field(default_factory=frozenset)
    skills: frozenset[str] | None = None  # None: any well-formed skill id

    def exercise_ok(self, exercise_id: str) -> bool:
        if exercise_id.startswith("quiz:"):
            return exercise_id[5:] in self.lessons
        return exercise_id in self.exercises


def export_json_text(learner: Learner | str, attempts: Iterable[Attempt], lessons_read: dict[str, str],
                     reviews: Iterable[Review] = (), fades: dict[str, Fade] | None = None) -> str:
    """The JSON export of a learner's answers, lessons read, review ratings and places in the worked examples
    (what Store.export_json writes)."""
    who = as_learner(learner)
    doc = {
        "format": EXPORT_FORMAT,
        "schema_version": SCHEMA_VERSION,
        "learner": who.display,
        "learner_kind": who.kind,
        "exported_at": now_iso(),
        "attempts": [{k: getattr(a, k) for k in EXPORT_FIELDS} for a in attempts],
        "lessons_read": dict(lessons_read),
        "reviews": [{"skill_id": r.skill_id, "rating": r.rating, "reviewed_at": r.reviewed_at, "uid": r.uid}
                    for r in reviews],
        "fades": [{"exercise_id": e, "stage": f.stage, "seed": f.seed, "hidden": f.hidden}
                  for e, f in (fades or {}).items()],
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
        for k in ("variant_seed", "diagnosis", "lesson", "first_wrong"):
            row[k] = "" if row[k] is None else row[k]
        w.writerow(row)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------- reading


def _small_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise ImportRefused(f"The file holds a number with {len(text.lstrip('-')):,} digits; an export of this "
                            f"app never has more than {MAX_DIGITS}.")
    return int(text)


def _no_constant(name: str):
    raise ImportRefused(f"The file holds {name}, which is not a number an export of this app writes.")


def _decode(data: str | bytes) -> str:
    size = len(data.encode("utf-8", "replace") if isinstance(data, str) else data)
    if size > MAX_IMPORT_BYTES:
        raise ImportRefused(f"The file is {size / 1e6:.1f} MB; an import takes at most {MAX_IMPORT_BYTES / 1e6:g} MB "
                            f"({MAX_IMPORT_ROWS:,} answers). Export a smaller part, or ask for help.")
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportRefused("The file is not UTF-8 text; choose a .json or .csv file exported by this "
                                "app.") from None
    data = data.lstrip("\ufeff")
    if not data.strip():
        raise ImportRefused("The file is empty.")
    return data


def _json_doc(data: str) -> dict:
    try:
        doc = json.loads(data, parse_int=_small_int, parse_constant=_no_constant)
    except ImportRefused:
        raise
    except RecursionError:
        raise ImportRefused("The file is nested far deeper than an export of this app: it is not one.") from None
    except json.JSONDecodeError as exc:
        raise ImportRefused(f"The file is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).") from None
    except ValueError as exc:  # Python's own limits, e.g. on very long numbers: not for a learner's eyes
        raise ImportRefused("The file holds values no export of this app writes.") from exc
    if not isinstance(doc, dict) or doc.get("format") != EXPORT_FORMAT:
        raise ImportRefused(f"This JSON is not a progress export of this app (expected \"format\": "
                            f"\"{EXPORT_FORMAT}\").")
    version = doc.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= SCHEMA_VERSION:
        shown = version if isinstance(version, int) and abs(version) < 10**6 else "that"
        raise ImportRefused(f"This export has schema version {shown}; this app reads versions 1 to {SCHEMA_VERSION}.")
    return doc


def _check_owner(doc: dict, learner: Learner) -> None:
    """A JSON export names its learner: refuse another learner's progress (a guest's file fits anyone)."""
    owner = doc.get("learner")
    if owner is None:
        return
    if not isinstance(owner, str) or len(owner) > 300:
        raise ImportRefused("The file's learner field is not a name.")
    if owner.casefold() in (learner.display.casefold(), GUEST_NAME.casefold()):
        return
    shown = "".join(ch for ch in owner if ch.isprintable())[:60]
    hint = ("" if learner.kind == "account" else
            " To bring it in, continue as that learner on Home (a profile is made if there is none), then import.")
    raise ImportRefused(f"This file holds the progress of “{shown}”, not yours ({learner.display}).{hint}")


def _check_time(name: str, value: str, now: datetime) -> str | None:
    try:
        stamp = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return f"{name} must be an ISO 8601 time"
    if stamp.tzinfo is None:
        return f"{name} needs a time zone, e.g. +00:00"
    if not FIRST_DAY <= stamp <= now + timedelta(days=1):
        return f"{name} {value[:32]!r} is not a time this app could have saved an answer at"
    return None


def _as_int(name: str, v, default=None):
    if v is None or v == "":
        return default
    if isinstance(v, bool):
        raise ValueError(f"{name} must be a whole number")
    if isinstance(v, str):
        t = v.strip()
        if len(t.lstrip("-")) > MAX_DIGITS or not re.fullmatch(r"-?\d+(\.0*)?", t):
            raise ValueError(f"{name} must be a whole number (got {v[:30]!r})")
        return int(t.split(".")[0])
    if isinstance(v, float) and (not math.isfinite(v) or v != int(v)):
        raise ValueError(f"{name} must be a whole number (got {v!r})")
    if not isinstance(v, int | float):
        raise ValueError(f"{name} must be a whole number")
    return int(v)


def _as_bool(name: str, v) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v.strip().lower() in ("true", "false", "1", "0"):
        return v.strip().lower() in ("true", "1")
    if v in (0, 1):
        return bool(v)
    raise ValueError(f"{name} must be true or false (got {str(v)[:20]!r})")


def _text(name: str, v, limit: int) -> str:
    if not isinstance(v, str | int | float) or isinstance(v, bool):
        raise ValueError(f"{name} must be text")
    v = str(v)
    if len(v) > limit:
        raise ValueError(f"{name} is longer than {limit} characters")
    return v


def _coerce(raw: dict, learner: Learner, known: Known | None, now: datetime) -> Attempt:
    """An Attempt from one exported row (JSON values or CSV strings); ValueError naming the bad field."""
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise ValueError("missing " + ", ".join(missing))
    exercise_id = _text("exercise_id", raw["exercise_id"], 80)
    quantity_id = _text("quantity_id", raw["quantity_id"], 80)
    if not _ID.match(exercise_id) or (known is not None and not known.exercise_ok(exercise_id)):
        raise ValueError(f"exercise_id {exercise_id[:40]!r} is not an exercise or quiz of this app")
    if not _QUANTITY.match(quantity_id):
        raise ValueError(f"quantity_id {quantity_id[:40]!r} is not a value of an exercise")
    status = _text("status", raw["status"], 32)
    if status not in STATUSES:
        raise ValueError(f"status {status[:20]!r} is not a verdict of this app")
    try:
        credit = float(raw["credit"]) if not isinstance(raw["credit"], bool) else math.nan
    except (TypeError, ValueError):
        credit = math.nan
    revealed = _as_bool("solution_revealed", raw.get("solution_revealed", False))
    if not (math.isfinite(credit) and 0.0 <= credit <= 1.0):
        raise ValueError("credit must be a number from 0 to 1")
    if (status == "correct" and credit != 1.0) or (status == "revealed") != revealed or (revealed and credit != 0.0):
        raise ValueError(f"credit {credit:g} and solution_revealed {revealed} do not go with the status {status!r}")
    lesson = raw.get("lesson") or None
    if lesson is not None:
        lesson = _text("lesson", lesson, 80)
        if not _SLUG.match(lesson) or (known is not None and lesson not in known.lessons):
            raise ValueError(f"lesson {lesson[:40]!r} is not a lesson of this app")
    created_at = _text("created_at", raw["created_at"], 40)
    problem = _check_time("created_at", created_at, now)
    if problem:
        raise ValueError(problem)
    seed = _as_int("variant_seed", raw.get("variant_seed"))
    if seed is not None and not 0 <= seed < 2**63:
        raise ValueError("variant_seed must be a whole number from 0 to 2^63 - 1")
    a = Attempt(
        learner=learner, exercise_id=exercise_id, quantity_id=quantity_id,
        answer_text=_text("answer_text", raw["answer_text"], MAX_ANSWER), status=status, credit=credit,
        variant_seed=seed, diagnosis=(_text("diagnosis", raw["diagnosis"], 120) if raw.get("diagnosis") else None),
        hints_used=_as_int("hints_used", raw.get("hints_used"), 0), solution_revealed=revealed, lesson=lesson,
        created_at=created_at, uid=_text("uid", raw["uid"], 32),
        first_wrong=(_text("first_wrong", raw["first_wrong"], 80) if raw.get("first_wrong") else None),
        source="import",
    )
    problems = attempt_problems(a)
    if problems:
        raise ValueError("; ".join(problems))
    return a


def _lessons_read(doc: dict, known: Known | None, now: datetime) -> dict[str, str]:
    lr = doc.get("lessons_read", {})
    if not isinstance(lr, dict) or len(lr) > 1000:
        raise ImportRefused("lessons_read must map lesson slugs to times.")
    out = {}
    for slug, when in lr.items():
        if (not isinstance(slug, str) or not _SLUG.match(slug) or not isinstance(when, str)
                or (known is not None and slug not in known.lessons) or _check_time("read_at", when, now)):
            shown = str(slug)[:40]
            raise ImportRefused(f"lessons_read names {shown!r}, which is not a lesson of this app read at a "
                                "valid time.")
        out[slug] = when
    return out


def _reviews(doc: dict, known: Known | None, now: datetime) -> list[Review]:
    raws = doc.get("reviews", [])
    if not isinstance(raws, list) or len(raws) > MAX_IMPORT_ROWS:
        raise ImportRefused(f"reviews must be a list of at most {MAX_IMPORT_ROWS:,} ratings.")
    out = []
    for i, raw in enumerate(raws):
        r = Review(raw.get("skill_id"), raw.get("rating"), raw.get("reviewed_at"), raw.get("uid"), "import") \
            if isinstance(raw, dict) else None
        problems = ["not a record"] if r is None else review_problems(r)
        if not problems and known is not None and known.skills is not None and r.skill_id not in known.skills:
            problems = [f"skill {r.skill_id!r} is not a skill of this app"]
        if not problems and _check_time("reviewed_at", r.reviewed_at, now):
            problems = [_check_time("reviewed_at", r.reviewed_at, now)]
        if problems:
            raise ImportRefused(f"Nothing was imported; review {i + 1} of the file: {'; '.join(problems)[:200]}.")
        out.append(r)
    return out


MAX_FADES = 200  # places in the worked examples: one per exercise


def _fades(doc: dict, known: Known | None) -> dict[str, Fade]:
    raws = doc.get("fades", [])  # exports before the worked examples have none
    if not isinstance(raws, list) or len(raws) > MAX_FADES:
        raise ImportRefused(f"fades must be a list of at most {MAX_FADES} places in the worked examples.")
    out: dict[str, Fade] = {}
    for i, raw in enumerate(raws):
        if not isinstance(raw, dict):
            problems = ["not a record"]
        else:
            ex = raw.get("exercise_id")
            fade = Fade(raw.get("stage"), raw.get("seed"), raw.get("hidden"))
            problems = fade_problems(fade)
            if not isinstance(ex, str) or not _ID.match(ex) or ex.startswith("quiz:") or (
                    known is not None and not known.exercise_ok(ex)):
                problems.insert(0, f"exercise {str(ex)[:40]!r} is not an exercise of this app")
        if problems:
            raise ImportRefused(f"Nothing was imported; worked-examples place {i + 1} of the file: "
                                f"{'; '.join(problems)[:200]}.")
        out[ex] = fade
    return out


@dataclass(frozen=True)
class Parsed:
    """What an export holds: answers, lessons read, review ratings, places in the worked examples."""

    attempts: list[Attempt]
    lessons_read: dict[str, str]
    reviews: list[Review]
    fades: dict[str, Fade]


def parse_export(data: str | bytes, learner: Learner | str = "import", known: Known | None = None,
                 now: datetime | None = None) -> tuple[list[Attempt], dict[str, str]]:
    """(answers, lessons read) from an export in JSON or CSV, for `learner`; ImportRefused with a reason."""
    got = read_export(data, learner, known, now)
    return got.attempts, got.lessons_read


def read_export(data: str | bytes, learner: Learner | str = "import", known: Known | None = None,
                now: datetime | None = None) -> Parsed:
    """Everything in an export, checked; a CSV export holds answers only. ImportRefused with a reason."""
    who = as_learner(learner)
    now = now or datetime.now(UTC)
    text = _decode(data)
    reads: dict[str, str] = {}
    ratings: list[Review] = []
    places: dict[str, Fade] = {}
    start = text.lstrip()[:1]
    if start == "[":
        raise ImportRefused("This JSON is not a progress export of this app (it is a list, not an export).")
    if start == "{":
        doc = _json_doc(text)
        _check_owner(doc, who)
        raws = doc.get("attempts")
        if not isinstance(raws, list):
            raise ImportRefused("The export has no list of attempts.")
        reads = _lessons_read(doc, known, now)
        ratings = _reviews(doc, known, now)
        places = _fades(doc, known)
        first_row = 1
    else:
        reader = csv.DictReader(io.StringIO(text))
        header = reader.fieldnames or []
        missing = [k for k in _REQUIRED if k not in header]
        if missing:
            raise ImportRefused("This CSV is not a progress export of this app: the header lacks "
                                + ", ".join(missing) + ".")
        raws = []
        try:
            for row in reader:
                raws.append(row)
                if len(raws) > MAX_IMPORT_ROWS:
                    break
        except csv.Error as exc:
            raise ImportRefused(f"This CSV cannot be read (line {reader.line_num}: {exc}).") from None
        first_row = 2  # CSV line numbers: the header is line 1
    if len(raws) > MAX_IMPORT_ROWS:
        raise ImportRefused(f"The file has more than {MAX_IMPORT_ROWS:,} answers; an import takes at most that many.")
    items, problems = [], []
    for i, raw in enumerate(raws):
        try:
            if not isinstance(raw, dict):
                raise ValueError("not a record")
            items.append(_coerce(raw, who, known, now))
        except ValueError as exc:
            problems.append(f"row {i + first_row}: {exc}")
            if len(problems) > 5:
                break
    if problems:
        more = " (and more)" if len(problems) > 5 else ""
        raise ImportRefused("Nothing was imported; the file has invalid rows: " + " | ".join(problems[:5]) + more)
    return Parsed(items, reads, ratings, places)  # a file may repeat an answer or a review: the store keeps one
