"""A checked answer as the store keeps it: the one place where a checker's Verdict becomes an Attempt."""
from __future__ import annotations

from core.course.verdict import Verdict
from core.progress.attempt import Attempt


def attempt_from(verdict: Verdict, *, learner: str, exercise_id: str, quantity_id: str,
                 variant_seed: int | None = None, hints_used: int = 0, lesson: str | None = None) -> Attempt:
    """The saved answer for `verdict`: its text, status, credit and diagnosis; the lesson of its mistake, if any.

    `lesson` is the lesson the exercise practises, used when no diagnosed mistake points to another one.
    """
    return Attempt(
        learner=learner, exercise_id=exercise_id, quantity_id=quantity_id, answer_text=verdict.answer_text,
        status=verdict.status, credit=float(verdict.credit),
        variant_seed=None if variant_seed is None else int(variant_seed), diagnosis=verdict.diagnosis,
        hints_used=int(hints_used), solution_revealed=verdict.status == "revealed",
        lesson=verdict.lesson or lesson, first_wrong=verdict.first_wrong,
    )
