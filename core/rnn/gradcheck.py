"""Gradient checking by central differences, with relative errors a learner can read."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.rnn.model import forward, loss_and_grads
from core.rnn.params import Params


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """||a - n|| / (||a|| + ||n||), 0 when both are zero: scale-free, and safe for tiny gradients."""
    a, n = np.asarray(analytic, dtype=np.float64), np.asarray(numeric, dtype=np.float64)
    denom = np.linalg.norm(a) + np.linalg.norm(n)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - n) / denom)


def numerical_gradient(f: Callable[[], object], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences (f(x + eps e_i) - f(x - eps e_i)) / 2 eps for every entry i of x, which f reads in place.

    The project's one finite-difference loop. f takes no arguments and reads x (x is restored after each
    entry). A scalar f gives the gradient, shaped like x; an array-valued f gives the Jacobian, shaped
    f().shape + x.shape (for a vector function of a vector: (outputs, inputs)).
    """
    columns = []
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        fp = np.array(f(), dtype=np.float64)
        x[i] = old - eps
        fm = np.array(f(), dtype=np.float64)
        x[i] = old
        columns.append((fp - fm) / (2 * eps))
    out = np.stack(columns, axis=-1)  # f().shape + (x.size,)
    return out.reshape(out.shape[:-1] + x.shape)


@dataclass
class GradCheck:
    name: str
    relative_error: float
    max_abs_diff: float


def check_rnn_gradients(params: Params, inputs, targets, h0=None, activation="tanh",
                        eps: float = 1e-6) -> list[GradCheck]:
    """Compare BPTT's gradients of the total loss with central differences, parameter by parameter."""
    _, grads, _ = loss_and_grads(params, inputs, targets, h0, activation)
    p = params.copy()
    out = []
    for name, arr in p.items():
        num = numerical_gradient(lambda: forward(p, inputs, targets, h0, activation).loss, arr, eps)
        ana = getattr(grads, name)
        out.append(GradCheck(name, relative_error(ana, num), float(np.max(np.abs(ana - num)))))
    return out
