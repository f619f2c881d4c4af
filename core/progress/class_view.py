"""The instructor's class view in numbers: every learner's latest answer to every value, counted for the class.

Pure functions over what `Store.everyone()` returns, [(LearnerInfo, [Attempt, ...] oldest first)] (or
`Store.everyone_brief()`, the same with each answer as a Brief: only the fields read here), so they are tested
without a database or a screen. Two passes, so a screen can keep the first and redo only the second
when a filter changes:

1. `learner_records(everyone)` boils each learner's answers down to what the class view counts. It is the one
   pass over every answer, and no filter changes it; `KeptRecords` keeps the result between reruns and reads
   again only the learners whose answers changed.
2. `class_summary(records, catalog, since=...)` counts those records for the class: per value, per named mistake,
   per first wrong link of a chain, and per learner.

What is counted:
- A *value* is (exercise id, quantity id): "z[2]" of the forward pass, or one quiz question. Answers on other
  variants of an exercise (another seed or hidden size) share the ids, so they count together.
- Per value each learner counts once, by their LATEST answer to it, in one of BUCKETS: right (full credit),
  right by method ("ecf": the step done right from the learner's own wrong earlier value; half credit), close
  (near the answer, or partly right), wrong (a named mistake or plainly wrong), revealed (the solution shown).
- Named mistakes: the learners who made the mistake on that value at least once (any answer, not only the
  latest), as in "14 learners put W where Wᵀ belongs in dh_next[3]".
- First wrong links: for "ecf" answers, the value the learner's chain first went wrong at (Attempt.first_wrong).
- Score: see SCORE_DEFINITION.
"""
from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from core.progress.attempt import Attempt, Brief
from core.progress.summary import is_mastered

BUCKETS = ("right", "right by method", "close", "wrong", "revealed")
SCORE_DEFINITION = ("the share of the exercise's values whose latest answer earned full credit without the "
                    "solution shown, out of all its values (answered or not), from 0 to 1")
_BUCKET_OF_STATUS = {"correct": "right", "ecf": "right by method", "close": "close", "partial": "close",
                     "mistake": "wrong", "wrong": "wrong", "revealed": "revealed"}


def bucket(a: Attempt | Brief) -> str:
    """Which of BUCKETS an answer falls in (an unknown status: right with full credit, else wrong)."""
    if a.solution_revealed:
        return "revealed"
    return _BUCKET_OF_STATUS.get(a.status) or ("right" if a.credit >= 1.0 else "wrong")


def is_named_mistake(a: Attempt | Brief) -> bool:
    """A diagnosed mistake that cost credit (as the learner's dashboard counts them)."""
    return bool(a.diagnosis) and a.credit < 1.0


# ------------------------------------------------------------------------------------------- the catalog


@dataclass(frozen=True)
class ValueInfo:
    """One value of an exercise as the class view names it."""

    id: str  # "z[2]", or a quiz question id
    label: str  # LaTeX of the textbook instance ("z_{ 2 }"), or a quiz question's prompt in short
    group: str = ""  # the step or block it belongs to
    latex: bool = True  # whether `label` is LaTeX (else plain text)


@dataclass(frozen=True)
class ExerciseInfo:
    """An exercise (or one lesson's quiz) and its values, in the order the learner meets them."""

    id: str
    title: str
    values: tuple[ValueInfo, ...]


def complete_catalog(catalog: Sequence[ExerciseInfo], records: Iterable[LearnerRecord]) -> tuple[ExerciseInfo, ...]:
    """The catalog with every exercise and value that some answer names but the catalog does not (an exercise
    or a question since removed): nothing a learner did is left out of the counts."""
    seen: dict[str, set[str]] = defaultdict(set)
    for r in records:
        for ex, qid in r.latest:
            seen[ex].add(qid)
    out = []
    for e in catalog:
        known = {v.id for v in e.values}
        extra = tuple(ValueInfo(q, q, latex=False) for q in sorted(seen.pop(e.id, set()) - known))
        out.append(ExerciseInfo(e.id, e.title, e.values + extra) if extra else e)
    for ex in sorted(seen):
        out.append(ExerciseInfo(ex, ex, tuple(ValueInfo(q, q, latex=False) for q in sorted(seen[ex]))))
    return tuple(out)


# ------------------------------------------------------------------------------------------- pass 1: each learner


