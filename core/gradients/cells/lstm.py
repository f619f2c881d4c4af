"""The LSTM cell on dense inputs (gates i, f, g, o), its backward pass and the Jacobian of one step."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.gradients.cells.common import GatedParams, as_rows, dense
from core.rnn.activations import get_activation, sigmoid


@dataclass
class LSTMParams(GatedParams):
    """W_x (4H, D), W_h (4H, H), b (4H,); row blocks are the gates i, f, g, o in that order."""

    GATES = 4
    NAME = "LSTM"


@dataclass
class LSTMTrace:
    a: np.ndarray  # (T, 4H) gate pre-activations, blocks i, f, g, o
    i: np.ndarray  # (T, H) input gate
    f: np.ndarray  # (T, H) forget gate
    g: np.ndarray  # (T, H) candidate phi(a_g)
    o: np.ndarray  # (T, H) output gate
    c: np.ndarray  # (T, H) cell states c_1 .. c_T
    phi_c: np.ndarray  # (T, H) phi(c_t)
    h: np.ndarray  # (T, H) hidden states
    h0: np.ndarray
    c0: np.ndarray
    activation: str

    @property
    def h_prev(self) -> np.ndarray:
        return np.vstack([self.h0[None, :], self.h[:-1]])

    @property
    def c_prev(self) -> np.ndarray:
        return np.vstack([self.c0[None, :], self.c[:-1]])


def lstm_forward(p: LSTMParams, X, h0=None, c0=None, activation: str = "tanh") -> LSTMTrace:
    """Run the LSTM over X (T, D) from (h0, c0) (zeros by default), keeping every gate."""
    X = dense(X)
    phi = get_activation(activation).f
    T, H = X.shape[0], p.hidden
    h0 = np.zeros(H) if h0 is None else np.asarray(h0, dtype=np.float64)
    c0 = np.zeros(H) if c0 is None else np.asarray(c0, dtype=np.float64)
    xw = X @ p.W_x.T + p.b  # (T,D)@(D,4H) -> (T,4H): the input part of every gate at once
    a = np.empty((T, 4 * H))
    gates = np.empty((T, 4 * H))  # i, f, g, o side by side
    c = np.empty((T, H))
    phi_c = np.empty((T, H))
    h = np.empty((T, H))
    h_prev, c_prev = h0, c0
    for t in range(T):
        a[t] = xw[t] + p.W_h @ h_prev  # (4H,H)@(H,) -> (4H,)
        gates[t] = sigmoid(a[t])
        gates[t, 2 * H:3 * H] = phi(a[t, 2 * H:3 * H])  # the candidate g uses phi, not a sigmoid
        i, f, g, o = gates[t, :H], gates[t, H:2 * H], gates[t, 2 * H:3 * H], gates[t, 3 * H:]
        c[t] = f * c_prev + i * g
        phi_c[t] = phi(c[t])
        h[t] = o * phi_c[t]
        h_prev, c_prev = h[t], c[t]
    return LSTMTrace(a, gates[:, :H], gates[:, H:2 * H], gates[:, 2 * H:3 * H], gates[:, 3 * H:], c, phi_c, h,
                     h0, c0, activation)


@dataclass
class LSTMFactors:
    alpha: np.ndarray  # (T, H) dh_t -> dc_t:        o * phi'(c_t)
    gamma: np.ndarray  # (T, 3, H) dc_t -> da_{i,f,g}: g*i(1-i), c_{t-1}*f(1-f), i*phi'(a_g)
    beta: np.ndarray  # (T, H) dh_t -> da_o:          phi(c_t) * o(1-o)
    f: np.ndarray  # (T, H) dc_t -> dc_{t-1}:         the forget gate


def lstm_factors(p: LSTMParams, tr: LSTMTrace) -> LSTMFactors:
    """Local derivatives of every step of an LSTM trace, all steps at once."""
    act = get_activation(tr.activation)
    H = p.hidden
    dphi_c = act.df(tr.c, tr.phi_c)  # (T, H)
    dphi_g = act.df(tr.a[:, 2 * H:3 * H], tr.g)  # (T, H)
    gamma = np.stack([tr.g * tr.i * (1 - tr.i), tr.c_prev * tr.f * (1 - tr.f), tr.i * dphi_g], axis=1)  # (T,3,H)
    return LSTMFactors(tr.o * dphi_c, gamma, tr.phi_c * tr.o * (1 - tr.o), tr.f.copy())


def lstm_gate_grads(alpha, gamma, beta, dh, dc):
    """(da, dc_all) from dh = dL/dh_t and dc = dL/dc_t: the LSTM's local chain rule, for row vectors.

    One step's factors (alpha, beta (H,), gamma (3, H)) with rows (H,) or (m, H), or every step's factors
    ((T, H), (T, 3, H)) with rows (T, H); da has the gates i, f, g, o side by side in its last axis.
    """
    dc_all = dc + alpha * dh  # c_t reaches the loss directly and through h_t = o * phi(c_t)
    da = np.concatenate([gamma[..., 0, :] * dc_all,  # input gate   (c_t = ... + i * g)
                         gamma[..., 1, :] * dc_all,  # forget gate  (c_t = f * c_{t-1} + ...)
                         gamma[..., 2, :] * dc_all,  # candidate
                         beta * dh], axis=-1)  # output gate  (h_t = o * phi(c_t))
    return da, dc_all


def lstm_step_back(p: LSTMParams, fac: LSTMFactors, t: int, dh: np.ndarray, dc: np.ndarray):
    """One step back from s_t = (h_t, c_t) to s_{t-1}; dh, dc are (H,) or (H, m). (da, dh_prev, dc_prev)."""
    k = t - 1
    da, dc_all = lstm_gate_grads(fac.alpha[k], fac.gamma[k], fac.beta[k], as_rows(dh), as_rows(dc))
    # W_h^T da in row form is da W_h; the cell path is only scaled by f
    return as_rows(da), as_rows(da @ p.W_h), as_rows(fac.f[k] * dc_all)


def lstm_param_grads(tr: LSTMTrace, X: np.ndarray, da: np.ndarray) -> LSTMParams:
    """dL/dW_x, dL/dW_h, dL/db from the gate gradients of every step (T, 4H)."""
    return LSTMParams(da.T @ X, da.T @ tr.h_prev, da.sum(axis=0))  # (4H,T)@(T,D), (4H,T)@(T,H)


def lstm_backward(p: LSTMParams, tr: LSTMTrace, X, dh_ext: np.ndarray, dc_T=None):
    """Gradients given dL/dh_t from outside (T, H) (and dL/dc_T): (LSTMParams of grads, dL/dh_0, dL/dc_0)."""
    X = dense(X)
    fac = lstm_factors(p, tr)
    T, H = dh_ext.shape
    da = np.empty((T, 4 * H))
    dh_next = np.zeros(H)
    dc_next = np.zeros(H) if dc_T is None else np.asarray(dc_T, dtype=np.float64)
    for t in range(T, 0, -1):
        da[t - 1], dh_next, dc_next = lstm_step_back(p, fac, t, dh_ext[t - 1] + dh_next, dc_next)
    return lstm_param_grads(tr, X, da), dh_next, dc_next


def lstm_step_jacobian(p: LSTMParams, fac: LSTMFactors, t: int) -> np.ndarray:
    """(2H, 2H) ds_t/ds_{t-1} with s = (h, c), formed by sending the identity back through the step."""
    H = p.hidden
    eye = np.eye(2 * H)
    _, dh_prev, dc_prev = lstm_step_back(p, fac, t, eye[:H], eye[H:])  # columns: each entry of s_t
    return np.vstack([dh_prev, dc_prev]).T  # the transpose of the vector-Jacobian map is the Jacobian
