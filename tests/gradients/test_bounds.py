"""The bound (gamma sigma)^n on a Jacobian product and the steps it takes to fall below a threshold."""
import math

import numpy as np
import pytest

from core.gradients import bounds


def test_bounds_and_steps_to_vanish():
    assert bounds.product_bound_log10(0.25, 1.0, np.array([10]))[0] == pytest.approx(-10 * math.log10(4))
    assert bounds.steps_to_vanish(0.25, 1.0) == 10  # 4^-10 = 9.5e-7 < 1e-6 <= 4^-9
    assert 0.25 ** 10 < 1e-6 <= 0.25 ** 9
    assert bounds.steps_to_vanish(1.0, 1.0) is None and bounds.steps_to_vanish(0.25, 4.0) is None
