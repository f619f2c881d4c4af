"""Quiz questions: content/quizzes/<lesson slug>.toml, loaded and validated.

A quiz file holds `lesson = "<slug>"` and a list of `[[questions]]`, each with an `id`, a `kind` (single,
multiple, numeric, mistake), a `prompt` and an `explanation` shown after the learner answers. Choice
questions have `choices` and `answer` (0-based index; a list of them for multiple); numeric ones have
`answer` (a number, or a nested list for a vector or matrix) and an optional `tolerance = {rel = ..., abs =
...}` (the exercise engine's Tolerance; both must lie strictly between 0 and 1, so a whole-number answer uses
a tiny one such as 1e-9); "spot the mistake" questions also quote the lecture (`quote`) and name the slip
(`slip`). Every problem is a ContentError naming the file and the question.
"""
from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from core.course.checking import DEFAULT_TOLERANCE, Tolerance
from core.course.templates import text_problems
from core.errors import ContentError
from core.paths import display_path as _display

KINDS = ("single", "multiple", "numeric", "mistake")
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_QUESTION_KEYS = {"id", "kind", "prompt", "explanation", "choices", "answer", "feedback", "quote", "slip",
                  "tolerance", "shuffle", "unit"}


def question_where(qid: str) -> str:
    """Where in a quiz file a problem is, for ContentError's `where`."""
    return f"question '{qid}'"


@dataclass(frozen=True)
class Question:
    """One quiz question; `answer` is an index, a tuple of indices, a number or a nested tuple of numbers."""

    id: str
    lesson: str
    kind: str
    prompt: str
    explanation: str
    choices: tuple[str, ...] = ()
    answer: object = None
    feedback: tuple[str, ...] = ()  # optional, one per choice: why that choice is right or wrong
    quote: str = ""  # "spot the mistake": the lecture's words
    slip: str = ""  # "spot the mistake": a short name of the slip
    tolerance: Tolerance | None = None  # numeric only; None means the engine's DEFAULT_TOLERANCE
    unit: str = ""
    shuffle: bool = True  # shuffle the choices when drawing (False for "all of the above" style lists)
    path: str = ""

    @property
    def correct(self) -> frozenset[int]:
        """The indices of the correct choices (empty for numeric questions)."""
        if self.kind in ("single", "mistake"):
            return frozenset([self.answer])
        if self.kind == "multiple":
            return frozenset(self.answer)
        return frozenset()


def _numbers(value) -> tuple | float | None:
    """A number or a rectangular nested list of numbers as floats/tuples; None if it is anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, list) and value:
        items = [_numbers(v) for v in value]
        if any(i is None for i in items):
            return None
        kinds = {type(i) for i in items}
        if len(kinds) != 1:
            return None
        if tuple in kinds and len({len(i) for i in items}) != 1:
            return None
        return tuple(items)
    return None


def _tolerance(tol: dict) -> Tolerance:
    """The engine's Tolerance from a question's table; a key left out keeps the engine's default."""
    return Tolerance(rel=tol.get("rel", DEFAULT_TOLERANCE.rel), abs=tol.get("abs", DEFAULT_TOLERANCE.abs))


