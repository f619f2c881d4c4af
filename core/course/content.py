"""Course content: lessons (Markdown with TOML front matter) and quiz questions (TOML), loaded and validated.

A lesson is `content/lessons/<slug>.md`: a front matter block between `+++` lines (slug, title, order,
summary, practice page, practice label), then the lesson in Markdown with LaTeX between `$...$` or
`$$...$$`, which Streamlit's `st.markdown` renders.

A quiz is `content/quizzes/<lesson slug>.toml`: `lesson = "<slug>"` and a list of `[[questions]]`, each with
an `id`, a `kind` (single, multiple, numeric, mistake), a `prompt` and an `explanation` shown after the
learner answers. Choice questions have `choices` and `answer` (0-based index; a list of them for multiple);
numeric ones have `answer` (a number, or a nested list for a vector or matrix) and an optional
`tolerance = {rel = ..., abs = ...}` (the exercise engine's Tolerance; both must lie strictly between 0
and 1, so a whole-number answer uses a tiny one such as 1e-9); "spot the mistake" questions also quote
the lecture (`quote`) and name the slip (`slip`).

Every problem becomes a ContentError that names the file, the question id when there is one, and what is
wrong, so an author can fix it without reading this module. `load_content` collects all of them and keeps
whatever is valid (the app shows the problems and goes on); `check_content` returns just the problems
(`python -m core content check`).
"""
from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from core import app_pages
from core.course.checking import DEFAULT_TOLERANCE, Tolerance
from core.errors import ContentError
from core.paths import APP_FILE, CONTENT_DIR, ROOT
from core.paths import display_path as _display

# Other screens link to these lessons by slug (e.g. a diagnosed mistake points to its lesson).
REQUIRED_LESSONS = ("forward-equations", "one-hot", "tanh", "softmax", "cross-entropy", "bptt",
                    "vanishing-gradients")
KINDS = ("single", "multiple", "numeric", "mistake")
MIN_QUESTIONS_PER_LESSON = 3

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_LESSON_KEYS = {"slug", "title", "order", "summary", "practice", "practice_label"}
_QUESTION_KEYS = {"id", "kind", "prompt", "explanation", "choices", "answer", "feedback", "quote", "slip",
                  "tolerance", "shuffle", "unit"}


def _question(qid: str) -> str:
    """Where in a quiz file a problem is, for ContentError's `where`."""
    return f"question '{qid}'"


@dataclass(frozen=True)
class Lesson:
    """One lesson: its slug, title, place in the course, summary, practice page and Markdown body."""

    slug: str
    title: str
    order: int
    summary: str
    practice: str  # a registered page file, e.g. "pages/forward_explorer.py"
    practice_label: str
    body: str
    path: str


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


@dataclass(frozen=True)
class Content:
    """Everything valid that was loaded, and every problem found on the way."""

    lessons: tuple[Lesson, ...]
    questions: tuple[Question, ...]
    problems: tuple[ContentError, ...]

    def lesson(self, slug: str) -> Lesson | None:
        """The lesson with this slug, or None."""
        return next((x for x in self.lessons if x.slug == slug), None)

    def quiz(self, slug: str) -> list[Question]:
        """The questions of one lesson's quiz, in file order."""
        return [q for q in self.questions if q.lesson == slug]


def registered_pages(app_file: Path = APP_FILE) -> set[str]:
    """The page files named in st.Page(...) calls of the entry file (core.app_pages reads it, never runs it)."""
    return set(app_pages.registered_pages(app_file))


def _text_problems(value: str, name: str) -> list[str]:
    """Problems of a text field: control characters from TOML escapes, unbalanced dollar signs."""
    out = []
    bad = sorted({repr(c) for c in value if c in "\t\b\f\r\v"})
    if bad:
        out.append(f"{name} contains control characters {', '.join(bad)}: a LaTeX command like \\tanh, \\frac or "
                   f"\\begin was read as a TOML escape; write LaTeX inside single-quoted strings '...' or '''...'''")
    if len(re.findall(r"(?<!\\)\$", value)) % 2:
        out.append(f"{name} has an odd number of $ signs: a formula is not closed")
    return out


