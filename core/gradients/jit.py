"""The compiled path of the decay curves: whether it is used, and the forward passes and sweeps that call it.

`core.gradients.kernels` holds the numba loops; this module turns their results into the same traces
(core.gradients.cells) and SweepResult (core.gradients.sweep) as the NumPy path, which stays the clear
reference and the fallback. The compiled path is used unless

  * the environment sets RNN_TUTOR_JIT=0 (then NumPy, as before numba came in), or
  * numba is not installed or a kernel fails to compile on a small warm-up problem (then NumPy, and the
    reason is logged once as a warning).

numba keeps the compiled code between processes (cache=True): in `__pycache__` beside kernels.py, or in
NUMBA_CACHE_DIR when that is set (numba itself falls back to a per-user folder when the source folder is
not writable). A fresh clone compiles once, in a few seconds; later processes load the cache.
"""
from __future__ import annotations

import logging
import os

import numpy as np

from core.gradients import cells
from core.gradients.sweep import (
    EXACT_DIM,
    KEEP,
    LENGTHS,
    WINDOW,
    SweepResult,
    lengths_for,
    sweep_result,
    top_singular_rows,
)

ENV = "RNN_TUTOR_JIT"
KIND = {"vanilla": 0, "lstm": 1, "gru": 2}
ACT = {"tanh": 0, "sigmoid": 1, "relu": 2, "identity": 3}
FACTOR_FIELDS = {  # how each cell's factors are packed into F (T, nf, H) for the kernels
    "vanilla": lambda f: [f.fprime],
    "lstm": lambda f: [f.alpha, f.gamma[:, 0], f.gamma[:, 1], f.gamma[:, 2], f.beta, f.f],
    "gru": lambda f: [f.z, f.kappa_z, f.kappa_n, f.r, f.kappa_r],
}
log = logging.getLogger(__name__)
_state: dict = {}  # "kernels": the module once it has compiled, "reason": why the NumPy path is used


def status() -> tuple[bool, str]:
    """(compiled path in use, why or why not); the first call compiles (or loads) the kernels."""
    if "ok" not in _state:
        _state["ok"], _state["reason"] = _try_enable()
        if not _state["ok"]:
            log.warning("decay curves use the NumPy path: %s", _state["reason"])
    return _state["ok"], _state["reason"]


def enabled() -> bool:
    return status()[0]


def _try_enable() -> tuple[bool, str]:
    if os.environ.get(ENV, "1").strip() == "0":
        return False, f"{ENV}=0"
    try:
        from core.gradients import kernels
    except Exception as e:  # ImportError without numba; anything numba itself raises on import
        return False, f"numba is not available ({type(e).__name__}: {e})"
    _state["kernels"] = kernels
    try:
        _warm_up()
    except Exception as e:  # a typing or lowering error of this numba/NumPy pair
        _state.pop("kernels", None)
        return False, f"the numba kernels failed to compile ({type(e).__name__}: {str(e).splitlines()[0]})"
    return True, "numba " + __import__("numba").__version__


def _warm_up() -> None:
    """Compile (or load from the cache) every kernel with the argument types the real calls use."""
    from core.gradients.decay import DecayConfig, build_networks, output_gradients

    cfg = DecayConfig(T=70, hidden=5, scale=1.1)  # the LSTM's state (10) is wider than EXACT_DIM, T > WINDOW:
    nets = build_networks(cfg)  # anchors and truncation run too
    for model in KIND:
        p = getattr(nets, model)
        tr = forward(model, p, nets.X, "relu")
        forward(model, p, nets.X, "tanh")
        g = output_gradients(nets.W_hy, tr.h, nets.targets[:len(tr.h)])
        if model == "lstm":
            g = np.hstack([g, np.zeros_like(g)])
        backward_sweep(model, p, cells.KINDS[model].factors(p, tr), g, np.random.default_rng(0))


# ------------------------------------------------------------------------------------------ forward


def _weights(model: str, p) -> tuple[np.ndarray, np.ndarray]:
    W = np.ascontiguousarray(p.W_hh if model == "vanilla" else p.W_h, dtype=np.float64)
    return W, np.ascontiguousarray(W.T)


def _stop_early(act: str) -> bool:
    return act in ("relu", "identity")  # unbounded activations can blow the state up (forward._stop_early)


def forward(model: str, p, X: np.ndarray, act: str):
    """The trace of core.gradients.forward.fast_<model>_forward, from one compiled loop over all steps."""
    K = _state["kernels"]
    W, _ = _weights(model, p)
    T, H = X.shape[0], p.hidden
    code, check = ACT[act], _stop_early(act)
    h = np.zeros((T + 1, H))
    if model == "vanilla":
        z = np.ascontiguousarray(X @ p.W_xh.T + p.b_h)  # (T, H) input terms
        T = K.vanilla_forward(z, W, code, check, h)
        return cells.VanillaTrace(z[:T], h[1:T + 1], np.zeros(H), act)
    if model == "lstm":
        a = np.ascontiguousarray(X @ p.W_x.T + p.b)  # (T, 4H) input terms, gates i, f, g, o
        gates, c, phi_c = np.empty((T, 4 * H)), np.zeros((T + 1, H)), np.empty((T, H))
        T = K.lstm_forward(a, W, code, check, gates, c, phi_c, h)
        return cells.LSTMTrace(a[:T], gates[:T, :H], gates[:T, H:2 * H], gates[:T, 2 * H:3 * H], gates[:T, 3 * H:],
                               c[1:T + 1], phi_c[:T], h[1:T + 1], np.zeros(H), np.zeros(H), act)
    a = np.ascontiguousarray(X @ p.W_x.T + p.b)  # (T, 3H) input terms of z, r and n
    zr, n = np.empty((T, 2 * H)), np.empty((T, H))
    T = K.gru_forward(a, W, code, check, zr, n, h, np.empty((1, H)))
    return cells.GRUTrace(a[:T], zr[:T, :H], zr[:T, H:], n[:T], h[1:T + 1], np.zeros(H), act)


