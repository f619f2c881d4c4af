"""The tanh'(z) exercise: the lecture's slip, reproducible variants, and a checker that names each slip."""
import math

import pytest

from core.course import tanh_prime as am


def test_the_lecture_formula_is_right_for_the_output_and_wrong_for_the_input():
    for z in (-2.0, -0.7, 0.3, 1.5):
        h = math.tanh(z)
        assert am.tanh_prime(z) == pytest.approx(1 - h * h)  # 1 - x^2 with x = h
        assert am.tanh_prime(z) == pytest.approx((math.tanh(z + 1e-6) - math.tanh(z - 1e-6)) / 2e-6, rel=1e-8)
    assert am.lecture_literal(2.0) == -3.0 and am.tanh_prime(2.0) > 0
    assert abs(am.lecture_literal(0.05) - am.tanh_prime(0.05)) < 1e-4  # near 0, tanh z ~ z


def test_exercise_values_are_reproducible_and_away_from_zero():
    zs = [am.exercise_z(s) for s in range(50)]
    assert zs == [am.exercise_z(s) for s in range(50)]
    assert all(0.5 <= abs(z) <= 2.5 and round(z, 2) == z for z in zs)
    assert len(set(zs)) > 40


@pytest.mark.parametrize("seed", range(6))
def test_checker_accepts_the_truth_and_names_each_slip(seed):
    z = am.exercise_z(seed)
    truth = am.tanh_prime(z)
    assert am.check_tanh_prime(f"{truth:.4f}", z).status == "correct"
    assert am.check_tanh_prime(f"1 - tanh({z})^2", z).status == "correct"
    lecture = am.check_tanh_prime(f"{1 - z * z:.4f}", z)
    assert lecture.status == "mistake" and "1 − z²" in lecture.message and lecture.mistake.id == "input_squared"
    itself = am.check_tanh_prime(f"{math.tanh(z):.4f}", z)
    assert itself.status == "mistake" and "tanh(z) itself" in itself.message
    assert am.check_tanh_prime(f"{truth * 1.03:.4f}", z).status == "close"
    assert am.check_tanh_prime("0,5", z).status == "invalid"
    assert am.check_tanh_prime("__import__('os')", z).status == "invalid"  # read by the engine, never evaluated
    wrong = am.check_tanh_prime("2.5", z)  # no slip reaches 2.5: 1 - tanh(z) < 2, the rest <= 1
    assert wrong.status == "wrong" and "at most 1" in wrong.message
