"""The verdict on one answer: the one result type of every checker in the course.

The exercise engine (core.course.engine), the concept quiz (core.course.quiz) and the tanh'(z) exercise
(core.course.tanh_prime) all answer with a Verdict, so the screens show them alike and the progress store
saves them alike (core.progress.record builds the saved answer from a verdict, in one place).
"""
from __future__ import annotations

from dataclasses import dataclass, field

STATUSES = ("correct", "partial", "close", "ecf", "mistake", "wrong", "invalid", "blank", "revealed")
NOT_AN_ATTEMPT = ("invalid", "blank", "revealed")  # cost nothing: unreadable, nothing typed, solution shown

# A structural diagnosis (core.course.checking.compare) named in a few words, for a dashboard or a class view.
STRUCTURE_NAMES = {
    "transposed": "Transposed", "wrong_shape": "Wrong shape", "sign_flipped": "Every sign flipped",
    "scaled": "Off by a constant factor", "rows_swapped": "Two rows swapped", "columns_swapped": "Two columns swapped",
    "reordered": "Right numbers in the wrong order",
}


@dataclass(frozen=True)
class Mistake:
    """A named mistake, for the learner: what it is, one sentence on why it is wrong, where to read more."""

    id: str
    name: str
    explanation: str  # one sentence, Markdown with $LaTeX$
    lesson: str  # lesson slug, e.g. "forward-equations"


@dataclass(frozen=True, eq=False)
class Verdict:
    """What a checker says about one answer, and what is saved of it."""

    status: str  # one of STATUSES
    credit: float  # 0..1
    message: str  # for the learner: Markdown with $LaTeX$
    answer_text: str = ""  # what is saved as the answer (the typed text, or the choices picked)
    read_as: str = ""  # how the answer was read, e.g. "1.2e-3 → 0.0012"
    mistake: Mistake | None = None  # a named mistake, for status "mistake"
    structure: str | None = None  # a structural diagnosis, a key of core.course.checking.STRUCTURES
    wrong_elements: list = field(default_factory=list)  # 0-based index tuples of the elements that are off
    digits_warning: str | None = None  # too few significant digits typed for the tolerance
    first_wrong: str | None = None  # for "ecf": the id of the first wrong link in the chain
    notes: tuple[str, ...] = ()  # per-choice feedback of a quiz question, for the choices picked
    value: object = field(default=None, repr=False)  # the learner's value as read (array or character)
    qid: str = ""  # the quantity of an exercise this is about

    def __post_init__(self):
        assert self.status in STATUSES, f"unknown status {self.status!r}; use one of {STATUSES}"

    @property
    def counts(self) -> bool:
        """Whether this answer is an attempt: blank, unreadable and revealed answers never cost one."""
        return self.status not in NOT_AN_ATTEMPT

    @property
    def diagnosis(self) -> str | None:
        """The mistake's name, else the structural diagnosis in a few words, else None (what is saved)."""
        if self.mistake is not None:
            return self.mistake.name
        return STRUCTURE_NAMES.get(self.structure) if self.structure else None

    @property
    def lesson(self) -> str | None:
        """The lesson that explains the diagnosed mistake, if there is one."""
        return self.mistake.lesson if self.mistake is not None else None