def _question_problems(raw: dict, lesson: str) -> list[str]:
    """Everything wrong with one question table."""
    out = []
    unknown = set(raw) - _QUESTION_KEYS
    if unknown:
        out.append(f"unknown keys {sorted(unknown)} (allowed: {sorted(_QUESTION_KEYS)})")
    kind = raw.get("kind")
    if kind not in KINDS:
        out.append(f"kind must be one of {', '.join(KINDS)} (got {kind!r})")
    for key in ("prompt", "explanation"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            out.append(f"needs '{key}' as non-empty text")
        else:
            out += text_problems(raw[key], key)
    if kind in ("single", "multiple", "mistake"):
        out += _choice_problems(raw, kind)
    if kind == "numeric":
        out += _numeric_problems(raw)
    if kind == "mistake":
        if not isinstance(raw.get("quote"), str) or not raw["quote"].strip():
            out.append("a 'spot the mistake' question needs 'quote': the lecture's words")
        if not isinstance(raw.get("slip"), str) or not _SLUG.match(raw.get("slip") or ""):
            out.append("a 'spot the mistake' question needs 'slip': a short slug naming the slip")
    elif "quote" in raw or "slip" in raw:
        out.append("'quote' and 'slip' belong to kind = \"mistake\" only")
    for key in ("quote", "unit"):
        if key in raw and isinstance(raw[key], str):
            out += text_problems(raw[key], key)
    if "shuffle" in raw and not isinstance(raw["shuffle"], bool):
        out.append("'shuffle' must be true or false")
    return out


def _choice_problems(raw: dict, kind: str) -> list[str]:
    """The choices, the answer index (or indices) and the per-choice feedback of a choice question."""
    out = []
    choices, answer = raw.get("choices"), raw.get("answer")
    if (not isinstance(choices, list) or len(choices) < 2
            or not all(isinstance(c, str) and c.strip() for c in choices)):
        out.append("needs 'choices': a list of at least two non-empty texts")
        choices = None
    elif len(set(choices)) != len(choices):
        out.append("two choices have the same text")
    else:
        for i, c in enumerate(choices):
            out += text_problems(c, f"choice {i}")
    n = len(choices) if choices else 0
    if kind in ("single", "mistake"):
        if isinstance(answer, bool) or not isinstance(answer, int):
            out.append(f"'answer' must be the 0-based index of the correct choice (got {answer!r})")
        elif choices and not 0 <= answer < n:
            out.append(f"'answer' {answer} is out of range: there are {n} choices, numbered 0 to {n - 1}")
    elif (not isinstance(answer, list) or not answer
            or not all(isinstance(a, int) and not isinstance(a, bool) for a in answer)):
        out.append(f"'answer' must be a list of 0-based indices of the correct choices (got {answer!r})")
    elif len(set(answer)) != len(answer):
        out.append("'answer' lists a choice twice")
    elif choices and not all(0 <= a < n for a in answer):
        out.append(f"'answer' {answer} has an index out of range 0 to {n - 1}")
    feedback = raw.get("feedback")
    if feedback is not None and (not isinstance(feedback, list) or len(feedback) != n
                                 or not all(isinstance(f, str) for f in feedback)):
        out.append(f"'feedback' must be a list of {n} texts, one per choice")
    if raw.get("tolerance") is not None:
        out.append("'tolerance' only applies to numeric questions")
    return out


def _numeric_problems(raw: dict) -> list[str]:
    """The answer and the tolerance of a numeric question."""
    out = []
    if raw.get("choices") is not None:
        out.append("a numeric question has no 'choices'")
    answer = raw.get("answer")
    if _numbers(answer) is None:
        out.append(f"'answer' must be a finite number or a rectangular list of numbers (got {answer!r})")
    tol = raw.get("tolerance")
    if tol is not None:
        if not isinstance(tol, dict) or set(tol) - {"rel", "abs"} or not tol:
            out.append("'tolerance' must be a table with 'rel' and/or 'abs', e.g. {rel = 1e-3, abs = 1e-4}")
        else:
            try:
                _tolerance(tol)
            except (TypeError, ValueError) as exc:
                out.append(f"'tolerance' is not usable: {exc}")
    return out


def load_quiz(path: Path) -> list[Question]:
    """One quiz file, validated; ContentError naming the file, the question id and the first problem."""
    questions, problems = read_quiz(path)
    if problems:
        raise problems[0]
    return questions


def read_quiz(path: Path) -> tuple[list[Question], list[ContentError]]:
    """(valid questions, problems) for one quiz file."""
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return [], [ContentError(path, f"cannot be read as UTF-8 text: {exc}")]
    except tomllib.TOMLDecodeError as exc:
        return [], [ContentError(path, f"is not valid TOML: {exc}")]
    problems = []
    unknown = set(doc) - {"lesson", "questions"}
    if unknown:
        problems.append(ContentError(path, f"unknown top-level keys {sorted(unknown)} (allowed: lesson, questions)"))
    lesson = doc.get("lesson")
    if not isinstance(lesson, str) or not _SLUG.match(lesson):
        problems.append(ContentError(path, f"needs 'lesson = \"<lesson slug>\"' at the top (got {lesson!r})"))
        lesson = None
    elif lesson != path.stem:
        problems.append(ContentError(path, f"lesson {lesson!r} must match the file name ({path.stem}.toml)"))
        lesson = None  # its questions are still checked, but not shown under a lesson they may not belong to
    raws = doc.get("questions")
    if not isinstance(raws, list) or not raws:
        problems.append(ContentError(path, "has no questions: add [[questions]] tables"))
        return [], problems
    out, seen = [], set()
    for i, raw in enumerate(raws, start=1):
        if not isinstance(raw, dict):
            problems.append(ContentError(path, f"question {i} is not a table"))
            continue
        qid = raw.get("id")
        if not isinstance(qid, str) or not _SLUG.match(qid):
            problems.append(ContentError(path, f"question {i} needs an 'id' of lower-case words joined by '-' "
                                               f"(got {qid!r})"))
            continue
        if qid in seen:
            problems.append(ContentError(path, "the id is used twice in this file", question_where(qid)))
            continue
        seen.add(qid)
        found = _question_problems(raw, lesson or "")
        if found:
            problems += [ContentError(path, p, question_where(qid)) for p in found]
            continue
        if lesson is None:
            continue
        kind = raw["kind"]
        answer = raw["answer"]
        if kind == "multiple":
            answer = tuple(sorted(answer))
        elif kind == "numeric":
            answer = _numbers(answer)
        tol = raw.get("tolerance")
        out.append(Question(
            id=qid, lesson=lesson, kind=kind, prompt=raw["prompt"].strip(), explanation=raw["explanation"].strip(),
            choices=tuple(c.strip() for c in raw.get("choices", ())), answer=answer,
            feedback=tuple(raw.get("feedback") or ()), quote=raw.get("quote", "").strip(),
            slip=raw.get("slip", ""), tolerance=None if tol is None else _tolerance(tol),
            unit=raw.get("unit", ""), shuffle=raw.get("shuffle", True), path=_display(path),
        ))
    return out, problems


