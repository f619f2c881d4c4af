"""Element-wise activations with their derivatives side by side, and the one sigmoid of the project.

Each derivative takes both the pre-activation z and the output a = f(z), so tanh can use the cheap
and exact 1 - tanh(z)^2 = 1 - a^2 (the lecture's "1 - x^2" is this with x = tanh(z), not z).
`gamma` is sup |f'(z)|, the factor each step of backpropagation can at most multiply by: 1 for tanh,
ReLU and the identity, 1/4 for the sigmoid (all at z = 0, or for z > 0 with ReLU).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


def sigmoid(z, out: np.ndarray | None = None):
    """The logistic function 1 / (1 + e^-z), with full relative precision in both tails (float64).

    Computed as exp(-ln(1 + e^-z)) with np.logaddexp, which never overflows: sigmoid(-40) is 4.2e-18, where
    the common form 1/2 + tanh(z/2)/2 rounds to exactly 0 below z = -37 (and a gate of exactly 0 can flip a
    downstream ReLU' from 1 to 0). With `out` (an array of z's shape) it works in place, for the fast loops.
    """
    if out is None:
        return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=np.float64)))
    np.negative(z, out=out)
    np.logaddexp(0.0, out, out=out)
    np.negative(out, out=out)
    return np.exp(out, out=out)


@dataclass(frozen=True)
class Activation:
    """f and f' for an element-wise activation; `gamma` is sup |f'|, the most one step can multiply by."""

    name: str
    f: Callable[[np.ndarray], np.ndarray]
    df: Callable[[np.ndarray, np.ndarray], np.ndarray]  # df(z, a) with a = f(z)
    gamma: float


ACTIVATIONS: dict[str, Activation] = {
    "tanh": Activation("tanh", np.tanh, lambda z, a: 1.0 - a * a, 1.0),
    "sigmoid": Activation("sigmoid", sigmoid, lambda z, a: a * (1.0 - a), 0.25),
    "relu": Activation("relu", lambda z: np.maximum(z, 0.0),
                       lambda z, a: (np.asarray(z) > 0).astype(np.float64), 1.0),  # ReLU' is 0 or 1
    "identity": Activation("identity", lambda z: np.array(z, dtype=np.float64, copy=True),
                           lambda z, a: np.ones_like(np.asarray(z, dtype=np.float64)), 1.0),
}


def get_activation(name: str) -> Activation:
    """Look up an activation by name, with a message listing the choices."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}") from None
