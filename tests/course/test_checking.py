"""Tolerance, per-element marks and the structural diagnosis of wrong answers."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from core.course.checking import (
    CLOSE_FACTOR,
    DEFAULT_TOLERANCE,
    EXACT_DIGITS,
    TOLERANCE_HELP,
    Tolerance,
    compare,
    describe_wrong,
    round_sig,
)

finite = st.floats(min_value=-50, max_value=50, allow_nan=False, allow_infinity=False)


def test_tolerance_is_relative_with_an_absolute_floor():
    tol = Tolerance(rel=0.01, abs=0.001)
    assert tol.within(0.4364, 0.4321)  # 0.0043 <= 1% of 0.4321
    assert not tol.within(0.4370, 0.4321)
    assert tol.within(0.0014, 0.0004)  # near zero the 0.001 floor applies
    assert not tol.within(0.0016, 0.0004)
    assert tol.within(-0.0006, 0.0004)


def test_digits_needed_and_help_text_state_the_tolerance():
    assert Tolerance(rel=0.01).digits_needed() == 3
    assert Tolerance(rel=0.001).digits_needed() == 4
    assert Tolerance(rel=0.05).digits_needed() == 2
    assert "1%" in TOLERANCE_HELP and "0.001" in TOLERANCE_HELP
    assert "1%" in DEFAULT_TOLERANCE.describe()


@pytest.mark.parametrize("bad", [0, -0.1, 1.5, float("nan"), float("inf"), "0.1", True])
def test_tolerance_rejects_nonsense(bad):
    with pytest.raises(ValueError, match="between 0 and 1"):
        Tolerance(rel=bad)


@given(arrays(np.float64, st.sampled_from([(), (3,), (4,), (3, 3), (3, 4)]), elements=finite))
@settings(max_examples=100, deadline=None)
def test_the_truth_always_scores_full_marks(truth):
    cmp = compare(truth, truth)
    assert cmp.ok and cmp.credit == 1.0 and cmp.wrong_elements == []


def test_credit_is_per_element_and_wrong_elements_are_listed():
    truth = np.array([0.5, -0.25, 0.125, 1.0])
    cmp = compare(np.array([0.5, -0.35, 0.125, 2.0]), truth)
    assert not cmp.ok and cmp.shape_ok
    assert cmp.credit == pytest.approx(0.5)
    assert cmp.wrong_elements == [(1,), (3,)]
    assert describe_wrong(cmp, 1) == "Elements 2, 4 are off; the other 2 are right."
    m = np.array([[1.0, 2.0], [3.0, 4.0]])
    cmp = compare(np.array([[1.0, 2.0], [3.0, 5.0]]), m)
    assert cmp.wrong_elements == [(1, 1)]
    assert describe_wrong(cmp, 2) == "The entry in row 2, column 2 is off; the other 3 are right."


def test_transposed_matrix_is_named_for_square_and_rectangular_shapes():
    sq = np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]])
    assert compare(sq.T, sq).structure == "transposed"
    rect = np.arange(12.0).reshape(3, 4) / 10 + 0.1
    cmp = compare(rect.T, rect)
    assert cmp.structure == "transposed" and not cmp.shape_ok and cmp.credit == 0.0
    assert "transpose" in cmp.structure_message


def test_wrong_shape_names_both_shapes():
    cmp = compare(np.ones(3), np.ones(4))
    assert cmp.structure == "wrong_shape"
    assert "vector of 4" in cmp.structure_message and "vector of 3" in cmp.structure_message


def test_sign_flip_scaling_and_swaps_are_diagnosed():
    v = np.array([0.31, -0.72, 0.05, 0.4])
    assert compare(-v, v).structure == "sign_flipped"
    cmp = compare(2 * v, v)
    assert cmp.structure == "scaled" and cmp.scale == pytest.approx(2.0)
    swapped = v[[1, 0, 2, 3]]
    assert compare(swapped, v).structure == "rows_swapped"
    assert compare(v[[3, 2, 0, 1]], v).structure == "reordered"
    m = np.array([[0.1, 0.2, 0.3], [0.5, 0.8, 0.13], [0.21, 0.34, 0.55]])
    assert compare(m[[2, 1, 0]], m).structure == "rows_swapped"
    assert compare(m[:, [1, 0, 2]], m).structure == "columns_swapped"


def test_a_random_wrong_answer_gets_no_structural_story():
    truth = np.array([0.31, -0.72, 0.05])
    cmp = compare(np.array([0.9, 0.1, -0.3]), truth)
    assert cmp.structure is None and not cmp.close


def test_close_means_within_a_few_tolerances():
    truth = np.array([0.5, 0.25])
    near = truth * (1 + 2.5 * DEFAULT_TOLERANCE.rel)
    cmp = compare(near, truth)
    assert not cmp.ok and cmp.close
    far = truth * (1 + 2 * CLOSE_FACTOR * DEFAULT_TOLERANCE.rel)
    assert not compare(far, truth).close


def test_too_few_digits_warns_only_when_rounding_alone_would_fail():
    truth = np.array(0.4567)
    cmp = compare(np.array(0.5), truth, digits=1)
    assert cmp.digits_warning and "1 significant digit" in cmp.digits_warning and "3" in cmp.digits_warning
    # 1.0 typed as "1" is exact enough: no warning even with one digit
    cmp = compare(np.array(2.0), np.array(1.0), digits=1)
    assert cmp.digits_warning is None
    cmp = compare(np.array(0.44), truth, digits=EXACT_DIGITS)
    assert cmp.digits_warning is None


def test_round_sig():
    np.testing.assert_allclose(round_sig([0.0012345, -123.45, 0.0], 3), [0.00123, -123.0, 0.0])


def test_a_structural_diagnosis_is_not_contradicted_by_the_element_count():
    from core.course.checking import compare, describe_wrong

    truth = np.array([0.1, 0.2, 0.3, 0.4])
    cmp = compare(truth[::-1].copy(), truth)
    assert cmp.structure == "reordered"
    assert describe_wrong(cmp, 1) == ""
    plain = compare(np.array([9.0, 9.0, 9.0, 9.0]), truth)
    assert plain.structure is None and describe_wrong(plain, 1) == "All of the numbers are off."
