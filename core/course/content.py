"""Course content: lessons (Markdown with TOML front matter) and quiz questions (TOML), loaded and validated.

A lesson is `content/lessons/<slug>.md`: a front matter block between `+++` lines (slug, title, order,
summary, practice page, practice label), then the lesson in Markdown with LaTeX between `$...$` or
`$$...$$`, which Streamlit's `st.markdown` renders.

A quiz is `content/quizzes/<lesson slug>.toml`, read by core.course.questions.

Every problem becomes a ContentError that names the file, the question id when there is one, and what is
wrong, so an author can fix it without reading this module. `load_content` collects all of them and keeps
whatever is valid (the app shows the problems and goes on); `check_content` returns just the problems
(`python -m core content check`).
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from core import app_pages
from core.course.questions import Question, question_where, read_quiz
from core.course.templates import text_problems
from core.errors import ContentError
from core.paths import APP_FILE, CONTENT_DIR, ROOT
from core.paths import display_path as _display

# Other screens link to these lessons by slug (e.g. a diagnosed mistake points to its lesson).
REQUIRED_LESSONS = ("forward-equations", "one-hot", "tanh", "softmax", "cross-entropy", "bptt",
                    "vanishing-gradients")
MIN_QUESTIONS_PER_LESSON = 3

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_LESSON_KEYS = {"slug", "title", "order", "summary", "practice", "practice_label"}


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
            out += text_problems(meta[key], key)
    if len(body.strip()) < 200:
        out.append("the lesson body is missing or shorter than 200 characters")
    out += text_problems(body, "the lesson body")
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
        found_q, found = read_quiz(path)
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
            out.append(ContentError(q.path, f"the id is also used in {owner[q.id]}", question_where(q.id)))
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
    return path.exists() and bool(read_quiz(path)[1])


def check_content(root: Path = CONTENT_DIR, app_file: Path = APP_FILE) -> list[ContentError]:
    """Every problem in the content under `root` (an empty list means all is well)."""
    return list(load_content(root, app_file).problems)
