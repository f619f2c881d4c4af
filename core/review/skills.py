"""Skills: the kinds of value a learner computes, read from content/skills.toml (the file says its format).

A skill names the values that practise it, as "<exercise id>:<quantity template>" ("forward_hello:z[t]" is
every step's pre-activation, "forward_hello:loss" the single total loss). `Skills.of(exercise_id, qid)` maps
a checked value ("z[2]") to its skill, and `skill_problems` checks the file against the exercises: every
value of every exercise in exactly one skill, every skill's values and lesson real.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from core.errors import ContentError
from core.paths import CONTENT_DIR

SKILLS_FILE = CONTENT_DIR / "skills.toml"
DEFAULT_EASY_S = 60.0
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_VALUE = re.compile(r"^([a-z0-9_]+):([A-Za-z0-9_]+(?:\[[a-z]\])?)$")
_INDEX = re.compile(r"\[(\d+)\]$")
_KEYS = {"id", "name", "title", "lesson", "values", "easy_s"}


def template_of(qid: str, step_var: str | None) -> str:
    """The quantity template a concrete id comes from: "z[2]" with step variable t -> "z[t]"."""
    return _INDEX.sub(f"[{step_var}]", qid) if step_var else qid


@dataclass(frozen=True)
class Skill:
    id: str
    name: str  # plain text, short: tables and charts
    title: str  # Markdown (may hold $...$)
    lesson: str
    values: tuple[tuple[str, str], ...]  # (exercise id, quantity template)
    easy_s: float = DEFAULT_EASY_S


@dataclass(frozen=True)
class Skills:
    skills: tuple[Skill, ...]

    def __iter__(self):
        return iter(self.skills)

    def __len__(self) -> int:
        return len(self.skills)

    def get(self, skill_id: str) -> Skill | None:
        return next((s for s in self.skills if s.id == skill_id), None)

    def of(self, exercise_id: str, template: str) -> Skill | None:
        """The skill a value belongs to (by its exercise and quantity template), or None."""
        return self._index().get((exercise_id, template))

    def of_id(self, exercise_id: str, qid: str) -> Skill | None:
        """The skill of a concrete value ("z[2]", "loss", "dh3_dh[1]"): its template with any step variable."""
        return self._index().get((exercise_id, _INDEX.sub("[]", qid)))

    def _index(self) -> dict[tuple[str, str], Skill]:
        cached = self.__dict__.get("_by_value")
        if cached is None:
            cached = {v: s for s in self.skills for v in s.values}
            cached |= {(e, re.sub(r"\[[a-z]\]$", "[]", t)): s for (e, t), s in list(cached.items())}
            object.__setattr__(self, "_by_value", cached)
        return cached


def parse_skills(path: Path | str = SKILLS_FILE) -> Skills:
    """The skills file, validated in itself (ids, titles, value syntax); ContentError naming the skill."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(path, f"cannot read the file ({exc.__class__.__name__})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(path, f"not valid TOML: {exc}") from None
    entries = raw.get("skill")
    if set(raw) - {"skill"} or not isinstance(entries, list) or not entries:
        raise ContentError(path, "the file must hold [[skill]] tables and nothing else")
    out, seen_ids, seen_values = [], set(), {}
    for i, entry in enumerate(entries):
        where = f"skill[{i + 1}]"
        if not isinstance(entry, dict):
            raise ContentError(path, "must be a table", where)
        if isinstance(entry.get("id"), str):
            where += f' "{entry["id"]}"'
        unknown = set(entry) - _KEYS
        if unknown:
            raise ContentError(path, f"unknown keys {sorted(unknown)} (allowed: {sorted(_KEYS)})", where)
        sid, name, title, lesson, values = (entry.get(k) for k in ("id", "name", "title", "lesson", "values"))
        if not isinstance(sid, str) or not _SLUG.match(sid):
            raise ContentError(path, "id must be a slug like 'pre-activation'", where)
        if sid in seen_ids:
            raise ContentError(path, "this id is used twice", where)
        for key, value in (("name", name), ("title", title), ("lesson", lesson)):
            if not isinstance(value, str) or not value.strip():
                raise ContentError(path, f"{key} must be a non-empty string", where)
        if "$" in name or len(name) > 40:
            raise ContentError(path, "name must be plain text (no $...$) of at most 40 characters", where)
        if not isinstance(values, list) or not values:
            raise ContentError(path, 'values must be a list like ["forward_hello:z[t]"]', where)
        parsed = []
        for v in values:
            m = _VALUE.match(v) if isinstance(v, str) else None
            if not m:
                raise ContentError(path, f'{v!r} is not "<exercise id>:<quantity>" like "forward_hello:z[t]"', where)
            if m.groups() in seen_values:
                raise ContentError(path, f"{v} is already a value of skill {seen_values[m.groups()]!r}", where)
            seen_values[m.groups()] = sid
            parsed.append(m.groups())
        easy = entry.get("easy_s", DEFAULT_EASY_S)
        if isinstance(easy, bool) or not isinstance(easy, int | float) or not 1 <= easy <= 3600:
            raise ContentError(path, "easy_s must be a number of seconds from 1 to 3600", where)
        seen_ids.add(sid)
        out.append(Skill(sid, name.strip(), title.strip(), lesson, tuple(parsed), float(easy)))
    return Skills(tuple(out))


def skill_problems(skills: Skills, values: dict[str, set[str]], lessons: set[str],
                   path: Path | str = SKILLS_FILE) -> list[ContentError]:
    """Problems of the skills against the course: `values` maps each exercise id to its quantity templates."""
    problems = []
    for s in skills:
        if s.lesson not in lessons:
            problems.append(ContentError(path, f"lesson {s.lesson!r} does not exist", f'skill "{s.id}"'))
        for exercise, template in s.values:
            if exercise not in values:
                problems.append(ContentError(path, f"there is no exercise {exercise!r}", f'skill "{s.id}"'))
            elif template not in values[exercise]:
                problems.append(ContentError(path, f"exercise {exercise!r} has no value {template!r} (it has "
                                             f"{', '.join(sorted(values[exercise]))})", f'skill "{s.id}"'))
    for exercise, templates in sorted(values.items()):
        for template in sorted(templates):
            if skills.of(exercise, template) is None:
                problems.append(ContentError(path, f"{exercise}:{template} belongs to no skill: add it to one"))
    return problems


def course_values(definitions: dict) -> dict[str, set[str]]:
    """{exercise id: its quantity templates} of every exercise a learner computes values in."""
    from core.course.tanh_prime import EXERCISE_ID as TANH_PRIME

    values = {d.id: set(d.templates) for d in definitions.values()}
    values[TANH_PRIME] = {"tanh_prime"}
    return values


def load_skills(path: Path | str = SKILLS_FILE, definitions: dict | None = None,
                lessons: set[str] | None = None) -> Skills:
    """The skills file checked against the course (the shipped exercises and lessons unless given);
    ContentError with the first problem."""
    from core.course.content import load_content
    from core.course.engine import load_all

    skills = parse_skills(path)
    definitions = load_all() if definitions is None else definitions
    lessons = {x.slug for x in load_content().lessons} if lessons is None else lessons
    problems = skill_problems(skills, course_values(definitions), lessons, path)
    if problems:
        raise problems[0]
    return skills
