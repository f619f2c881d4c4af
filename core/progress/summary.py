"""Progress in numbers: what a learner's stored answers say, per exercise and per lesson, and what to do next.

Pure functions over the attempts that `core.progress.store.Store.attempts` returns, so they are tested without a
database and reused by any screen. A quantity (one value of an exercise, or one quiz question) counts as
mastered when the learner's latest answer to it earned full credit without the solution being revealed:
a week later, what matters is whether they can do it now, not whether they once could.
Quiz answers are stored under the exercise id `quiz:<lesson slug>`, one quantity per question id.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from core.progress.attempt import Attempt

QUIZ_PREFIX = "quiz:"
QUIZ_PASS = 0.8  # a lesson is done when it is read and this share of its quiz is mastered


def quiz_exercise(lesson: str) -> str:
    """The exercise id under which a lesson's quiz answers are stored."""
    return f"{QUIZ_PREFIX}{lesson}"


def is_mastered(a: Attempt) -> bool:
    """Full credit, earned without the solution shown."""
    return a.credit >= 1.0 and not a.solution_revealed


def outcome_group(a: Attempt) -> str:
    """'correct', 'partly right' or 'wrong', for charts."""
    if is_mastered(a):
        return "correct"
    return "partly right" if a.credit > 0 else "wrong"


@dataclass(frozen=True)
class ExerciseProgress:
    """One exercise (or one lesson's quiz): answers given, quantities tried and mastered, last activity."""

    exercise_id: str
    lesson: str | None
    attempts: int
    tried: int  # distinct quantities answered
    mastered: int  # of those, the ones whose latest answer earned full credit
    hints: int
    revealed: int
    last_at: str


@dataclass(frozen=True)
class Summary:
    """Everything the dashboard shows about one learner, computed from their answers."""

    learner: str
    attempts: int
    mastered_answers: int  # answers with full credit
    first_at: str | None
    last_at: str | None
    exercises: tuple[ExerciseProgress, ...]
    mistakes: tuple[tuple[str, int, str | None], ...]  # (diagnosis, count, lesson), most frequent first
    per_day: tuple[tuple[str, str, int], ...]  # (YYYY-MM-DD, outcome group, count)
    latest: dict  # (exercise_id, quantity_id) -> latest Attempt


def summarize(learner: str, attempts: Sequence[Attempt]) -> Summary:
    """Summary of a learner's answers (oldest first, as the store returns them)."""
    latest: dict[tuple[str, str], Attempt] = {}
    by_ex: dict[str, list[Attempt]] = defaultdict(list)
    mistakes: Counter = Counter()
    mistake_lesson: dict[str, Counter] = defaultdict(Counter)
    per_day: Counter = Counter()
    for a in attempts:
        latest[(a.exercise_id, a.quantity_id)] = a
        by_ex[a.exercise_id].append(a)
        if a.diagnosis and a.credit < 1.0:
            mistakes[a.diagnosis] += 1
            if a.lesson:
                mistake_lesson[a.diagnosis][a.lesson] += 1
        per_day[(a.created_at[:10], outcome_group(a))] += 1
    exercises = []
    for ex, items in by_ex.items():
        last = {a.quantity_id: a for a in items}
        lessons = Counter(a.lesson for a in items if a.lesson)
        exercises.append(ExerciseProgress(
            exercise_id=ex, lesson=lessons.most_common(1)[0][0] if lessons else None, attempts=len(items),
            tried=len(last), mastered=sum(is_mastered(a) for a in last.values()),
            hints=sum(a.hints_used for a in items), revealed=sum(a.solution_revealed for a in items),
            last_at=max(a.created_at for a in items),
        ))
    exercises.sort(key=lambda e: e.last_at, reverse=True)
    ranked = tuple((name, n, mistake_lesson[name].most_common(1)[0][0] if mistake_lesson[name] else None)
                   for name, n in sorted(mistakes.items(), key=lambda kv: (-kv[1], kv[0])))
    return Summary(
        learner=learner, attempts=len(attempts), mastered_answers=sum(is_mastered(a) for a in attempts),
        first_at=attempts[0].created_at if attempts else None, last_at=max((a.created_at for a in attempts),
                                                                           default=None),
        exercises=tuple(exercises), mistakes=ranked,
        per_day=tuple((d, g, n) for (d, g), n in sorted(per_day.items())), latest=latest,
    )