def parse_front_matter(text: str, file: Path | str) -> tuple[dict, str]:
    """(front matter as a dict, Markdown body) of a lesson file; ContentError if the block is missing or bad."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "+++":
        raise ContentError(file, "the file must start with a front matter block: a line '+++', TOML keys, '+++'")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "+++")
    except StopIteration:
        raise ContentError(file, "the front matter block is not closed by a second '+++' line") from None
    try:
        meta = tomllib.loads("\n".join(lines[1:end]))
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(file, f"front matter is not valid TOML: {exc}") from None
    return meta, "\n".join(lines[end + 1:]).strip() + "\n"


def _lesson_problems(meta: dict, body: str, file: Path, pages: set[str]) -> list[str]:
    """Everything wrong with a lesson's front matter and body."""
    out = []
    unknown = set(meta) - _LESSON_KEYS
    if unknown:
        out.append(f"unknown front matter keys {sorted(unknown)} (allowed: {sorted(_LESSON_KEYS)})")
    for key in ("slug", "title", "summary", "practice", "practice_label"):
        if not isinstance(meta.get(key), str) or not meta[key].strip():
            out.append(f"front matter needs '{key}' as non-empty text")
    slug = meta.get("slug")
    if isinstance(slug, str) and slug:
        if not _SLUG.match(slug):
            out.append(f"slug {slug!r} must be lower-case words joined by '-'")
        elif slug != file.stem:
            out.append(f"slug {slug!r} must match the file name ({file.stem}.md)")
    order = meta.get("order")
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        out.append(f"'order' must be a positive whole number (got {order!r})")
    practice = meta.get("practice")
    if isinstance(practice, str) and practice:
        if not (ROOT / practice).is_file():
            out.append(f"practice page {practice!r} does not exist")
        elif practice not in pages:
            out.append(f"practice page {practice!r} is not registered in streamlit_app.py")
    for key in ("title", "summary"):
        if isinstance(meta.get(key), str):
            out += _text_problems(meta[key], key)
    if len(body.strip()) < 200:
        out.append("the lesson body is missing or shorter than 200 characters")
    out += _text_problems(body, "the lesson body")
    return out


def load_lesson(path: Path, pages: set[str] | None = None) -> Lesson:
    """One lesson file, validated; ContentError naming the file and the first problem."""
    lesson, problems = _read_lesson(path, registered_pages() if pages is None else pages)
    if problems:
        raise problems[0]
    return lesson


