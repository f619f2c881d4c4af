"""Concept quizzes: a lesson's questions drawn in a seeded order, and each answer graded with a message.

Choice questions (single, multiple, "spot the mistake") are graded here; numeric ones go through the
exercise engine (`core.course.answers.parse_answer` reads what was typed, `core.course.checking.compare` checks it
element by element against the question's tolerance). An unreadable numeric answer is "invalid": it gets
the reader's message and counts as no attempt; an empty one is "blank" and says that nothing was typed.
The explanation itself lives with the question (`Question.explanation`); the page shows it once the question
is answered.

A retry draws a new round: `draw(questions, rng, previous)` shuffles the questions (and their choices,
unless a question says `shuffle = false`) with the generator it is given, and draws again while the order
equals the previous round's, so "retry" always visibly reorders.
"""
from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from core.course.answers import parse_answer
from core.course.checking import DEFAULT_TOLERANCE, compare, describe_wrong, too_few_digits_message
from core.course.questions import Question
from core.course.verdict import Verdict
from core.formatting import format_value

NOTHING_TYPED = "Nothing was typed: type your answer, then press Check."
MAX_REDRAWS = 20  # a round that repeats the previous order is redrawn; 20 tries fail with odds below 2^-20


@dataclass(frozen=True)
class Drawn:
    """A question as shown in one round: `order[k]` is the index in question.choices of the k-th choice shown."""

    question: Question
    order: tuple[int, ...]

    @property
    def choices(self) -> list[str]:
        """The choices in display order."""
        return [self.question.choices[i] for i in self.order]


def quiz_seed(lesson: str, round_no: int) -> int:
    """A stable seed for round `round_no` of a lesson's quiz (the same in every process)."""
    return zlib.crc32(f"{lesson}/{round_no}".encode()) & 0x7FFFFFFF


def draw(questions: Sequence[Question], rng: np.random.Generator,
         previous: Sequence[str] | None = None) -> list[Drawn]:
    """The questions in a random order from `rng`, choices shuffled; never the same order as `previous` ids."""
    qs = list(questions)
    order = [int(i) for i in rng.permutation(len(qs))]
    tries = 0
    while (previous is not None and len(qs) > 1 and [qs[i].id for i in order] == list(previous)
           and tries < MAX_REDRAWS):
        order = [int(i) for i in rng.permutation(len(qs))]
        tries += 1
    out = []
    for i in order:
        q = qs[i]
        n = len(q.choices)
        perm = tuple(int(k) for k in rng.permutation(n)) if (q.shuffle and n) else tuple(range(n))
        out.append(Drawn(q, perm))
    return out


def _choice_text(q: Question, picked: Iterable[int]) -> str:
    """The picked choices as stored text: their letters in file order and their words, cut to 500 characters."""
    text = " | ".join(q.choices[i] for i in sorted(picked))
    return text if len(text) <= 500 else text[:499] + "…"


def grade_choice(q: Question, picked: Iterable[int]) -> Verdict:
    """Grade picked choice indices (indices into q.choices, not display positions)."""
    picked = sorted(set(int(i) for i in picked))
    if not picked:
        return Verdict("invalid", 0.0, "Choose an answer first.", "")
    if any(not 0 <= i < len(q.choices) for i in picked):
        return Verdict("invalid", 0.0, "That choice does not exist.", "")
    notes = tuple(q.feedback[i] for i in picked if q.feedback and q.feedback[i].strip())
    correct = q.correct
    text = _choice_text(q, picked)
    if q.kind in ("single", "mistake"):
        if len(picked) != 1:
            return Verdict("invalid", 0.0, "Choose exactly one answer.", "")
        if picked[0] in correct:
            return Verdict("correct", 1.0, "Correct.", text, notes=notes)
        right = q.choices[next(iter(correct))]
        return Verdict("wrong", 0.0, f"Not quite. The right answer is: {right}", text, notes=notes)
    hits = len(correct.intersection(picked))
    false = len(set(picked) - correct)
    credit = max(0.0, (hits - false) / len(correct))
    if set(picked) == correct:
        return Verdict("correct", 1.0, "Correct: you found every right choice and no wrong one.", text, notes=notes)
    missed = len(correct) - hits
    parts = [f"you found {hits} of the {len(correct)} right choices"]
    if false:
        parts.append(f"picked {false} wrong {'one' if false == 1 else 'ones'}")
    if missed:
        parts.append(f"missed {missed}")
    status = "partial" if credit > 0 else "wrong"
    lead = "Partly right" if status == "partial" else "Not quite"
    return Verdict(status, credit, f"{lead}: " + ", ".join(parts) + ".", text, notes=notes)


def grade_numeric(q: Question, text: str) -> Verdict:
    """Grade a typed number, vector or matrix with the exercise engine; invalid text costs nothing."""
    truth = np.asarray(q.answer, dtype=np.float64)  # () or (n,) or (r, c)
    parsed = parse_answer(text, shape=truth.shape)
    if not parsed.ok:
        if parsed.blank:
            return Verdict("blank", 0.0, NOTHING_TYPED, "")
        return Verdict("invalid", 0.0, parsed.message or "This answer could not be read.", "")
    tol = q.tolerance or DEFAULT_TOLERANCE
    cmp = compare(parsed.value, truth, tol, digits=parsed.digits_each)
    answer_text = text.strip()[:500]
    if cmp.ok:
        return Verdict("correct", 1.0, "Correct.", answer_text, read_as=parsed.read_as)
    lines = []
    if cmp.rounded_to is not None:  # the true value rounded to too few digits: say that first
        lines.append(too_few_digits_message(cmp.rounded_to, tol, some=len(cmp.wrong_elements) < truth.size))
    elif cmp.close:
        lines.append("Close, but not within the tolerance: probably rounding.")
    if cmp.structure_message:
        lines.append(cmp.structure_message)
    wrong = describe_wrong(cmp, truth.ndim)
    if wrong:
        lines.append(wrong)
    if cmp.digits_warning and cmp.rounded_to is None:
        lines.append(cmp.digits_warning)
    lines.append(f"The expected answer is {format_value(truth, 5)}.")
    if cmp.close or cmp.rounded_to is not None:
        status = "close"
    elif cmp.credit > 0:
        status = "partial"
    else:
        status = "wrong"
    return Verdict(status, cmp.credit if status == "partial" else 0.0, " ".join(lines), answer_text,
                   read_as=parsed.read_as, structure=cmp.structure)


def grade(q: Question, response) -> Verdict:
    """Grade a response: choice indices for choice questions, the typed text for numeric ones."""
    if q.kind == "numeric":
        return grade_numeric(q, response if isinstance(response, str) else "")
    if response is None:
        return grade_choice(q, [])
    if isinstance(response, int):
        response = [response]
    return grade_choice(q, response)


def score(outcomes: Iterable[Verdict]) -> tuple[float, int]:
    """(credit earned, number of answered questions) over counted outcomes."""
    counted = [o for o in outcomes if o.counts]
    return sum(o.credit for o in counted), len(counted)