@dataclass(frozen=True)
class LearnerRecord:
    """What the class view needs of one learner's answers."""

    name: str
    last_active: str | None  # ISO time of the latest answer
    answers: int
    latest: dict  # (exercise id, quantity id) -> (bucket of the latest answer, whether it is mastered)
    mistakes: dict  # exercise id -> answers with a named mistake
    diagnosed: frozenset  # (exercise id, quantity id, mistake name): named mistakes made at least once
    broken_at: frozenset  # (exercise id, quantity id, first wrong link) of the learner's "ecf" answers
    top_mistake: str | None  # the learner's most frequent named mistake


def learner_record(name: str, attempts: Sequence[Attempt | Brief]) -> LearnerRecord:
    """One learner's answers (oldest first, as the store returns them) boiled down."""
    latest, diagnosed, broken_at = {}, set(), set()
    mistakes: Counter = Counter()
    names: Counter = Counter()
    for a in attempts:
        key = (a.exercise_id, a.quantity_id)
        latest[key] = (bucket(a), is_mastered(a))
        if is_named_mistake(a):
            mistakes[a.exercise_id] += 1
            names[a.diagnosis] += 1
            diagnosed.add((*key, a.diagnosis))
        if a.status == "ecf" and a.first_wrong:
            broken_at.add((*key, a.first_wrong))
    top = min(names.items(), key=lambda kv: (-kv[1], kv[0]))[0] if names else None
    return LearnerRecord(name, max((a.created_at for a in attempts), default=None), len(attempts), latest,
                         dict(mistakes), frozenset(diagnosed), frozenset(broken_at), top)


def learner_records(everyone: Iterable[tuple[object, Sequence[Attempt]]]) -> tuple[LearnerRecord, ...]:
    """Every learner of Store.everyone()'s result boiled down, in its order (by name)."""
    return tuple(learner_record(info.name, attempts) for info, attempts in everyone)


class KeptRecords:
    """Learner records kept between reruns, so a new answer costs reading one learner again, not the class.

    `update(activity, read)` takes Store.activity()'s {key: LearnerInfo} and a `read(keys)` that returns
    Store.everyone(kinds, keys=keys); it reads again only the learners whose info changed (a new answer, a
    reset, an import, a new name) and forgets those who are gone. Safe to share between sessions (one lock).
    `read` may return Store.everyone_brief() instead: the records need only a Brief of each answer.
    """

    def __init__(self) -> None:
        self._kept: dict[str, tuple[object, LearnerRecord]] = {}  # key -> (the LearnerInfo it was read at, record)
        self._lock = threading.Lock()
        self.reads = 0  # learners read so far (for tests and benchmarks)

    def update(self, activity: dict, read: Callable[[list[str]], Iterable[tuple[object, Sequence[Attempt]]]]
               ) -> tuple[LearnerRecord, ...]:
        """The records of every learner in `activity`, by name, read again where stale."""
        with self._lock:
            stale = [k for k, info in activity.items() if k not in self._kept or self._kept[k][0] != info]
            if stale:
                for info, attempts in read(stale):
                    # kept with the info activity() gave: an answer that came in meanwhile makes it stale again
                    self._kept[info.key] = (activity.get(info.key, info), learner_record(info.name, attempts))
                self.reads += len(stale)
            for gone in set(self._kept) - set(activity):
                del self._kept[gone]
            order = sorted(activity, key=lambda k: (activity[k].name.casefold(), k))
            return tuple(self._kept[k][1] for k in order if k in self._kept)


# ------------------------------------------------------------------------------------------- pass 2: the class


@dataclass(frozen=True)
class ValueStats:
    """One value across the class."""

    exercise_id: str
    value: ValueInfo
    counts: dict  # bucket -> learners whose latest answer to it falls there (every bucket present)
    top_mistake: tuple[str, int] | None  # the named mistake most learners made here, and how many did
    top_first_wrong: tuple[str, int] | None  # of its "ecf" answers: the most common first wrong link, learners

    @property
    def answered(self) -> int:
        """Learners with an answer to this value (the solution shown included)."""
        return sum(self.counts.values())


@dataclass(frozen=True)
class MistakeCount:
    """How many learners made one named mistake on one value (at least once)."""

    exercise_id: str
    quantity_id: str
    mistake: str
    learners: int


@dataclass(frozen=True)
class LinkCount:
    """A first wrong link of an exercise's chains: the learners whose "ecf" answers trace back to it."""

    exercise_id: str
    link: str  # the quantity id where the chain first went wrong
    learners: int
    downstream: tuple[str, ...]  # the values answered right by method from it, in exercise order