def _read_lesson(path: Path, pages: set[str]) -> tuple[Lesson | None, list[ContentError]]:
    """(lesson or None, problems) for one lesson file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [ContentError(path, f"cannot be read as UTF-8 text: {exc}")]
    try:
        meta, body = parse_front_matter(text, path)
    except ContentError as exc:
        return None, [exc]
    problems = [ContentError(path, p) for p in _lesson_problems(meta, body, path, pages)]
    if problems:
        return None, problems
    return Lesson(slug=meta["slug"], title=meta["title"].strip(), order=meta["order"],
                  summary=meta["summary"].strip(), practice=meta["practice"],
                  practice_label=meta["practice_label"].strip(), body=body, path=_display(path)), []


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
            out += _text_problems(raw[key], key)
    choices = raw.get("choices")
    answer = raw.get("answer")
    if kind in ("single", "multiple", "mistake"):
        if (not isinstance(choices, list) or len(choices) < 2
                or not all(isinstance(c, str) and c.strip() for c in choices)):
            out.append("needs 'choices': a list of at least two non-empty texts")
            choices = None
        elif len(set(choices)) != len(choices):
            out.append("two choices have the same text")
        else:
            for i, c in enumerate(choices):
                out += _text_problems(c, f"choice {i}")
        n = len(choices) if choices else 0
        if kind in ("single", "mistake"):
            if isinstance(answer, bool) or not isinstance(answer, int):
                out.append(f"'answer' must be the 0-based index of the correct choice (got {answer!r})")
            elif choices and not 0 <= answer < n:
                out.append(f"'answer' {answer} is out of range: there are {n} choices, numbered 0 to {n - 1}")
        else:
            if (not isinstance(answer, list) or not answer
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
    if kind == "numeric":
        if choices is not None:
            out.append("a numeric question has no 'choices'")
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
    if kind == "mistake":
        if not isinstance(raw.get("quote"), str) or not raw["quote"].strip():
            out.append("a 'spot the mistake' question needs 'quote': the lecture's words")
        if not isinstance(raw.get("slip"), str) or not _SLUG.match(raw.get("slip") or ""):
            out.append("a 'spot the mistake' question needs 'slip': a short slug naming the slip")
    elif "quote" in raw or "slip" in raw:
        out.append("'quote' and 'slip' belong to kind = \"mistake\" only")
    for key in ("quote", "unit"):
        if key in raw and isinstance(raw[key], str):
            out += _text_problems(raw[key], key)
    if "shuffle" in raw and not isinstance(raw["shuffle"], bool):
        out.append("'shuffle' must be true or false")
    return out


def load_quiz(path: Path) -> list[Question]:
    """One quiz file, validated; ContentError naming the file, the question id and the first problem."""
    questions, problems = _read_quiz(path)
    if problems:
        raise problems[0]
    return questions


def _read_quiz(path: Path) -> tuple[list[Question], list[ContentError]]:
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
            problems.append(ContentError(path, "the id is used twice in this file", _question(qid)))
            continue
        seen.add(qid)
        found = _question_problems(raw, lesson or "")
        if found:
            problems += [ContentError(path, p, _question(qid)) for p in found]
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


def load_content(root: Path = CONTENT_DIR, app_file: Path = APP_FILE) -> Content:
    """All lessons and quizzes under `root`: every valid one, and every problem (never raises for content)."""
    pages = registered_pages(app_file)
    lessons, questions, problems = [], [], []
    lesson_dir, quiz_dir = Path(root) / "lessons", Path(root) / "quizzes"
    for path in sorted(lesson_dir.glob("*.md")):
        lesson, found = _read_lesson(path, pages)
        problems += found
        if lesson is not None:
            lessons.append(lesson)
    for path in sorted(quiz_dir.glob("*.toml")):
        found_q, found = _read_quiz(path)
        questions += found_q
        problems += found
    problems += _cross_problems(lessons, questions, lesson_dir, quiz_dir)
    lessons.sort(key=lambda x: (x.order, x.slug))
    return Content(tuple(lessons), tuple(questions), tuple(problems))


def _cross_problems(lessons, questions, lesson_dir: Path, quiz_dir: Path) -> list[ContentError]:
    """Problems between files: duplicate orders and ids, missing required lessons, quizzes without lessons."""
    out = []
    orders: dict[int, str] = {}
    for x in lessons:
        if x.order in orders:
            out.append(ContentError(x.path, f"order {x.order} is also used by lesson '{orders[x.order]}'"))
        orders.setdefault(x.order, x.slug)
    slugs = {x.slug for x in lessons}
    for slug in REQUIRED_LESSONS:
        if slug not in slugs and not (lesson_dir / f"{slug}.md").exists():
            out.append(ContentError(lesson_dir / f"{slug}.md", "is missing: other screens link to this lesson"))
    owner: dict[str, str] = {}
    for q in questions:
        if q.id in owner and owner[q.id] != q.path:
            out.append(ContentError(q.path, f"the id is also used in {owner[q.id]}", _question(q.id)))
        owner.setdefault(q.id, q.path)
        if q.lesson not in slugs and not (lesson_dir / f"{q.lesson}.md").exists():
            out.append(ContentError(q.path, f"lesson '{q.lesson}' does not exist in {_display(lesson_dir)}"))
    counts: dict[str, int] = {}
    for q in questions:
        counts[q.lesson] = counts.get(q.lesson, 0) + 1
    for x in lessons:
        if counts.get(x.slug, 0) < MIN_QUESTIONS_PER_LESSON and not _quiz_has_problems(quiz_dir / f"{x.slug}.toml"):
            out.append(ContentError(quiz_dir / f"{x.slug}.toml", f"lesson '{x.slug}' needs a quiz of at least "
                                    f"{MIN_QUESTIONS_PER_LESSON} questions (has {counts.get(x.slug, 0)})"))
    return out


def _quiz_has_problems(path: Path) -> bool:
    """True when a quiz file exists but is itself broken (its own problems are reported already)."""
    return path.exists() and bool(_read_quiz(path)[1])


def check_content(root: Path = CONTENT_DIR, app_file: Path = APP_FILE) -> list[ContentError]:
    """Every problem in the content under `root` (an empty list means all is well)."""
    return list(load_content(root, app_file).problems)
