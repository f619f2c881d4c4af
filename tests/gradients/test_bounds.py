"""The bound (gamma sigma)^n on a Jacobian product and the steps it takes to fall strictly below a threshold."""
import math
from fractions import Fraction

import numpy as np
import pytest

from core.gradients import bounds


def test_bounds_and_steps_to_vanish():
    assert bounds.product_bound_log10(0.25, 1.0, np.array([10]))[0] == pytest.approx(-10 * math.log10(4))
    assert bounds.steps_to_vanish(0.25, 1.0) == 10  # 4^-10 = 9.5e-7 < 1e-6 <= 4^-9
    assert 0.25 ** 10 < 1e-6 <= 0.25 ** 9
    assert bounds.steps_to_vanish(1.0, 1.0) is None and bounds.steps_to_vanish(0.25, 4.0) is None


@pytest.mark.parametrize("gamma, sigma", [(1.0, 0.1), (0.25, 0.4)])
def test_a_bound_that_lands_exactly_on_the_threshold_needs_one_more_step(gamma, sigma):
    """(gamma sigma)^6 = 0.1^6 is exactly 1e-6: not below it. Floating point says 6 (or 7) by accident."""
    assert Fraction(1, 10) ** 6 == Fraction(1, 10 ** 6)
    assert bounds.steps_to_vanish(gamma, sigma) == 7
    assert bounds.reaches_exactly(gamma, sigma, 6) and not bounds.reaches_exactly(gamma, sigma, 7)


@pytest.mark.parametrize("gamma", [1.0, 0.25])
def test_the_count_is_the_fewest_steps_strictly_below_in_exact_arithmetic(gamma):
    thr = Fraction(1, 10 ** 6)
    for sigma in (round(0.1 + 0.05 * i, 2) for i in range(99)):  # every value of the activations page's slider
        g = Fraction(str(gamma)) * Fraction(str(sigma))
        n = bounds.steps_to_vanish(gamma, sigma)
        if g >= 1:
            assert n is None, f"sigma {sigma}"
            continue
        assert g ** n < thr and (n == 1 or g ** (n - 1) >= thr), f"gamma*sigma = {g}: {n} is not the fewest steps"


def test_other_thresholds_and_a_long_count():
    assert bounds.steps_to_vanish(1.0, 0.5, threshold=0.25) == 3  # 0.5^2 = 0.25 exactly, 0.5^3 below
    n = bounds.steps_to_vanish(1.0, 0.999)
    assert 0.999 ** n < 1e-6 <= 0.999 ** (n - 1) and n == 13809
