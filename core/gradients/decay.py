"""How the gradient decays (or explodes) with distance in time, measured on real networks.

For one setting of the sliders we build a vanilla RNN, an LSTM and a GRU with the same hidden size, the
same inputs and comparably scaled recurrent matrices, run each forward over T steps, put a
cross-entropy loss E_T on the last step, and measure from the real Jacobian products:

  * ||dE_T/ds_k|| for k = 1..T (s_k is h_k, or the pair (h_k, c_k) for the LSTM);
  * the spectral norm ||ds_T/ds_k||_2 (an estimate from below, see below);
  * ||dE_L/ds_1||, the gradient that reaches the first step, for a range of sequence lengths L;
  * the norm of the whole parameter gradient of E_T, and what norm clipping does to it;
  * for the vanilla RNN, the Pascanu-Mikolov-Bengio bound ||dh_T/dh_k|| <= (gamma sigma_max(W_hh))^(T-k).

How it is fast. One backward sweep per cell propagates a small block of row vectors through the
vector-Jacobian products of the steps (no Jacobian is ever formed): row 0 is dE_T/ds_k, a few rows
track the spectral norm, and one row per sequence length L joins the block at step L. Every few steps
each row is rescaled to unit length and its log-scale is accumulated, so nothing overflows or
underflows: a norm of 1e500 is carried as its logarithm and only capped when it is displayed.
`core.gradients.reference` computes the same curves the slow way (explicit Jacobians, full matrix products,
np.linalg.norm(., 2) at every k) and is the test oracle.

The spectral norm, honestly. sigma_1(P_k) with P_k = ds_T/ds_k is max over unit u of ||P_k^T u||. We
track P_k^T u for an orthonormal set of directions u at step T (the rows) and report the largest
singular value of that block: never above the true norm, and equal to it when the rows span the whole
state. When the state has at most EXACT_DIM entries the rows are the identity and the result is exact.
Otherwise the rows are chosen to contain the dominant output directions of the last few steps: for
each window length d in 1, 2, 4, ..., 64 a random vector is pushed forward through the last d steps,
back and forward again (one step of randomized subspace iteration on ds_T/ds_{T-d}), and the results
plus the loss direction are orthonormalised. After WINDOW steps the block is cut to its KEEP dominant
directions, which is what long products converge to. Tests compare it with np.linalg.norm(J, 2).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from core.gradients import cells
from core.rnn.activations import ACTIVATIONS, sigmoid

INPUT_DIM = 16  # D: inputs are (T, D) Gaussian vectors times the input scale
OUTPUTS = 16  # V: size of the softmax output that E_T is computed from
CAP_LOG10 = 300.0  # values beyond 1e300 (or below 1e-300) are capped for display and flagged
STATE_CAP = 1e100  # a forward state beyond this has exploded; the run stops there (before float overflow)
EXACT_DIM = 8  # state sizes up to this get the exact spectral norm (the tracked rows are the identity)
WINDOW = 64  # steps over which the spectral block is wide, and the longest anchor window
KEEP = 3  # rows of the spectral block kept after WINDOW steps
LENGTHS = 12  # sequence lengths at which the gradient reaching step 1 is measured
INITS = ("normal", "orthogonal", "identity")
NORMS = ("radius", "singular")
MODELS = ("vanilla", "lstm", "gru")
LABELS = {"vanilla": "Vanilla RNN", "lstm": "LSTM", "gru": "GRU"}
IN_TEXT = {"vanilla": "vanilla RNN", "lstm": "LSTM", "gru": "GRU"}
LIMITS = {"T": (1, 1000), "hidden": (1, 256), "scale": (0.1, 3.0), "input_scale": (0.0, 5.0),
          "gate_bias": (-5.0, 5.0), "clip": (1e-3, 1e3)}


@dataclass(frozen=True)
class DecayConfig:
    T: int = 100  # sequence length; E_T sits on the last step
    hidden: int = 32  # H, the same for the three cells
    scale: float = 0.8  # every recurrent matrix is scaled to this largest singular value / spectral radius
    norm: str = "singular"  # "singular" (largest singular value, what the bound uses) or "radius" (max |eigenvalue|)
    activation: str = "tanh"  # the state non-linearity; LSTM and GRU gates stay sigmoids
    init: str = "normal"  # recurrent matrices: "normal" (scaled Gaussian), "orthogonal" or "identity"
    input_scale: float = 1.0  # standard deviation of each input's contribution to a pre-activation
    gate_bias: float = 1.0  # bias of the gate that keeps memory: LSTM forget gate, GRU update gate
    clip: float = 1.0  # norm clipping threshold for the parameter gradient of E_T
    seed: int = 0

    def validate(self) -> None:
        """Raise ValueError naming the setting and its range when something is out of bounds."""
        for name, (lo, hi) in LIMITS.items():
            v = getattr(self, name)
            if not (isinstance(v, int | float) and math.isfinite(v) and lo <= v <= hi):
                raise ValueError(f"{name} must be between {lo:g} and {hi:g} (got {v!r})")
        for name, allowed in (("norm", NORMS), ("init", INITS), ("activation", tuple(ACTIVATIONS))):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)} (got {getattr(self, name)!r})")


# --------------------------------------------------------------------------------------------- networks


@dataclass
class Blocks:
    """Unit-norm recurrent blocks (H, H) for each cell, before scaling; depends only on H, init, norm, seed."""

    H: int
    init: str
    norm: str
    seed: int
    vanilla: list[np.ndarray]  # [W_hh]
    lstm: list[np.ndarray]  # [W_hi, W_hf, W_hg, W_ho]
    gru: list[np.ndarray]  # [W_hz, W_hr, W_hn]
    sigma_vanilla: float  # largest singular value of the unit vanilla block (1 unless normal + radius)


def _unit_block(H: int, init: str, norm: str, rng: np.random.Generator) -> np.ndarray:
    """One (H, H) recurrent matrix with spectral radius 1 or largest singular value 1."""
    if init == "identity":
        return np.eye(H)
    A = rng.normal(0.0, 1.0 / math.sqrt(H), size=(H, H))  # (H, H)
    if init == "orthogonal":
        Q, R = np.linalg.qr(A)
        return Q * np.where(np.diag(R) < 0, -1.0, 1.0)  # sign fix: Haar-distributed; radius = sigma = 1
    if norm == "radius":
        return A / np.max(np.abs(np.linalg.eigvals(A)))
    return A / np.linalg.norm(A, 2)


def recurrent_blocks(H: int, init: str, norm: str, seed: int) -> Blocks:
    """The expensive, cacheable part: 8 eigen- or singular-value decompositions for the normal init."""
    if init not in INITS or norm not in NORMS:
        raise ValueError(f"init must be one of {INITS} and norm one of {NORMS}")
    rng = np.random.default_rng((seed, 1))  # stream 1: recurrent weights
    blocks = [_unit_block(H, init, norm, rng) for _ in range(8)]
    sigma = float(np.linalg.norm(blocks[0], 2)) if (init == "normal" and norm == "radius") else 1.0
    return Blocks(H, init, norm, seed, blocks[:1], blocks[1:5], blocks[5:], sigma)


@dataclass
class Networks:
    """The three cells, their shared inputs and readout, for one configuration."""

    vanilla: cells.VanillaParams
    lstm: cells.LSTMParams
    gru: cells.GRUParams
    X: np.ndarray  # (T, D) inputs, shared by the three cells
    W_hy: np.ndarray  # (V, H) readout producing the logits of E_t
    targets: np.ndarray  # (T,) the target class of every step
    sigma_max: float  # largest singular value of the vanilla W_hh


def build_networks(cfg: DecayConfig, blocks: Blocks | None = None) -> Networks:
    """Scale the unit blocks to cfg.scale and draw inputs, input weights and readout from cfg.seed."""
    H, D, T = cfg.hidden, INPUT_DIM, cfg.T
    if blocks is None:
        blocks = recurrent_blocks(H, cfg.init, cfg.norm, cfg.seed)
    assert (blocks.H, blocks.init, blocks.norm, blocks.seed) == (H, cfg.init, cfg.norm, cfg.seed), \
        "the recurrent blocks were built for other settings"
    rng = np.random.default_rng((cfg.seed, 2))  # stream 2: input weights and readout
    W_x = rng.normal(0.0, 1.0 / math.sqrt(D), size=(8 * H, D))  # rows for 1 + 4 + 3 blocks
    W_hy = rng.normal(0.0, 1.0 / math.sqrt(H), size=(OUTPUTS, H))  # (V, H)
    data = np.random.default_rng((cfg.seed, 3))  # stream 3: the sequence; a longer T extends it
    X = cfg.input_scale * data.normal(size=(T, D))  # (T, D)
    targets = data.integers(0, OUTPUTS, size=T)
    s = cfg.scale
    b_lstm = np.zeros(4 * H)
    b_lstm[H:2 * H] = cfg.gate_bias  # forget gate: f = sigmoid(bias) keeps that share of c per step
    b_gru = np.zeros(3 * H)
    b_gru[:H] = cfg.gate_bias  # update gate: z = sigmoid(bias) keeps that share of h per step
    return Networks(
        cells.VanillaParams(W_x[:H], s * blocks.vanilla[0], np.zeros(H)),
        cells.LSTMParams(W_x[H:5 * H], s * np.vstack(blocks.lstm), b_lstm),
        cells.GRUParams(W_x[5 * H:], s * np.vstack(blocks.gru), b_gru),
        X, W_hy, targets, s * blocks.sigma_vanilla,
    )


def output_gradients(W_hy: np.ndarray, h: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """(T, H) dE_t/dh_t = W_hy^T (softmax(W_hy h_t) - onehot(target_t)) for every step at once."""
    y = h @ W_hy.T  # (T,H)@(H,V) -> (T,V)
    p = np.exp(y - y.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(targets)), targets] -= 1.0
    return p @ W_hy  # (T,V)@(V,H) -> (T,H)


# ------------------------------------------------------------------------------- fast forward passes
# The cells in core.gradients.cells are written for reading; these loops compute the same traces with the fewest
# NumPy calls per step (preallocated rows, in-place ufuncs), because at T = 1000 the per-call overhead,
# not the arithmetic, is what costs. tests/test_decay.py checks them against core.gradients.cells.


def _overflowed(rows: np.ndarray) -> int | None:
    """Index of the first row whose largest |entry| passes STATE_CAP (or is not finite), else None."""
    bad = ~(np.max(np.abs(rows), axis=1) <= STATE_CAP)
    return int(np.argmax(bad)) if bad.any() else None


def _stop_early(act: str) -> bool:
    return ACTIVATIONS[act].f(np.array([1e9]))[0] > 1e6  # unbounded activations can blow the state up


def fast_vanilla_forward(p: cells.VanillaParams, X: np.ndarray, act: str) -> cells.VanillaTrace:
    T, H = X.shape[0], p.hidden
    f = ACTIVATIONS[act].f
    z = X @ p.W_xh.T + p.b_h  # (T, H): the input terms, then the recurrence is added row by row
    h = np.empty((T, H))
    zr, hr = list(z), list(h)
    check = _stop_early(act)
    W, dot, add = p.W_hh, np.dot, np.add
    buf = np.empty(H)
    h_prev = np.zeros(H)
    tanh = act == "tanh"
    for t in range(T):
        dot(W, h_prev, out=buf)  # (H,H)@(H,)
        add(zr[t], buf, out=zr[t])
        if tanh:
            np.tanh(zr[t], out=hr[t])
        else:
            hr[t][:] = f(zr[t])
        h_prev = hr[t]
        if check and t % 16 == 15:
            bad = _overflowed(h[t - 15:t + 1])
            if bad is not None:
                T = max(t - 15 + bad, 1)
                break
    if check and T == X.shape[0]:
        bad = _overflowed(h[T - T % 16:T]) if T % 16 else None
        if bad is not None:
            T = max(T - T % 16 + bad, 1)
    return cells.VanillaTrace(z[:T], h[:T], np.zeros(H), act)


def fast_lstm_forward(p: cells.LSTMParams, X: np.ndarray, act: str) -> cells.LSTMTrace:
    """The rows of W_h and of the input terms are reordered to i, f, o, g, so the three sigmoid gates are
    one contiguous block (one sigmoid call per step) and the candidate another."""
    T, H = X.shape[0], p.hidden
    phi = ACTIVATIONS[act].f
    H2, H3 = 2 * H, 3 * H
    perm = np.r_[0:H2, H3:4 * H, H2:H3]  # rows i, f, o, g of the (4H, .) blocks stored as i, f, g, o
    W = p.W_h[perm]  # (4H, H)
    a = (X @ p.W_x.T + p.b)[:, perm]  # (T, 4H): input terms; the recurrent term is added row by row
    u = np.empty((T, 4 * H))  # the gates i, f, o, g
    c = np.empty((T + 1, H))
    c[0] = 0.0
    h = np.empty((T + 1, H))
    h[0] = 0.0
    phi_c = np.empty((T, H))
    ig = np.empty(H)
    rec = np.empty(4 * H)
    ar, ur, cr, hr, pr = list(a), list(u), list(c), list(h), list(phi_c)
    dot, add, mul, tanh = np.dot, np.add, np.multiply, np.tanh
    is_tanh, check = act == "tanh", _stop_early(act)
    for t in range(T):
        at, ut = ar[t], ur[t]
        dot(W, hr[t], out=rec)  # (4H,H)@(H,)
        add(at, rec, out=at)
        sigmoid(at[:H3], out=ut[:H3])  # i, f, o
        o = ut[H2:H3]
        if is_tanh:
            tanh(at[H3:], out=ut[H3:])  # the candidate g
        else:
            ut[H3:] = phi(at[H3:])
        ct = cr[t + 1]
        mul(ut[H:H2], cr[t], out=ct)  # f * c_{t-1}
        mul(ut[:H], ut[H3:], out=ig)  # i * g
        add(ct, ig, out=ct)
        if is_tanh:
            tanh(ct, out=pr[t])
        else:
            pr[t][:] = phi(ct)
        mul(o, pr[t], out=hr[t + 1])  # h = o * phi(c)
        if check and t % 16 == 15:
            bad = _overflowed(np.hstack([h[t - 14:t + 2], c[t - 14:t + 2]]))
            if bad is not None:
                T = max(t - 15 + bad, 1)
                break
    if check and T == X.shape[0] and T % 16:
        bad = _overflowed(np.hstack([h[T - T % 16 + 1:T + 1], c[T - T % 16 + 1:T + 1]]))
        if bad is not None:
            T = max(T - T % 16 + bad, 1)
    a = a[:T][:, np.argsort(perm)]  # back to the order i, f, g, o
    return cells.LSTMTrace(a, u[:T, :H], u[:T, H:H2], u[:T, H3:], u[:T, H2:H3], c[1:T + 1], phi_c[:T],
                           h[1:T + 1], np.zeros(H), np.zeros(H), act)


def fast_gru_forward(p: cells.GRUParams, X: np.ndarray, act: str) -> cells.GRUTrace:
    T, H = X.shape[0], p.hidden
    phi = ACTIVATIONS[act].f
    a = X @ p.W_x.T + p.b  # (T, 3H): input terms of z, r and n; the recurrent terms are added row by row
    W_zr = p.W_h[:2 * H]  # (2H, H)
    W_n = p.W_h[2 * H:]  # (H, H)
    zr = np.empty((T, 2 * H))
    n = np.empty((T, H))
    h = np.empty((T + 1, H))
    h[0] = 0.0
    rec = np.empty(2 * H)
    rh = np.empty(H)
    tmp = np.empty(H)
    ar, zrr, nr, hr = list(a), list(zr), list(n), list(h)
    dot, add, mul, sub, tanh = np.dot, np.add, np.multiply, np.subtract, np.tanh
    is_tanh, check = act == "tanh", _stop_early(act)
    H2 = 2 * H
    for t in range(T):
        hp, at, g = hr[t], ar[t], zrr[t]
        dot(W_zr, hp, out=rec)  # (2H,H)@(H,)
        azr = at[:H2]
        add(azr, rec, out=azr)
        sigmoid(azr, out=g)  # z, r
        mul(g[H:], hp, out=rh)  # r * h_{t-1}
        an = at[H2:]
        dot(W_n, rh, out=tmp)  # (H,H)@(H,)
        add(an, tmp, out=an)
        if is_tanh:
            tanh(an, out=nr[t])
        else:
            nr[t][:] = phi(an)
        sub(hp, nr[t], out=tmp)
        mul(tmp, g[:H], out=tmp)
        add(nr[t], tmp, out=hr[t + 1])  # h = n + z * (h_{t-1} - n)
        if check and t % 16 == 15:
            bad = _overflowed(h[t - 14:t + 2])
            if bad is not None:
                T = max(t - 15 + bad, 1)
                break
    if check and T == X.shape[0] and T % 16:
        bad = _overflowed(h[T - T % 16 + 1:T + 1])
        if bad is not None:
            T = max(T - T % 16 + bad, 1)
    a = a[:T]
    return cells.GRUTrace(a, zr[:T, :H], zr[:T, H:], n[:T], h[1:T + 1], np.zeros(H), act)


# ---------------------------------------------------------------------------- row-form step operators
# A row vector v holds dE/ds_t; v J_t is dE/ds_{t-1} (a vector-Jacobian product). For tangents, a row holds
# ds_{t-1} and J_t v is ds_t. Each operator owns two buffers of shape (P, width, Hp): P parts of Hp entries
# per row (the LSTM's rows have an h part and a c part, P = 2; otherwise P = 1), so every part of a block
# of rows is a contiguous (w, Hp) matrix. back/fwd read buffer `cur` and write the other one. Steps are
# numbered t = 1..T as in core.gradients.cells; the factors of step t sit in row t - 1. The views each width needs
# are made once and cached: at T = 1000 the overhead of NumPy calls, not arithmetic, is the cost.


class _Ops:
    P: int = 1

    def __init__(self, Hp: int, width: int):
        self.Hp, self.S, self.width = Hp, self.P * Hp, width
        self.bufs = (np.zeros((self.P, width, Hp)), np.zeros((self.P, width, Hp)))
        self._cache: dict = {}

    def views(self, w: int, cur: int):
        key = (w, cur)
        if key not in self._cache:
            self._cache[key] = self._make_views(self.bufs[cur][:, :w], self.bufs[1 - cur][:, :w], w)
        return self._cache[key]

    def _make_views(self, src, dst, w): ...

    def back(self, t: int, w: int, cur: int) -> None: ...

    def fwd(self, t: int, w: int, cur: int) -> None: ...


class _VanillaOps(_Ops):
    def __init__(self, p: cells.VanillaParams, fac: cells.VanillaFactors, width: int):
        super().__init__(p.hidden, width)
        self.W, self.WT = p.W_hh, np.ascontiguousarray(p.W_hh.T)
        self.fp = list(fac.fprime)
        self.tmp = np.empty((width, self.Hp))

    def _make_views(self, src, dst, w):
        return src[0], dst[0], self.tmp[:w]

    def back(self, t, w, cur):
        src, dst, tmp = self.views(w, cur)
        np.multiply(src, self.fp[t - 1], out=tmp)  # dE/dz_t = f'(z_t) * dE/dh_t
        np.dot(tmp, self.W, out=dst)  # dE/dh_{t-1} = W_hh^T dE/dz_t, in row form

    def fwd(self, t, w, cur):
        src, dst, _ = self.views(w, cur)
        np.dot(src, self.WT, out=dst)  # W_hh dh_{t-1}
        np.multiply(dst, self.fp[t - 1], out=dst)


class _LSTMOps(_Ops):
    P = 2  # rows are (h part, c part)

    def __init__(self, p: cells.LSTMParams, fac: cells.LSTMFactors, width: int):
        super().__init__(p.hidden, width)
        H = self.Hp
        self.W = p.W_h  # (4H, H) rows i, f, g, o
        self.WT = np.ascontiguousarray(p.W_h.T)  # (H, 4H)
        self.alpha, self.beta, self.f = list(fac.alpha), list(fac.beta), list(fac.f)
        self.gamma = list(fac.gamma)  # (3, H) each: i, f, g
        self.dc_all = np.empty((width, H))
        self.da = np.empty((width, 4, H))
        self.tmp = np.empty((width, H))

    def _make_views(self, src, dst, w):
        da = self.da[:w]
        return (src[0], src[1], dst[0], dst[1], self.dc_all[:w], self.dc_all[:w, None, :], da[:, :3], da[:, 0],
                da[:, 1], da[:, 2], da[:, 3], da.reshape(w, 4 * self.Hp), self.tmp[:w])

    def back(self, t, w, cur):
        dh, dc, dh2, dc2, dc_all, dc_all3, da_ifg, _, _, _, da_o, da2, _ = self.views(w, cur)
        k = t - 1
        np.multiply(dh, self.alpha[k], out=dc_all)
        np.add(dc_all, dc, out=dc_all)  # c_t reaches E directly and through h_t = o * phi(c_t)
        np.multiply(self.gamma[k], dc_all3, out=da_ifg)  # input, forget and candidate gates
        np.multiply(dh, self.beta[k], out=da_o)  # output gate
        np.dot(da2, self.W, out=dh2)  # W_h^T da, in row form
        np.multiply(dc_all, self.f[k], out=dc2)  # the cell path is only scaled by f

    def fwd(self, t, w, cur):
        dh, dc, dh2, dc2, _, _, da_ifg, da_i, da_f, da_g, da_o, da2, tmp = self.views(w, cur)
        k = t - 1
        np.dot(dh, self.WT, out=da2)  # da = W_h dh_{t-1}
        np.multiply(da_ifg, self.gamma[k], out=da_ifg)
        np.multiply(dc, self.f[k], out=dc2)
        np.add(dc2, da_i, out=dc2)
        np.add(dc2, da_f, out=dc2)
        np.add(dc2, da_g, out=dc2)  # dc_t = f dc_{t-1} + the three gate terms
        np.multiply(dc2, self.alpha[k], out=dh2)
        np.multiply(da_o, self.beta[k], out=tmp)
        np.add(dh2, tmp, out=dh2)  # dh_t = o phi'(c_t) dc_t + phi(c_t) o(1-o) da_o


class _GRUOps(_Ops):
    def __init__(self, p: cells.GRUParams, fac: cells.GRUFactors, width: int):
        super().__init__(p.hidden, width)
        H = self.Hp
        self.W_zr, self.W_n = p.W_h[:2 * H], p.W_h[2 * H:]
        self.W_zrT, self.W_nT = np.ascontiguousarray(self.W_zr.T), np.ascontiguousarray(self.W_n.T)
        self.z, self.r = list(fac.z), list(fac.r)
        self.kz, self.kn, self.kr = list(fac.kappa_z), list(fac.kappa_n), list(fac.kappa_r)
        self.da = np.empty((width, 2, H))
        self.dan = np.empty((width, H))
        self.q = np.empty((width, H))
        self.tmp = np.empty((width, H))

    def _make_views(self, src, dst, w):
        da = self.da[:w]
        return (src[0], dst[0], da[:, 0], da[:, 1], da.reshape(w, 2 * self.Hp), self.dan[:w], self.q[:w],
                self.tmp[:w])

    def back(self, t, w, cur):
        src, dst, da_z, da_r, da2, dan, q, tmp = self.views(w, cur)
        k = t - 1
        np.multiply(src, self.kn[k], out=dan)  # da_n
        np.multiply(src, self.kz[k], out=da_z)
        np.dot(dan, self.W_n, out=q)  # gradient reaching r * h_{t-1}
        np.multiply(q, self.kr[k], out=da_r)
        np.dot(da2, self.W_zr, out=dst)  # through the two gates
        np.multiply(src, self.z[k], out=tmp)
        np.add(dst, tmp, out=dst)  # directly, z * dh
        np.multiply(q, self.r[k], out=tmp)
        np.add(dst, tmp, out=dst)  # through r * h_{t-1}

    def fwd(self, t, w, cur):
        src, dst, da_z, da_r, da2, dan, q, tmp = self.views(w, cur)
        k = t - 1
        np.dot(src, self.W_zrT, out=da2)  # [da_z, da_r] = W_hzr dh_{t-1}
        np.multiply(src, self.r[k], out=q)
        np.multiply(da_r, self.kr[k], out=tmp)
        np.add(q, tmp, out=q)  # d(r * h_{t-1})
        np.dot(q, self.W_nT, out=dan)  # da_n = W_hn d(r * h_{t-1})
        np.multiply(src, self.z[k], out=dst)
        np.multiply(da_z, self.kz[k], out=tmp)
        np.add(dst, tmp, out=dst)
        np.multiply(dan, self.kn[k], out=tmp)
        np.add(dst, tmp, out=dst)


# ------------------------------------------------------------------------------------------- sweeps


def _rows(B: np.ndarray) -> np.ndarray:
    """(w, S) copy of the rows of a (P, w, Hp) block, each row the state vector (h part, then c part)."""
    return B.transpose(1, 0, 2).reshape(B.shape[1], -1)


def _set_rows(B: np.ndarray, M: np.ndarray) -> None:
    """Write a (w, S) matrix of rows into a (P, w, Hp) block."""
    B[...] = M.reshape(M.shape[0], B.shape[0], B.shape[2]).transpose(1, 0, 2)


def _renorm(B: np.ndarray, rows: slice, logs: np.ndarray) -> None:
    """Scale a slice of rows of the (P, w, Hp) block B to unit length, adding log(norm) to logs[rows]."""
    sub = B[:, rows]  # a view: scaled in place
    n = np.sqrt(np.einsum("pwh,pwh->w", sub, sub))
    with np.errstate(divide="ignore"):
        logs[rows] += np.log(n)  # a row that is exactly zero stays zero, with log-scale -inf
    n[n == 0] = 1.0
    sub /= n[None, :, None]


def _unit_rows(B: np.ndarray) -> None:
    """Scale each row of a (P, w, Hp) block to unit length in place (zero rows stay zero); scales are not kept."""
    n = np.sqrt(np.einsum("pwh,pwh->w", B, B))
    n[n == 0] = 1.0
    B /= n[None, :, None]


def _anchor_rows(ops: _Ops, T: int, rng: np.random.Generator) -> np.ndarray:
    """(n, S) directions at step T that dominate ds_T/ds_{T-d} for d = 1, 2, 4, ..., WINDOW.

    One row per window length d starts at step T - d with a random vector and is pushed forward to T
    (a randomized range finder), sent back to T - d and forward again (one power step), so each row
    leans towards the top left singular vector of its own window's product.
    """
    ds = [d for d in (2 ** j for j in range(16)) if d <= min(WINDOW, T - 1)][::-1]  # longest first
    n = len(ds)
    if n == 0:
        return np.empty((0, ops.S))
    start = ops.bufs[0][:, :n].copy()  # (P, n, Hp) start vectors, row i for window ds[i]
    _set_rows(start, rng.normal(size=(n, ops.S)))
    cur = 0
    for sweep in range(3):  # forward, back, forward
        if sweep != 1:
            w = 0
            for t in range(T - ds[0] + 1, T + 1):
                while w < n and T - ds[w] == t - 1:  # row w joins at step T - d
                    ops.bufs[cur][:, w] = start[:, w]
                    w += 1
                ops.fwd(t, w, cur)
                cur = 1 - cur
                if (T - t) % 16 == 0:  # only directions matter here, so scales are dropped
                    _unit_rows(ops.bufs[cur][:, :w])
        else:
            w = n
            for t in range(T, T - ds[0], -1):
                ops.back(t, w, cur)
                cur = 1 - cur
                while w and T - t + 1 == ds[w - 1]:  # the shortest window has gone back far enough
                    start[:, w - 1] = ops.bufs[cur][:, w - 1]
                    w -= 1
                if (T - t) % 16 == 15 and w:
                    _unit_rows(ops.bufs[cur][:, :w])
            _unit_rows(start)
            dead = ~np.any(start.reshape(-1, n, ops.Hp) != 0, axis=(0, 2))
            if dead.any():  # a window that maps everything to zero: nothing to learn from it, restart
                fresh = start.copy()
                _set_rows(fresh, rng.normal(size=(n, ops.S)))
                start[:, dead] = fresh[:, dead]
    return _rows(ops.bufs[cur][:, :n])


@dataclass
class SweepResult:
    grad_log10: np.ndarray  # (T,) log10 ||dE_T/ds_k|| for k = T, T-1, ..., 1 (distance 0..T-1)
    jac_log10: np.ndarray  # (T,) log10 of the spectral-norm estimate of ds_T/ds_k, same order
    first_lengths: np.ndarray  # (n,) sequence lengths L
    first_log10: np.ndarray  # (n,) log10 ||dE_L/ds_1||
    grad_rows: np.ndarray  # (T, S) unit rows of dE_T/ds_k for k = 1..T (time order)
    grad_logs: np.ndarray  # (T,) their natural-log scales
    exact_spectral: bool


def lengths_for(T: int) -> np.ndarray:
    """Sequence lengths at which the first-step gradient is measured: up to LENGTHS, spread geometrically.

    Each length L < T is one more row in the backward sweep from step L down, so fewer, geometrically
    spaced lengths keep the block narrow where it is long-lived."""
    return np.unique(np.round(np.geomspace(1, T, num=min(T, LENGTHS))).astype(int))


def backward_sweep(ops: _Ops, g: np.ndarray, rng: np.random.Generator) -> SweepResult:
    """One pass from step T to step 1 carrying the loss row, the spectral block and the length rows.

    g is (T, S): dE_t/ds_t for every t (zero in the LSTM's c part), the loss gradient of each step.
    Rows of the block: 0 is dE_T/ds_k; 1..m track the spectral norm; then one row per length L < T,
    joining at step L (sorted so the active rows are always a prefix).
    """
    T, S = g.shape
    P, Hp = ops.P, ops.Hp
    exact = S <= EXACT_DIM
    if exact:
        U = np.eye(S)
    else:
        A = _anchor_rows(ops, T, rng)
        Q, _ = np.linalg.qr(np.vstack([g[-1][None, :], A]).T)  # (S, m): the loss direction comes first
        U = Q.T
    m = len(U)
    lengths = lengths_for(T)
    join = [int(L) for L in lengths[::-1] if L < T]  # rows for L = T reuse row 0
    assert 1 + m + len(join) <= ops.width, "the operator's buffers are too narrow for this sweep"
    g3 = g.reshape(T, P, Hp)
    cur = 0
    B = ops.bufs[cur]
    B[:, 0] = g3[-1]
    _set_rows(B[:, 1:1 + m], U)
    logs = np.zeros(ops.width)
    _renorm(B, slice(0, 1), logs)
    # what is recorded at each distance d = T - k: the loss row and the spectral rows, in one copy
    n_wide = min(T, WINDOW + 1)
    rec_wide = np.empty((n_wide, P, 1 + m, Hp))
    m_narrow = m if exact else min(m, KEEP)
    rec_narrow = np.empty((T - n_wide, P, 1 + m_narrow, Hp))
    grad_logs = np.empty(T)  # by distance
    spec_logs = np.empty(T)
    w = 1 + m
    head = [ops.bufs[0][:, :1 + m], ops.bufs[1][:, :1 + m]]  # views of rows 0..m of each buffer
    nxt = 0  # next length row to join
    spec_log = 0.0
    for k in range(T, 0, -1):
        while nxt < len(join) and join[nxt] == k:
            B = ops.bufs[cur]
            B[:, w] = g3[k - 1]
            logs[w] = 0.0
            _renorm(B, slice(w, w + 1), logs)
            w += 1
            nxt += 1
        d = T - k
        if d < n_wide:
            rec_wide[d] = head[cur]
        else:
            rec_narrow[d - n_wide] = head[cur]
        grad_logs[d] = logs[0]
        spec_logs[d] = spec_log
        if k == 1:
            break
        if d == WINDOW and m > KEEP and not exact:
            # keep the dominant directions of the product so far; rows stay orthonormal combinations of U
            B = ops.bufs[cur]
            _, sv, Vt = np.linalg.svd(_rows(B[:, 1:1 + m]), full_matrices=False)
            rest = B[:, 1 + m:w].copy()
            _set_rows(B[:, 1:1 + KEEP], sv[:KEEP, None] * Vt[:KEEP])
            B[:, 1 + KEEP:w - m + KEEP] = rest
            logs[1 + KEEP:w - m + KEEP] = logs[1 + m:w].copy()
            w -= m - KEEP
            m = KEEP
            head = [ops.bufs[0][:, :1 + m], ops.bufs[1][:, :1 + m]]
        ops.back(k, w, cur)
        cur = 1 - cur
        if d & 7 == 7:  # every 8 steps: rows back to unit length, their scale moved into the logs
            B = ops.bufs[cur][:, :w]
            n = np.sqrt(np.einsum("pwh,pwh->w", B, B))  # (w,) row norms
            spec_n = float(np.sqrt(np.sum(n[1:1 + m] ** 2)))
            if spec_n > 0:
                spec_log += math.log(spec_n)
                # rows that have fallen 1e100 below the block cannot move its top singular value; zero them
                # before they become subnormal floats, which are a hundred times slower to multiply
                tiny = n[1:1 + m] < 1e-100 * spec_n
                if tiny.any():
                    B[:, 1:1 + m][:, tiny] = 0.0
            else:
                spec_log = -math.inf
            n[1:1 + m] = spec_n  # the spectral rows share one scale
            with np.errstate(divide="ignore"):
                logs[:w] += np.log(n)
            n[n == 0] = 1.0
            B /= n[None, :, None]
    B = ops.bufs[cur]
    first = {}
    for i, L in enumerate(join):  # the length rows now hold dE_L/ds_1
        r = 1 + m + i
        nrm = float(np.sqrt(np.sum(B[:, r] * B[:, r])))
        first[L] = (math.log(nrm) + logs[r]) if nrm > 0 else -math.inf
    grad_rows = np.concatenate([rec_wide[:, :, 0], rec_narrow[:, :, 0]])[::-1].reshape(T, S)  # time order
    grad_logs = grad_logs[::-1].copy()
    nrm = float(np.linalg.norm(grad_rows[0]))
    first[T] = (math.log(nrm) + grad_logs[0]) if nrm > 0 else -math.inf
    ln10 = math.log(10.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        gl = (np.log(np.linalg.norm(grad_rows, axis=1)) + grad_logs)[::-1] / ln10
        sig = np.concatenate([_top_singular(rec_wide[:, :, 1:]), _top_singular(rec_narrow[:, :, 1:])])
        jl = (np.log(sig) + spec_logs) / ln10
    jl[0] = 0.0  # ds_T/ds_T is the identity
    gl[np.isnan(gl)] = -np.inf
    jl[np.isnan(jl)] = -np.inf
    fl = np.array([first[int(L)] for L in lengths]) / ln10
    return SweepResult(gl, jl, lengths, fl, grad_rows, grad_logs, exact)


def _top_singular(blocks: np.ndarray) -> np.ndarray:
    """Largest singular value of each block in a (n, P, m, Hp) stack, via the m x m Gram matrices."""
    n, P, m, Hp = blocks.shape
    if n == 0:
        return np.empty(0)
    M = blocks.transpose(0, 2, 1, 3).reshape(n, m, P * Hp)  # (n, m, S)
    G = np.matmul(M, M.transpose(0, 2, 1))  # (n, m, m)
    return np.sqrt(np.maximum(np.linalg.eigvalsh(G)[:, -1], 0.0))


# ---------------------------------------------------------------------------- parameter gradient


def _param_grad_log10(model: str, p, tr, fac, X: np.ndarray, rows: np.ndarray, logs: np.ndarray) -> float:
    """log10 of the norm of the whole parameter gradient of E_T, from dE_T/ds_k (unit rows + log-scales)."""
    top = np.max(logs)
    if not np.isfinite(top):
        return -math.inf
    wts = np.exp(logs - top)[:, None]  # (T, 1): relative scale of each step, at most 1
    if model == "vanilla":
        da = rows * fac.fprime * wts  # (T, H) dE_T/dz_k, scaled
        parts = [da.T @ X, da.T @ tr.h_prev, da.sum(axis=0)]
    elif model == "lstm":
        H = p.hidden
        dh, dc = rows[:, :H] * wts, rows[:, H:] * wts
        dc_all = dc + fac.alpha * dh
        da = np.concatenate([fac.gamma[:, 0] * dc_all, fac.gamma[:, 1] * dc_all, fac.gamma[:, 2] * dc_all,
                             fac.beta * dh], axis=1)  # (T, 4H), gates i, f, g, o
        parts = [da.T @ X, da.T @ tr.h_prev, da.sum(axis=0)]
    else:
        H = p.hidden
        dh = rows * wts
        da_n = fac.kappa_n * dh
        da_z = fac.kappa_z * dh
        da_r = fac.kappa_r * (da_n @ p.W_h[2 * H:])  # (T, H)
        da = np.concatenate([da_z, da_r, da_n], axis=1)  # (T, 3H)
        h_prev = tr.h_prev
        parts = [da.T @ X, da[:, :2 * H].T @ h_prev, da_n.T @ (tr.r * h_prev), da.sum(axis=0)]
    total = math.sqrt(sum(float(np.sum(a * a)) for a in parts))
    return (top / math.log(10.0) + math.log10(total)) if total > 0 else -math.inf


# ------------------------------------------------------------------------------------------- results


@dataclass
class CellCurves:
    """Everything the playground draws for one cell; log10 values so nothing is ever inf or NaN."""

    model: str
    T_run: int  # steps actually run (less than T when the forward state exploded)
    overflow_step: int | None  # the step at which the state passed STATE_CAP, if it did
    distance: np.ndarray  # (T_run,) T - k
    grad_log10: np.ndarray  # (T_run,) log10 ||dE_T/ds_k||
    jac_log10: np.ndarray  # (T_run,) log10 ||ds_T/ds_k||_2 (exact or estimated from below)
    first_lengths: np.ndarray  # (n,) sequence lengths L
    first_log10: np.ndarray  # (n,) log10 ||dE_L/ds_1||
    param_grad_log10: float  # log10 of the norm of the full parameter gradient of E_T
    clip_log10: float  # log10 of the factor norm clipping multiplies every gradient by (<= 0)
    exact_spectral: bool
    bound_log10: np.ndarray | None = None  # (T_run,) PMB bound, vanilla only
    gamma: float | None = None
    sigma_max: float | None = None
    extra: dict = field(default_factory=dict)


def _curves_for(model: str, p, X, W_hy, targets, act: str, clip: float, rng) -> CellCurves:
    forward = {"vanilla": fast_vanilla_forward, "lstm": fast_lstm_forward, "gru": fast_gru_forward}[model]
    tr = forward(p, X, act)
    T_run = len(tr.h)
    overflow = T_run + 1 if T_run < len(X) else None
    factors = {"vanilla": cells.vanilla_factors, "lstm": cells.lstm_factors, "gru": cells.gru_factors}[model]
    fac = factors(p, tr)
    g = output_gradients(W_hy, tr.h, targets[:T_run])  # (T, H)
    if model == "lstm":
        g = np.hstack([g, np.zeros_like(g)])  # E_t reads h_t only, not c_t
    ops = {"vanilla": _VanillaOps, "lstm": _LSTMOps, "gru": _GRUOps}[model](p, fac, 1 + EXACT_DIM + LENGTHS)
    res = backward_sweep(ops, g, rng)
    pg = _param_grad_log10(model, p, tr, fac, X[:T_run], res.grad_rows, res.grad_logs)
    clip_log10 = min(0.0, math.log10(clip) - pg) if math.isfinite(pg) else 0.0
    return CellCurves(model, T_run, overflow, np.arange(T_run), res.grad_log10, res.jac_log10,
                      res.first_lengths, res.first_log10, pg, clip_log10, res.exact_spectral)


def decay_curves(cfg: DecayConfig, blocks: Blocks | None = None,
                 models: tuple[str, ...] = MODELS) -> dict[str, CellCurves]:
    """The curves of each requested cell for one configuration (pass `blocks` to reuse the costly part)."""
    cfg.validate()
    nets = build_networks(cfg, blocks)
    out = {}
    for model in models:
        rng = np.random.default_rng((cfg.seed, 4, MODELS.index(model)))  # stream 4: spectral anchors
        p = getattr(nets, model)
        c = _curves_for(model, p, nets.X, nets.W_hy, nets.targets, cfg.activation, cfg.clip, rng)
        if model == "vanilla":
            c.gamma = ACTIVATIONS[cfg.activation].gamma
            c.sigma_max = nets.sigma_max
            with np.errstate(divide="ignore"):
                c.bound_log10 = c.distance * math.log10(c.gamma * nets.sigma_max)
        out[model] = c
    return out


# ------------------------------------------------------------------------------------------- display


def display(log10: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(value, capped): 10**log10 clipped to [1e-300, 1e300], and whether it was (exact zeros included)."""
    log10 = np.asarray(log10, dtype=np.float64)
    capped = (log10 > CAP_LOG10) | (log10 < -CAP_LOG10)
    return 10.0 ** np.clip(log10, -CAP_LOG10, CAP_LOG10), capped


def sci(log10: float) -> str:
    """A number given by its log10, short: 0.25, 340, 1.3e-7, 2e+45, 10^512.3 beyond float range, or 0."""
    if log10 == -math.inf:
        return "0"
    if abs(log10) > CAP_LOG10:
        return f"10^{log10:.1f}"
    x = 10.0 ** log10
    if -3 <= log10 < 4:
        return f"{x:.2g}" if x < 100 else f"{x:.0f}"
    return f"{x:.2g}".replace("e-0", "e-").replace("e+0", "e+")


def _why_below_bound(activation: str, gap_log10: float) -> str:
    """Why the computed product sits under the bound, in words (nothing when it is close to it)."""
    if gap_log10 <= 2:
        return "."
    if activation in ("tanh", "sigmoid"):
        return ": the activation's derivatives pull the product well under it."
    relu = " and ReLU switches some units off" if activation == "relu" else ""
    return (": powers of W_hh grow like its spectral radius ρ^n, which is below σ_max^n when W_hh is not "
            f"symmetric{relu}.")


def describe(curves: dict[str, CellCurves], cfg: DecayConfig) -> list[str]:
    """Sentences that read the current picture in words (the page's caption), from the computed curves."""
    out = []
    v = curves.get("vanilla")
    first = v or next(iter(curves.values()))
    D = min(50, first.T_run - 1)
    if D < 1:
        return ["With a single step there is no distance to travel: set T to 2 or more."]
    back = f"{D} step{'s' if D != 1 else ''} back"

    def ratio(c: CellCurves) -> float | None:
        """log10 of ||dE_T/ds_(T-D)|| / ||dE_T/ds_T||, or None when the loss sends back nothing at all."""
        last = float(c.grad_log10[0])
        return None if last == -math.inf else float(c.grad_log10[min(D, c.T_run - 1)]) - last

    def how(r: float) -> str:
        if r < -6:
            return "vanishing: below 1e-6"
        if r > 6:
            return "exploding: above 1e6"
        return "neither vanishing nor exploding yet"

    def share(r: float) -> str:
        return f"{sci(r)} of" if r <= 0 else f"{sci(r)} times"

    silent = [IN_TEXT[m] for m, c in curves.items() if ratio(c) is None]
    if v is not None:
        r = ratio(v)
        if r is not None:
            out.append(f"With σ_max(W_hh) = {v.sigma_max:.2f} and {cfg.activation}, the vanilla RNN's gradient from "
                       f"{back} is {share(r)} the last step's ({how(r)}).")
        b = float(v.bound_log10[D]) if v.bound_log10 is not None else None
        if b is not None:
            gap = b - float(v.jac_log10[D])
            out.append(f"The bound (γ·σ_max)^{D} = ({v.gamma:g}·{v.sigma_max:.2f})^{D} = {sci(b)} "
                       + ("equals" if gap < 1e-6 else "sits above")
                       + f" the actual ‖∂h_T/∂h_(T−{D})‖ = {sci(float(v.jac_log10[D]))}"
                       + _why_below_bound(cfg.activation, gap))
    others = [(IN_TEXT[m], ratio(curves[m])) for m in ("lstm", "gru") if m in curves]
    others = [(name, r) for name, r in others if r is not None]
    if others and v is not None and ratio(v) is not None:
        parts = [f"the {name} {'keeps' if r <= 0 else 'multiplies it by'} {sci(r)}" for name, r in others]
        out.append("Over the same distance " + " and ".join(parts) + ".")
    elif others:
        parts = [f"the {name}'s gradient is {share(r)} the last step's" for name, r in others]
        out.append(f"From {back}, " + " and ".join(parts) + ".")
    if silent:
        out.append(f"For the {' and the '.join(silent)} the loss sends back nothing: its softmax is saturated and "
                   "predicts the target with probability 1, so ∂E_T/∂h_T = 0 exactly.")
    clipped = [(IN_TEXT[m], c) for m, c in curves.items() if c.clip_log10 < 0]
    if clipped:
        name, c = max(clipped, key=lambda x: x[1].param_grad_log10)
        out.append(f"Norm clipping at {cfg.clip:g}: the {name}'s whole gradient has norm {sci(c.param_grad_log10)}, "
                   f"so every gradient is multiplied by {sci(c.clip_log10)}. The update stays finite, but near and "
                   "far steps keep the same proportions: clipping fixes the size, not the balance.")
    for m, c in curves.items():
        if c.overflow_step is not None:
            out.append(f"The {IN_TEXT[m]}'s hidden state passed {STATE_CAP:.0e} at step {c.overflow_step}, so its "
                       f"curves stop at T = {c.T_run}: the forward pass itself exploded.")
    return out