# ------------------------------------------------------------------------------------------- sweeps


class _Kernel:
    """One cell's arguments to the step kernels: kind, W, W^T, packed factors and scratch rows."""

    def __init__(self, model: str, p, fac, width: int):
        self.kind = KIND[model]
        self.W, self.WT = _weights(model, p)
        self.F = np.ascontiguousarray(np.stack(FACTOR_FIELDS[model](fac), axis=1), dtype=np.float64)  # (T, nf, H)
        H = p.hidden
        self.S = 2 * H if model == "lstm" else H
        self.B = np.zeros((2, width, self.S))  # the two row buffers
        self.s1, self.s2 = np.empty((width, 4 * H)), np.empty((width, 2 * H))

    def args(self):
        return self.kind, self.W, self.WT, self.F


def _anchor_rows(k: _Kernel, T: int, rng: np.random.Generator) -> np.ndarray:
    """sweep._anchor_rows with compiled sweeps: the same random draws, the same rows."""
    K = _state["kernels"]
    ds = np.array([d for d in (2 ** j for j in range(16)) if d <= min(WINDOW, T - 1)][::-1], dtype=np.int64)
    n = len(ds)
    if n == 0:
        return np.empty((0, k.S))
    start = np.ascontiguousarray(rng.normal(size=(n, k.S)))
    cur = K.anchor_forward(*k.args(), T, ds, start, k.B, 0, k.s1, k.s2)
    cur = K.anchor_back(*k.args(), T, ds, start, k.B, cur, k.s1, k.s2)
    K.unit_rows(start, n)
    dead = ~np.any(start != 0, axis=1)
    if dead.any():  # a window that maps everything to zero: restart it
        start[dead] = rng.normal(size=(n, k.S))[dead]
    cur = K.anchor_forward(*k.args(), T, ds, start, k.B, cur, k.s1, k.s2)
    return k.B[cur, :n].copy()


def _truncate(R: np.ndarray, ist: np.ndarray, logs: np.ndarray) -> None:
    """sweep._Sweep.truncate on a (width, S) buffer: the spectral block cut to its KEEP dominant directions."""
    w, m = int(ist[2]), int(ist[3])
    _, sv, Vt = np.linalg.svd(R[1:1 + m], full_matrices=False)
    rest = R[1 + m:w].copy()
    R[1:1 + KEEP] = sv[:KEEP, None] * Vt[:KEEP]
    R[1 + KEEP:w - m + KEEP] = rest
    logs[1 + KEEP:w - m + KEEP] = logs[1 + m:w].copy()
    ist[2], ist[3] = w - (m - KEEP), KEEP


def backward_sweep(model: str, p, fac, g: np.ndarray, rng: np.random.Generator) -> SweepResult:
    """core.gradients.sweep.backward_sweep with the step loop compiled: two or three kernel calls per sweep."""
    K = _state["kernels"]
    width = 1 + EXACT_DIM + LENGTHS
    k = _Kernel(model, p, fac, width)
    g = np.ascontiguousarray(g, dtype=np.float64)
    T, S = g.shape
    exact = S <= EXACT_DIM
    if exact:
        U = np.eye(S)
    else:
        Q, _ = np.linalg.qr(np.vstack([g[-1][None, :], _anchor_rows(k, T, rng)]).T)  # the loss direction first
        U = Q.T
    m = len(U)
    lengths = lengths_for(T)
    join = np.array([int(L) for L in lengths[::-1] if L < T], dtype=np.int64)
    assert 1 + m + len(join) <= width, "the row buffers are too narrow for this sweep"
    B = k.B[0]
    B[0], B[1:1 + m] = g[-1], U
    logs = np.zeros(width)
    n0 = float(np.linalg.norm(B[0]))
    logs[0] = np.log(n0) if n0 > 0 else -np.inf
    B[0] /= n0 if n0 > 0 else 1.0
    n_wide = min(T, WINDOW + 1)
    rec_wide = np.empty((n_wide, 1 + m, S))
    rec_narrow = np.empty((T - n_wide, 1 + (m if exact else min(m, KEEP)), S))
    grad_logs, spec_logs = np.empty(T), np.empty(T)
    ist, fst = np.array([0, T, 1 + m, m, 0], dtype=np.int64), np.zeros(1)
    nrm = np.empty(width)
    resume = False
    while K.backward_sweep(*k.args(), g, k.B, ist, fst, join, logs, rec_wide, rec_narrow, grad_logs, spec_logs,
                           k.s1, k.s2, nrm, not exact, resume, WINDOW, KEEP):
        _truncate(k.B[ist[0]], ist, logs)
        resume = True
    R = k.B[ist[0]]
    mm = int(ist[3])
    first = [(float(np.linalg.norm(R[1 + mm + i])), logs[1 + mm + i]) for i in range(len(join))]
    by_distance = np.concatenate([rec_wide[:, 0], rec_narrow[:, 0]])
    sig = np.concatenate([top_singular_rows(rec_wide[:, 1:]), top_singular_rows(rec_narrow[:, 1:])])
    return sweep_result(lengths, [int(L) for L in join], first, by_distance, grad_logs, sig, spec_logs, exact)
