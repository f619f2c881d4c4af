"""The activations screen's curves: each function and its derivative, checked against central differences."""
import numpy as np
import pytest

from core.rnn import activation_curves as curves_of
from core.rnn.activations import ACTIVATIONS
from core.rnn.gradcheck import relative_error


def test_curves_hold_each_function_and_its_derivative():
    z = np.linspace(-4, 4, 81)
    t = curves_of.curve_table(z)
    assert set(t["curve"]) == {"tanh(z)", "σ(z)", "ReLU(z)"} | set(curves_of.DERIVATIVE_NAMES.values())
    for name, f, label in (("tanh", np.tanh, "tanh"), ("sigmoid", lambda x: 1 / (1 + np.exp(-x)), "σ")):
        y = t["y"][t["curve"] == f"{label}(z)"]
        dy = t["y"][t["curve"] == curves_of.DERIVATIVE_NAMES[name]]
        np.testing.assert_allclose(y, f(z), atol=1e-15)
        numeric = (f(z + 1e-6) - f(z - 1e-6)) / 2e-6  # central differences
        assert relative_error(dy, numeric) < 1e-8, f"{name}' differs from differences"
        assert dy.max() == pytest.approx(ACTIVATIONS[name].gamma)  # the bound gamma is reached at z = 0
