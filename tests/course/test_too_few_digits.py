"""An answer that is the true value rounded (or cut off) to too few significant digits is told so, first and
plainly, instead of being sent to look for a mistake; anything else typed with few digits is not."""
from __future__ import annotations

import numpy as np
import pytest

from core.course import tanh_prime as am
from core.course.checking import TOO_FEW_DIGITS, compare
from core.course.engine import grade_one, make_instance
from tests.course.test_named_mistakes import FWD, practice_seeds


def rounded(x: float, k: int) -> str:
    """x to k significant digits, written as a learner would (Python's own decimal rounding, trailing zeros kept)."""
    text = f"{x:#.{k}g}".rstrip(".")
    assert "e" not in text
    return text


@pytest.mark.parametrize("k", [1, 2])
def test_an_answer_rounded_to_too_few_digits_is_told_so_first(k):
    told = right = 0
    for seed in practice_seeds(3):
        inst = make_instance(FWD, seed, hidden=3)
        h1 = inst.quantity("h[1]").truth
        text = "[" + ", ".join(rounded(x, k) for x in h1) + "]"
        values = np.array([float(rounded(x, k)) for x in h1])
        fb = grade_one(inst, "h[1]", text)
        if np.all(np.abs(values - h1) <= np.maximum(0.001, 0.01 * np.abs(h1))):
            assert fb.status == "correct", (seed, text)
            right += 1
            continue
        assert fb.status == "close" and fb.message.startswith(f"{TOO_FEW_DIGITS}: give at least 3 significant "
                                                              "digits"), (seed, text, fb.message)
        assert f"rounded to {k} significant digit" in fb.message and "Not quite" not in fb.message
        assert fb.mistake is None and fb.counts
        told += 1
    assert told > 0 and (k == 1 or right > 0)  # both outcomes happen, so neither branch is vacuous


def test_only_the_truth_rounded_is_called_too_few_digits():
    inst = make_instance(FWD, FWD.textbook_seed)
    h1 = inst.quantity("h[1]").truth  # [0.226, 0.753, 0.701]
    cut = grade_one(inst, "h[1]", "[0.2, 0.7, 0.7]")  # cut off instead of rounded: still just too few digits
    assert cut.status == "close" and cut.message.startswith(TOO_FEW_DIGITS)
    off = grade_one(inst, "h[1]", "[0.3, 0.8, 0.7]")  # 0.3 is not 0.226 to one digit, however rounded
    assert off.status == "wrong" and TOO_FEW_DIGITS not in off.message
    assert compare(np.array([0.3, 0.8, 0.7]), h1, digits=np.array([1, 1, 1])).rounded_to is None
    assert compare(np.array([0.2, 0.8, 0.7]), h1, digits=np.array([1, 1, 1])).rounded_to == 1
    assert compare(np.array([0.2, 0.8, 0.7]), h1).rounded_to is None  # digits unknown: no claim about them
    assert compare(0.2, 0.226, digits=17).rounded_to is None  # typed exactly (arithmetic): not a rounding
    assert compare(0.001, 0.0, digits=1).rounded_to is None  # no rounding of 0 gives 0.001


def test_the_tanh_prime_exercise_says_too_few_digits_and_nothing_typed():
    def too_far(z):
        truth = am.tanh_prime(z)
        return abs(float(rounded(truth, 1)) - truth) > 0.01 * truth

    z = next(z for z in map(am.exercise_z, range(100)) if too_far(z))
    fb = am.check_tanh_prime(rounded(am.tanh_prime(z), 1), z)
    assert fb.status == "close" and fb.message.startswith(TOO_FEW_DIGITS), (z, fb.message)
    blank = am.check_tanh_prime("  ", z)
    assert blank.status == "blank" and blank.message.startswith("Nothing was typed") and not blank.counts


def test_a_quiz_number_rounded_too_much_is_told_so():
    from core.course.questions import Question
    from core.course.quiz import grade_numeric

    q = Question(id="n", lesson="tanh", kind="numeric", prompt="P", explanation="E", answer=(0.2261, -0.6481))
    fb = grade_numeric(q, "[0.2, -0.6]")
    assert fb.status == "close" and fb.message.startswith(TOO_FEW_DIGITS) and "Some numbers" not in fb.message
    assert grade_numeric(q, "[0.3, -0.6]").status != "close"  # 0.3 is no rounding of 0.2261
