"""The vanilla RNN cell on dense inputs: h_t = f(W_xh x_t + W_hh h_{t-1} + b_h), its backward pass and step Jacobian."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.gradients.cells.common import as_rows, check_shape, dense
from core.rnn.activations import get_activation


@dataclass
class VanillaParams:
    """W_xh (H, D), W_hh (H, H), b_h (H,)."""

    W_xh: np.ndarray
    W_hh: np.ndarray
    b_h: np.ndarray

    def __post_init__(self):
        H, D = np.shape(self.W_xh)
        self.W_xh, self.W_hh, self.b_h = (np.asarray(a, dtype=np.float64) for a in (self.W_xh, self.W_hh, self.b_h))
        check_shape("W_hh", self.W_hh, (H, H))
        check_shape("b_h", self.b_h, (H,))

    @property
    def hidden(self) -> int:
        return self.W_hh.shape[0]

    def items(self):
        return [("W_xh", self.W_xh), ("W_hh", self.W_hh), ("b_h", self.b_h)]


@dataclass
class VanillaTrace:
    z: np.ndarray  # (T, H) pre-activations
    h: np.ndarray  # (T, H) hidden states h_1 .. h_T
    h0: np.ndarray  # (H,)
    activation: str

    @property
    def h_prev(self) -> np.ndarray:
        """(T, H) h_{t-1} for every step."""
        return np.vstack([self.h0[None, :], self.h[:-1]])


def vanilla_forward(p: VanillaParams, X, h0=None, activation: str = "tanh") -> VanillaTrace:
    """Run h_t = f(W_xh x_t + W_hh h_{t-1} + b_h) over X (T, D) and keep z and h."""
    X = dense(X)
    f = get_activation(activation).f
    T, H = X.shape[0], p.hidden
    h0 = np.zeros(H) if h0 is None else np.asarray(h0, dtype=np.float64)
    xw = X @ p.W_xh.T + p.b_h  # (T,D)@(D,H) -> (T,H): every input term at once
    z = np.empty((T, H))
    h = np.empty((T, H))
    h_prev = h0
    for t in range(T):
        z[t] = xw[t] + p.W_hh @ h_prev  # (H,H)@(H,) -> (H,)
        h[t] = f(z[t])
        h_prev = h[t]
    return VanillaTrace(z, h, h0, activation)


@dataclass
class VanillaFactors:
    fprime: np.ndarray  # (T, H) f'(z_t)


def vanilla_factors(p: VanillaParams, tr: VanillaTrace) -> VanillaFactors:
    """Local derivative of every step: dh_t/dz_t = diag(f'(z_t))."""
    return VanillaFactors(get_activation(tr.activation).df(tr.z, tr.h))


def vanilla_gate_grads(fprime: np.ndarray, dh: np.ndarray) -> np.ndarray:
    """dz = f'(z_t) * dh: the cell's local chain rule, for row vectors (one step's (H,) or all steps' (T, H))."""
    return fprime * dh


def vanilla_step_back(p: VanillaParams, fac: VanillaFactors, t: int, dh: np.ndarray):
    """One step of BPTT from h_t to h_{t-1} (t = 1..T); dh is (H,) or a block of columns (H, m). (dz, dh_prev)."""
    dz = vanilla_gate_grads(fac.fprime[t - 1], as_rows(dh))  # rows: (H,) or (m, H)
    return as_rows(dz), as_rows(dz @ p.W_hh)  # dz_t/dh_{t-1} = W_hh, so rows go back as dz W_hh


def vanilla_param_grads(tr: VanillaTrace, X: np.ndarray, dz: np.ndarray) -> VanillaParams:
    """dL/dW_xh, dL/dW_hh, dL/db_h from dL/dz_t of every step (T, H)."""
    return VanillaParams(dz.T @ X, dz.T @ tr.h_prev, dz.sum(axis=0))  # (H,T)@(T,D), (H,T)@(T,H)


def vanilla_backward(p: VanillaParams, tr: VanillaTrace, X, dh_ext: np.ndarray):
    """Gradients of a loss L given dL/dh_t from outside (T, H): (VanillaParams of grads, dL/dh_0)."""
    X = dense(X)
    fac = vanilla_factors(p, tr)
    T, H = dh_ext.shape
    dz = np.empty((T, H))
    dh_next = np.zeros(H)
    for t in range(T, 0, -1):
        dz[t - 1], dh_next = vanilla_step_back(p, fac, t, dh_ext[t - 1] + dh_next)
    return vanilla_param_grads(tr, X, dz), dh_next


def vanilla_step_jacobian(p: VanillaParams, fac: VanillaFactors, t: int) -> np.ndarray:
    """(H, H) dh_t/dh_{t-1} = diag(f'(z_t)) W_hh, formed explicitly (for oracles and tests)."""
    return fac.fprime[t - 1][:, None] * p.W_hh
