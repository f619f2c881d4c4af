"""Vanilla, LSTM and GRU cells on dense inputs: forward, backward and the Jacobian of one step.

The gradient playground compares the three cells on the same inputs, so they share one shape
convention: an input sequence X is (T, D), the hidden state h_t has H entries, a stack over time is
(T, H) with row t-1 holding step t, and h_0 (and the LSTM's c_0) default to zero.

    vanilla  h_t = f(W_xh x_t + W_hh h_{t-1} + b_h)
    LSTM     [i; f; g; o] = [sig; sig; phi; sig](W_x x_t + W_h h_{t-1} + b)     (gate order i, f, g, o)
             c_t = f * c_{t-1} + i * g          h_t = o * phi(c_t)
    GRU      [z; r] = sig(W_x x_t + W_h h_{t-1} + b)  (first 2H rows; order z, r, n)
             n_t = phi(W_xn x_t + W_hn (r * h_{t-1}) + b_n)
             h_t = z * h_{t-1} + (1 - z) * n_t          (d2l's convention: z = 1 keeps the old state)

phi is the cell's state activation (tanh unless the learner picks another); gates are always
sigmoids. The LSTM's state is the pair s_t = (h_t, c_t), so its step Jacobian is 2H x 2H.

Each cell has a `*_factors` function returning the local derivatives of every step, computed for all
steps at once after the forward pass. The backward pass, the explicit step Jacobian and the fast
sweeps of `core.gradients.decay` all apply the same factors, so the chain rule is written once per cell:

    vanilla  dz = f'(z_t) * dh                       dh_prev = W_hh^T dz
    LSTM     dc_all = dc + (o * phi'(c_t)) * dh       (c_t feeds h_t)
             da_{i,f,g} = [g*i(1-i), c_{t-1}*f(1-f), i*phi'(a_g)] * dc_all
             da_o = (phi(c_t) * o(1-o)) * dh
             dh_prev = W_h^T da                       dc_prev = f * dc_all
    GRU      da_n = ((1-z) * phi'(a_n)) * dh          da_z = (z(1-z) * (h_{t-1} - n)) * dh
             q = W_hn^T da_n                          (gradient reaching r * h_{t-1})
             da_r = (r(1-r) * h_{t-1}) * q
             dh_prev = z * dh + r * q + W_hz^T da_z + W_hr^T da_r
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.rnn.activations import get_activation, sigmoid


def _dense(X) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"inputs must be a non-empty (T, D) array, got shape {X.shape}")
    return X


def _check(name: str, arr: np.ndarray, shape: tuple) -> None:
    assert arr.shape == shape, f"{name} has shape {arr.shape}, expected {shape}"


# ---------------------------------------------------------------------------------------------- vanilla


@dataclass
class VanillaParams:
    """W_xh (H, D), W_hh (H, H), b_h (H,)."""

    W_xh: np.ndarray
    W_hh: np.ndarray
    b_h: np.ndarray

    def __post_init__(self):
        H, D = np.shape(self.W_xh)
        self.W_xh, self.W_hh, self.b_h = (np.asarray(a, dtype=np.float64) for a in (self.W_xh, self.W_hh, self.b_h))
        _check("W_hh", self.W_hh, (H, H))
        _check("b_h", self.b_h, (H,))

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
    X = _dense(X)
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


def vanilla_step_back(p: VanillaParams, fac: VanillaFactors, t: int, dh: np.ndarray):
    """One step of BPTT from h_t to h_{t-1} (t = 1..T); dh is (H,) or (H, m). Returns (dz, dh_prev)."""
    fp = fac.fprime[t - 1]
    dz = fp[:, None] * dh if dh.ndim == 2 else fp * dh  # dh_t/dz_t
    return dz, p.W_hh.T @ dz  # dz_t/dh_{t-1} = W_hh


def vanilla_backward(p: VanillaParams, tr: VanillaTrace, X, dh_ext: np.ndarray):
    """Gradients of a loss L given dL/dh_t from outside (T, H): (VanillaParams of grads, dL/dh_0)."""
    X = _dense(X)
    fac = vanilla_factors(p, tr)
    T, H = dh_ext.shape
    dz = np.empty((T, H))
    dh_next = np.zeros(H)
    for t in range(T, 0, -1):
        dz[t - 1], dh_next = vanilla_step_back(p, fac, t, dh_ext[t - 1] + dh_next)
    grads = VanillaParams(dz.T @ X, dz.T @ tr.h_prev, dz.sum(axis=0))  # (H,T)@(T,D), (H,T)@(T,H)
    return grads, dh_next


def vanilla_step_jacobian(p: VanillaParams, fac: VanillaFactors, t: int) -> np.ndarray:
    """(H, H) dh_t/dh_{t-1} = diag(f'(z_t)) W_hh, formed explicitly (for oracles and tests)."""
    return fac.fprime[t - 1][:, None] * p.W_hh


# ------------------------------------------------------------------------------------------------- LSTM


@dataclass
class _GatedParams:
    """W_x (G*H, D), W_h (G*H, H), b (G*H,) for a cell with G row blocks (gates) of H rows each."""

    W_x: np.ndarray
    W_h: np.ndarray
    b: np.ndarray
    GATES = 0  # row blocks, set by each cell
    NAME = ""

    def __post_init__(self):
        self.W_x, self.W_h, self.b = (np.asarray(a, dtype=np.float64) for a in (self.W_x, self.W_h, self.b))
        G = self.GATES
        GH, H = self.W_h.shape
        assert GH == G * H, f"W_h has shape {self.W_h.shape}; a {self.NAME} needs ({G}H, H)"
        _check("W_x", self.W_x, (G * H, self.W_x.shape[1]))
        _check("b", self.b, (G * H,))

    @property
    def hidden(self) -> int:
        return self.W_h.shape[1]

    def items(self):
        return [("W_x", self.W_x), ("W_h", self.W_h), ("b", self.b)]


@dataclass
class LSTMParams(_GatedParams):
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
    X = _dense(X)
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


def lstm_step_back(p: LSTMParams, fac: LSTMFactors, t: int, dh: np.ndarray, dc: np.ndarray):
    """One step back from s_t = (h_t, c_t) to s_{t-1}; dh, dc are (H,) or (H, m). Returns (da, dh_prev, dc_prev)."""
    k = t - 1
    col = (lambda v: v[:, None]) if dh.ndim == 2 else (lambda v: v)
    dc_all = dc + col(fac.alpha[k]) * dh  # c_t reaches the loss directly and through h_t = o * phi(c_t)
    da = np.concatenate([col(fac.gamma[k, 0]) * dc_all,  # input gate   (c_t = ... + i * g)
                         col(fac.gamma[k, 1]) * dc_all,  # forget gate  (c_t = f * c_{t-1} + ...)
                         col(fac.gamma[k, 2]) * dc_all,  # candidate
                         col(fac.beta[k]) * dh])  # output gate  (h_t = o * phi(c_t))
    return da, p.W_h.T @ da, col(fac.f[k]) * dc_all  # (H,4H)@(4H,.) ; the cell path is only scaled by f


def lstm_backward(p: LSTMParams, tr: LSTMTrace, X, dh_ext: np.ndarray, dc_T=None):
    """Gradients given dL/dh_t from outside (T, H) (and dL/dc_T): (LSTMParams of grads, dL/dh_0, dL/dc_0)."""
    X = _dense(X)
    fac = lstm_factors(p, tr)
    T, H = dh_ext.shape
    da = np.empty((T, 4 * H))
    dh_next = np.zeros(H)
    dc_next = np.zeros(H) if dc_T is None else np.asarray(dc_T, dtype=np.float64)
    for t in range(T, 0, -1):
        da[t - 1], dh_next, dc_next = lstm_step_back(p, fac, t, dh_ext[t - 1] + dh_next, dc_next)
    grads = LSTMParams(da.T @ X, da.T @ tr.h_prev, da.sum(axis=0))  # (4H,T)@(T,D), (4H,T)@(T,H)
    return grads, dh_next, dc_next


def lstm_step_jacobian(p: LSTMParams, fac: LSTMFactors, t: int) -> np.ndarray:
    """(2H, 2H) ds_t/ds_{t-1} with s = (h, c), formed by sending the identity back through the step."""
    H = p.hidden
    eye = np.eye(2 * H)
    _, dh_prev, dc_prev = lstm_step_back(p, fac, t, eye[:H], eye[H:])  # columns: each entry of s_t
    return np.vstack([dh_prev, dc_prev]).T  # the transpose of the vector-Jacobian map is the Jacobian


# -------------------------------------------------------------------------------------------------- GRU


@dataclass
class GRUParams(_GatedParams):
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
    X = _dense(X)
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


def gru_step_back(p: GRUParams, fac: GRUFactors, t: int, dh: np.ndarray):
    """One step back from h_t to h_{t-1}; dh is (H,) or (H, m). Returns (da, dh_prev), da = [da_z; da_r; da_n]."""
    k, H = t - 1, p.hidden
    col = (lambda v: v[:, None]) if dh.ndim == 2 else (lambda v: v)
    da_n = col(fac.kappa_n[k]) * dh  # h_t = ... + (1 - z) * phi(a_n)
    da_z = col(fac.kappa_z[k]) * dh  # h_t = n + z * (h_{t-1} - n)
    q = p.W_h[2 * H:].T @ da_n  # (H,H)@(H,.): gradient reaching r * h_{t-1}
    da_r = col(fac.kappa_r[k]) * q
    da = np.concatenate([da_z, da_r, da_n])
    dh_prev = col(fac.z[k]) * dh + col(fac.r[k]) * q + p.W_h[:2 * H].T @ da[:2 * H]  # direct, via r*h, via gates
    return da, dh_prev


def gru_backward(p: GRUParams, tr: GRUTrace, X, dh_ext: np.ndarray):
    """Gradients given dL/dh_t from outside (T, H): (GRUParams of grads, dL/dh_0)."""
    X = _dense(X)
    fac = gru_factors(p, tr)
    T, H = dh_ext.shape
    da = np.empty((T, 3 * H))
    dh_next = np.zeros(H)
    for t in range(T, 0, -1):
        da[t - 1], dh_next = gru_step_back(p, fac, t, dh_ext[t - 1] + dh_next)
    # W_hn multiplies r * h_{t-1}, the other two blocks multiply h_{t-1}
    h_prev = tr.h_prev
    dW_h = np.vstack([da[:, :2 * H].T @ h_prev, da[:, 2 * H:].T @ (tr.r * h_prev)])  # (3H, H)
    grads = GRUParams(da.T @ X, dW_h, da.sum(axis=0))
    return grads, dh_next


def gru_step_jacobian(p: GRUParams, fac: GRUFactors, t: int) -> np.ndarray:
    """(H, H) dh_t/dh_{t-1}, formed by sending the identity back through the step."""
    _, dh_prev = gru_step_back(p, fac, t, np.eye(p.hidden))
    return dh_prev.T

