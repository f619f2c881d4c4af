"""Hidden-state activations with their derivatives side by side.

Each derivative takes both the pre-activation z and the output a = f(z), so tanh can use the cheap
and exact 1 - tanh(z)^2 = 1 - a^2 (the lecture's "1 - x^2" is this with x = tanh(z), not z).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


def _sigmoid(z):
    # Split by sign so exp never overflows: for z < 0 use e^z / (1 + e^z).
    z = np.asarray(z, dtype=np.float64)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


@dataclass(frozen=True)
class Activation:
    """f and f' for an element-wise activation; `bound` is sup |f'| (None when unbounded)."""

    name: str
    f: Callable[[np.ndarray], np.ndarray]
    df: Callable[[np.ndarray, np.ndarray], np.ndarray]  # df(z, a) with a = f(z)
    bound: float | None
    latex: str


ACTIVATIONS: dict[str, Activation] = {
    "tanh": Activation("tanh", np.tanh, lambda z, a: 1.0 - a * a, 1.0, r"\tanh(z)"),
    "sigmoid": Activation("sigmoid", _sigmoid, lambda z, a: a * (1.0 - a), 0.25, r"\sigma(z)"),
    "relu": Activation("relu", lambda z: np.maximum(z, 0.0),
                       lambda z, a: (np.asarray(z) > 0).astype(np.float64), None, r"\max(0, z)"),
    "identity": Activation("identity", lambda z: np.array(z, dtype=np.float64, copy=True),
                           lambda z, a: np.ones_like(np.asarray(z, dtype=np.float64)), 1.0, "z"),
}


def get_activation(name: str) -> Activation:
    """Look up an activation by name, with a message listing the choices."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}") from None


sigmoid = _sigmoid