@dataclass(frozen=True)
class Standing:
    """One learner on one exercise (or on the whole course)."""

    values: int  # the exercise's values
    right: int  # values whose latest answer is mastered
    answered: int  # values with a latest answer that is not a shown solution
    revealed: int  # values whose solution was shown last
    mistakes: int  # answers with a named mistake

    @property
    def score(self) -> float:
        """SCORE_DEFINITION."""
        return self.right / self.values if self.values else 0.0


@dataclass(frozen=True)
class LearnerRow:
    """One learner of the class view."""

    name: str
    last_active: str | None
    answers: int
    top_mistake: str | None
    exercises: dict  # exercise id -> Standing
    course: Standing  # every exercise and quiz together


@dataclass(frozen=True)
class ClassSummary:
    """Everything the class view shows, for the learners the filter keeps."""

    exercises: tuple[ExerciseInfo, ...]  # the catalog, completed with what answers name
    learners: tuple[LearnerRow, ...]  # by name
    values: dict  # exercise id -> tuple[ValueStats, ...] in exercise order
    mistakes: tuple[MistakeCount, ...]  # most learners first
    links: dict  # exercise id -> tuple[LinkCount, ...], most learners first
    since: str | None  # the filter: only learners active since this ISO time (None: everyone)
    listed: int  # learners before the filter


def _standings(r: LearnerRecord, exercises: Sequence[ExerciseInfo]) -> tuple[dict, Standing]:
    tally = {e.id: [len(e.values), 0, 0, 0, r.mistakes.get(e.id, 0)] for e in exercises}
    for (ex, _), (b, mastered) in r.latest.items():
        t = tally[ex]
        t[1] += mastered
        t[2] += b != "revealed"
        t[3] += b == "revealed"
    per = {ex: Standing(*t) for ex, t in tally.items()}
    course = Standing(*(sum(t[k] for t in tally.values()) for k in range(5)))
    return per, course


def _best(counter: Counter, keys: Iterable) -> tuple[str, int] | None:
    """The (name, count) with the highest count among these keys' last element (ties: alphabetical)."""
    hits = [(k[-1], counter[k]) for k in keys]
    return min(hits, key=lambda kv: (-kv[1], kv[0])) if hits else None


def class_summary(records: Sequence[LearnerRecord], catalog: Sequence[ExerciseInfo],
                  since: str | None = None) -> ClassSummary:
    """The class's numbers over the learners active since `since` (ISO time in UTC; None: all of them)."""
    kept = [r for r in records if since is None or (r.last_active or "") >= since]
    exercises = complete_catalog(catalog, records)
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    made: Counter = Counter()  # (exercise, value, mistake) -> learners
    broke: Counter = Counter()  # (exercise, value, link) -> learners
    links: dict[tuple[str, str], set[int]] = defaultdict(set)  # (exercise, link) -> learners (by index)
    for i, r in enumerate(kept):
        for key, (b, _) in r.latest.items():
            counts[key][b] += 1
        made.update(r.diagnosed)
        broke.update(r.broken_at)
        for ex, _, link in r.broken_at:
            links[(ex, link)].add(i)
    made_at, broke_at = defaultdict(list), defaultdict(list)
    for k in made:
        made_at[k[:2]].append(k)
    for k in broke:
        broke_at[k[:2]].append(k)
    values = {e.id: tuple(ValueStats(e.id, v, {b: counts[(e.id, v.id)][b] for b in BUCKETS},
                                     _best(made, made_at[(e.id, v.id)]), _best(broke, broke_at[(e.id, v.id)]))
                          for v in e.values) for e in exercises}
    order = {(e.id, v.id): n for e in exercises for n, v in enumerate(e.values)}
    ranked_links: dict[str, list[LinkCount]] = defaultdict(list)
    for (ex, link), who in links.items():
        downstream = sorted({k[1] for k in broke if k[0] == ex and k[2] == link}, key=lambda q: order[(ex, q)])
        ranked_links[ex].append(LinkCount(ex, link, len(who), tuple(downstream)))
    rows = []
    for r in kept:
        per, course = _standings(r, exercises)
        rows.append(LearnerRow(r.name, r.last_active, r.answers, r.top_mistake, per, course))
    mistakes = sorted((MistakeCount(ex, q, m, n) for (ex, q, m), n in made.items()),
                      key=lambda c: (-c.learners, order[(c.exercise_id, c.quantity_id)], c.mistake))
    return ClassSummary(
        exercises=exercises, learners=tuple(rows), values=values, mistakes=tuple(mistakes),
        links={ex: tuple(sorted(v, key=lambda c: (-c.learners, order[(ex, c.link)] if (ex, c.link) in order
                                                   else len(order), c.link))) for ex, v in ranked_links.items()},
        since=since, listed=len(records))