@dataclass(frozen=True)
class LessonProgress:
    """One lesson for one learner: read or not, quiz mastery, practice done on exercises tagged with it."""

    slug: str
    title: str
    order: int
    read: bool
    quiz_total: int
    quiz_answered: int
    quiz_mastered: int
    practice_attempts: int  # answers on exercises (not the quiz) that practise this lesson

    @property
    def quiz_share(self) -> float:
        """Share of the quiz mastered (0 when there is no quiz)."""
        return self.quiz_mastered / self.quiz_total if self.quiz_total else 0.0

    @property
    def status(self) -> str:
        """'done', 'in progress' or 'not started'."""
        if self.read and self.quiz_share >= QUIZ_PASS:
            return "done"
        if self.read or self.quiz_answered or self.practice_attempts:
            return "in progress"
        return "not started"


def lesson_progress(summary: Summary, lessons: Iterable, quiz_ids: dict[str, Sequence[str]],
                    lessons_read: Iterable[str]) -> list[LessonProgress]:
    """Per lesson (objects with slug, title, order), in course order; quiz_ids: lesson slug -> question ids."""
    read = set(lessons_read)
    practice: Counter = Counter()
    for e in summary.exercises:
        if e.lesson and not e.exercise_id.startswith(QUIZ_PREFIX):
            practice[e.lesson] += e.attempts
    out = []
    for x in sorted(lessons, key=lambda x: x.order):
        ids = list(quiz_ids.get(x.slug, ()))
        last = [summary.latest.get((quiz_exercise(x.slug), q)) for q in ids]
        out.append(LessonProgress(
            slug=x.slug, title=x.title, order=x.order, read=x.slug in read, quiz_total=len(ids),
            quiz_answered=sum(a is not None for a in last),
            quiz_mastered=sum(a is not None and is_mastered(a) for a in last),
            practice_attempts=practice[x.slug],
        ))
    return out


@dataclass(frozen=True)
class NextStep:
    """A suggestion: Markdown text, the lesson it concerns, and where to go ('lesson', 'quiz' or 'practice')."""

    text: str
    lesson: str | None
    go: str


def next_steps(progress: Sequence[LessonProgress], summary: Summary, limit: int = 3) -> list[NextStep]:
    """What to do next, most useful first: fix a recurring mistake, then continue the course in order."""
    out: list[NextStep] = []
    titles = {p.slug: p.title for p in progress}
    if summary.mistakes:
        name, n, lesson = summary.mistakes[0]
        if n >= 2:
            where = f" Re-read **{titles[lesson]}**, then try again." if lesson in titles else " Look at the hints."
            out.append(NextStep(f"Your most frequent mistake is **{name}** ({n} times).{where}",
                                lesson if lesson in titles else None, "lesson"))
    for p in progress:
        if p.status == "done":
            continue
        if not p.read:
            out.append(NextStep(f"Read lesson {p.order}: **{p.title}**", p.slug, "lesson"))
        elif p.quiz_answered < p.quiz_total:
            out.append(NextStep(f"Take the quiz of **{p.title}** ({p.quiz_total - p.quiz_answered} questions "
                                f"not answered yet).", p.slug, "quiz"))
        else:
            out.append(NextStep(f"Retry the quiz of **{p.title}**: {p.quiz_mastered} of {p.quiz_total} right so "
                                f"far; {QUIZ_PASS:.0%} completes the lesson.", p.slug, "quiz"))
        if len(out) >= limit:
            break
    if not out:
        out.append(NextStep("Every lesson is done. Practise on new variants of the exercises, or train a "
                            "network on your own text.", None, "practice"))
    return out[:limit]


def exercise_steps(summary: Summary, exercises: dict[str, tuple[str, int]]) -> list[NextStep]:
    """"Continue where you stopped" for every started, unfinished exercise; exercises: id -> (title, values).

    The step's `go` is "exercise:<id>", so a screen can link to the page of that exercise.
    """
    out = []
    for e in summary.exercises:  # most recent first
        if e.exercise_id not in exercises:
            continue
        title, total = exercises[e.exercise_id]
        if e.mastered < total:
            out.append(NextStep(f"Continue **{title}** where you stopped: {e.mastered} of {total} values right "
                                "so far.", e.lesson, f"exercise:{e.exercise_id}"))
    return out


def days_since(iso: str | None, now: datetime | None = None) -> int | None:
    """Whole days between an ISO time and now (None if there is no time)."""
    if not iso:
        return None
    now = now or datetime.now(UTC)
    return max(0, (now - datetime.fromisoformat(iso)).days)


WINDOW_DAYS = 7  # the answers-per-day chart spans at least this many days


def day_window(days: Iterable[str], min_days: int = WINDOW_DAYS) -> tuple[str, str]:
    """(first day, last day) of the answers-per-day chart, as YYYY-MM-DD: from the first active day, or earlier so
    that at least `min_days` days show, to the last active day (today when there is none)."""
    found = sorted(date.fromisoformat(d) for d in days)
    last = found[-1] if found else datetime.now(UTC).date()
    start = min(found[0] if found else last, last - timedelta(days=min_days - 1))
    return start.isoformat(), last.isoformat()
