"""The GRU cell on dense inputs (update gate z, reset gate r, candidate n), its backward pass and step Jacobian.

Convention (Cho et al. 2014, d2l): the reset gate is applied to h_{t-1} before the recurrent matmul,
n_t = phi(W_xn x_t + W_hn (r * h_{t-1}) + b_n), and h_t = z * h_{t-1} + (1 - z) * n_t, so an update gate of 1
keeps the old state. PyTorch's nn.GRU shares the update convention but applies the reset gate after the
matmul, r * (W_hn h_{t-1} + b_hn). The GRU lesson and exercise (core.course.rules.gru) use this same cell.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.gradients.cells.common import GatedParams, as_rows, dense
from core.rnn.activations import get_activation, sigmoid


@dataclass
class GRUParams(GatedParams):
    """W_x (3H, D), W_h (3H, H), b (3H,); row blocks are z (update), r (reset), n (candidate)."""

    GATES = 3
    NAME = "GRU"


@dataclass
class GRUTrace:
    a: np.ndarray  # (T, 3H) pre-activations of z, r and n
    z: np.ndarray  # (T, H) update gate
    r: np.ndarray  # (T, H) reset gate
    n: np.ndarray  # (T, H) candidate state
    h: np.ndarray  # (T, H)
    h0: np.ndarray
    activation: str

    @property
    def h_prev(self) -> np.ndarray:
        return np.vstack([self.h0[None, :], self.h[:-1]])


def gru_forward(p: GRUParams, X, h0=None, activation: str = "tanh") -> GRUTrace:
    """Run the GRU over X (T, D) from h0 (zeros by default), keeping every gate."""
    X = dense(X)
    phi = get_activation(activation).f
    T, H = X.shape[0], p.hidden
    h0 = np.zeros(H) if h0 is None else np.asarray(h0, dtype=np.float64)
    xw = X @ p.W_x.T + p.b  # (T,D)@(D,3H) -> (T,3H)
    W_hzr, W_hn = p.W_h[:2 * H], p.W_h[2 * H:]
    a = np.empty((T, 3 * H))
    zr = np.empty((T, 2 * H))
    n = np.empty((T, H))
    h = np.empty((T, H))
    h_prev = h0
    for t in range(T):
        a[t, :2 * H] = xw[t, :2 * H] + W_hzr @ h_prev  # (2H,H)@(H,) -> (2H,)
        zr[t] = sigmoid(a[t, :2 * H])
        z, r = zr[t, :H], zr[t, H:]
        a[t, 2 * H:] = xw[t, 2 * H:] + W_hn @ (r * h_prev)  # (H,H)@(H,): the reset gate masks the old state
        n[t] = phi(a[t, 2 * H:])
        h[t] = n[t] + z * (h_prev - n[t])  # = z * h_prev + (1 - z) * n
        h_prev = h[t]
    return GRUTrace(a, zr[:, :H], zr[:, H:], n, h, h0, activation)


@dataclass
class GRUFactors:
    z: np.ndarray  # (T, H) dh_t -> dh_{t-1} directly
    kappa_z: np.ndarray  # (T, H) dh_t -> da_z: z(1-z) * (h_{t-1} - n_t)
    kappa_n: np.ndarray  # (T, H) dh_t -> da_n: (1-z) * phi'(a_n)
    r: np.ndarray  # (T, H) d(r*h_{t-1}) -> dh_{t-1}
    kappa_r: np.ndarray  # (T, H) d(r*h_{t-1}) -> da_r: r(1-r) * h_{t-1}


def gru_factors(p: GRUParams, tr: GRUTrace) -> GRUFactors:
    """Local derivatives of every step of a GRU trace, all steps at once."""
    H = p.hidden
    dphi = get_activation(tr.activation).df(tr.a[:, 2 * H:], tr.n)  # (T, H)
    h_prev = tr.h_prev
    return GRUFactors(tr.z.copy(), tr.z * (1 - tr.z) * (h_prev - tr.n), (1 - tr.z) * dphi, tr.r.copy(),
                      tr.r * (1 - tr.r) * h_prev)


def gru_gate_grads(p: GRUParams, kappa_z, kappa_n, kappa_r, dh) -> tuple[np.ndarray, np.ndarray]:
    """(da, q): da = [da_z, da_r, da_n] from dh = dL/dh_t, and q = dL/d(r * h_{t-1}); the GRU's local chain
    rule, for row vectors: one step's factors (H,) with rows (H,) or (m, H), or every step's (T, H) with (T, H).
    """
    H = p.hidden
    da_n = kappa_n * dh  # h_t = ... + (1 - z) * phi(a_n)
    da_z = kappa_z * dh  # h_t = n + z * (h_{t-1} - n)
    q = da_n @ p.W_h[2 * H:]  # W_hn^T da_n in row form: the gradient reaching r * h_{t-1}
    return np.concatenate([da_z, kappa_r * q, da_n], axis=-1), q


def gru_step_back(p: GRUParams, fac: GRUFactors, t: int, dh: np.ndarray):
    """One step back from h_t to h_{t-1}; dh is (H,) or (H, m). Returns (da, dh_prev), da = [da_z; da_r; da_n]."""
    k, H = t - 1, p.hidden
    rows = as_rows(dh)
    da, q = gru_gate_grads(p, fac.kappa_z[k], fac.kappa_n[k], fac.kappa_r[k], rows)
    dh_prev = fac.z[k] * rows + fac.r[k] * q + da[..., :2 * H] @ p.W_h[:2 * H]  # direct, via r*h, via the gates
    return as_rows(da), as_rows(dh_prev)


def gru_param_grads(tr: GRUTrace, X: np.ndarray, da: np.ndarray) -> GRUParams:
    """dL/dW_x, dL/dW_h, dL/db from the gate gradients of every step (T, 3H)."""
    H = tr.h.shape[1]
    h_prev = tr.h_prev
    # W_hn multiplies r * h_{t-1}, the other two blocks multiply h_{t-1}
    dW_h = np.vstack([da[:, :2 * H].T @ h_prev, da[:, 2 * H:].T @ (tr.r * h_prev)])  # (3H, H)
    return GRUParams(da.T @ X, dW_h, da.sum(axis=0))


def gru_backward(p: GRUParams, tr: GRUTrace, X, dh_ext: np.ndarray):
    """Gradients given dL/dh_t from outside (T, H): (GRUParams of grads, dL/dh_0)."""
    X = dense(X)
    fac = gru_factors(p, tr)
    T, H = dh_ext.shape
    da = np.empty((T, 3 * H))
    dh_next = np.zeros(H)
    for t in range(T, 0, -1):
        da[t - 1], dh_next = gru_step_back(p, fac, t, dh_ext[t - 1] + dh_next)
    return gru_param_grads(tr, X, da), dh_next


def gru_step_jacobian(p: GRUParams, fac: GRUFactors, t: int) -> np.ndarray:
    """(H, H) dh_t/dh_{t-1}, formed by sending the identity back through the step."""
    _, dh_prev = gru_step_back(p, fac, t, np.eye(p.hidden))
    return dh_prev.T
