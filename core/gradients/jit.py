"""The compiled path of the decay curves: whether it is used, and the forward passes and sweeps that call it.

`core.gradients.kernels` holds the numba loops; this module turns their results into the same traces
(core.gradients.cells) and SweepResult (core.gradients.sweep) as the NumPy path, which stays the clear
reference and the fallback. The compiled path is used unless

  * the environment sets RNN_TUTOR_JIT=0 (then NumPy, as before numba came in), or
  * numba is not installed or a kernel fails to compile on a small warm-up problem (then NumPy, and the
    reason is logged once as a warning).

numba keeps the compiled code between processes (cache=True): in `__pycache__` beside kernels.py, or in
NUMBA_CACHE_DIR when that is set (numba itself falls back to a per-user folder when the source folder is
not writable). A fresh clone compiles once, in about 20 s; later processes load the cache in under a second.
The app starts that in a background thread (start_background) when it starts, and until it is done the curves
come from the NumPy path (ready() is False): nobody waits 20 s for their first chart.
"""
from __future__ import annotations

import contextlib
import gc
import logging
import os
import threading

import numpy as np

from core.gradients import cells
from core.gradients.forward import _stop_early
from core.gradients.sweep import EXACT_DIM, KEEP, LENGTHS, WINDOW, SweepResult, lengths_for, sweep_result

ENV = "RNN_TUTOR_JIT"
KIND = {"vanilla": 0, "lstm": 1, "gru": 2}
ACT = {"tanh": 0, "sigmoid": 1, "relu": 2, "identity": 3}
# F (T, nf, H) packs each step's factors for the kernels; the cell's *Factors fields are views into it:
FACTOR_VIEWS = {"vanilla": ("fprime",), "lstm": ("alpha", "gamma (3 rows: i, f, g)", "beta", "f"),
                "gru": ("z", "kappa_z", "kappa_n", "r", "kappa_r")}
log = logging.getLogger(__name__)
_state: dict = {}  # "kernels": the module once it has compiled, "reason": why the NumPy path is used
_compile_lock = threading.Lock()  # one compile, however many threads ask
_start_lock = threading.Lock()


def status() -> tuple[bool, str]:
    """(compiled path in use, why or why not); the first call compiles (or loads) the kernels, and a call made
    while another thread compiles waits for it."""
    if "ok" not in _state:
        with _compile_lock:
            if "ok" not in _state:
                ok, reason = _try_enable()
                if not ok:
                    log.warning("decay curves use the NumPy path: %s", reason)
                else:
                    # numba brings ~90,000 long-lived objects (its typing and compiler machinery); a full collection
                    # walks them all (~50 ms here). Frozen, they are never walked again.
                    gc.freeze()
                _state["reason"] = reason
                _state["ok"] = ok  # last: ready() reads it without the lock
    return _state["ok"], _state["reason"]


def start_background() -> None:
    """Compile (or load) the kernels in a daemon thread, once per process; a no-op once started or done."""
    with _start_lock:
        if "ok" in _state or "thread" in _state:
            return
        _state["thread"] = threading.Thread(target=status, name="rnn-tutor-compile-kernels", daemon=True)
        _state["thread"].start()


def ready() -> bool:
    """Whether the compiled path can be used right now, without waiting: False while it compiles, or if it failed.
    Starts the compile in the background if nothing has yet."""
    if "ok" not in _state:
        start_background()
        return False
    return _state["ok"]


def compiling() -> bool:
    """The kernels are being compiled (or loaded) right now, and the curves come from the NumPy path meanwhile."""
    return "ok" not in _state and "thread" in _state


def enabled() -> bool:
    return status()[0]


def one_blas_thread():
    """A context in which NumPy's BLAS runs on one thread: while the cells run side by side on threads of our own,
    OpenBLAS's own threads (which spin while they wait) only compete with them for the two cores."""
    if "blas" not in _state:
        try:
            from threadpoolctl import ThreadpoolController

            _state["blas"] = ThreadpoolController()
        except Exception as e:  # not installed, or no BLAS it knows: then nothing is limited
            log.warning("BLAS threads are not limited while the cells run side by side: %s", e)
            _state["blas"] = None
    controller = _state["blas"]
    return controller.limit(limits=1, user_api="blas") if controller is not None else contextlib.nullcontext()


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
        tr, _, F = forward_and_factors(model, p, nets.X, "relu")
        forward_and_factors(model, p, nets.X, "tanh")
        g = output_gradients(nets.W_hy, tr.h, nets.targets[:len(tr.h)])
        if model == "lstm":
            g = np.hstack([g, np.zeros_like(g)])
        backward_sweep(model, p, F, g, np.random.default_rng(0))


# ------------------------------------------------------------------------------------------ forward


def _weights(model: str, p) -> tuple[np.ndarray, np.ndarray]:
    W = np.ascontiguousarray(p.W_hh if model == "vanilla" else p.W_h, dtype=np.float64)
    return W, np.ascontiguousarray(W.T)


def forward(model: str, p, X: np.ndarray, act: str):
    """The trace of core.gradients.forward.fast_<model>_forward, from one compiled loop over all steps."""
    return forward_and_factors(model, p, X, act)[0]


def forward_and_factors(model: str, p, X: np.ndarray, act: str):
    """(trace, factors, F): the forward pass and every step's local derivatives, each one compiled loop.

    factors is the cell's *Factors (as core.gradients.cells computes them) made of views into F (T, nf, H),
    the packed array the sweep kernels read."""
    K = _state["kernels"]
    W, _ = _weights(model, p)
    T, H = X.shape[0], p.hidden
    code, check = ACT[act], _stop_early(act)
    h = np.zeros((T + 1, H))  # row 0 is h_0
    W_in, b = (p.W_xh, p.b_h) if model == "vanilla" else (p.W_x, p.b)
    a = np.ascontiguousarray(X @ W_in.T + b)  # (T, G*H) the input terms; the kernels add the recurrence
    if model == "vanilla":
        T = K.vanilla_forward(a, W, code, check, h)
        F = np.empty((T, 1, H))
        K.vanilla_factors(a, h, code, F)
        tr = cells.VanillaTrace(a[:T], h[1:T + 1], np.zeros(H), act)
        return tr, cells.VanillaFactors(F[:, 0]), F
    if model == "lstm":
        gates, c, phi_c = np.empty((T, 4 * H)), np.zeros((T + 1, H)), np.empty((T, H))
        T = K.lstm_forward(a, W, code, check, gates, c, phi_c, h)
        F = np.empty((T, 6, H))
        K.lstm_factors(a, gates, c, phi_c, code, F)
        tr = cells.LSTMTrace(a[:T], gates[:T, :H], gates[:T, H:2 * H], gates[:T, 2 * H:3 * H], gates[:T, 3 * H:],
                             c[1:T + 1], phi_c[:T], h[1:T + 1], np.zeros(H), np.zeros(H), act)
        return tr, cells.LSTMFactors(F[:, 0], F[:, 1:4], F[:, 4], F[:, 5]), F
    zr, n = np.empty((T, 2 * H)), np.empty((T, H))
    T = K.gru_forward(a, W, code, check, zr, n, h, np.empty((1, H)))
    F = np.empty((T, 5, H))
    K.gru_factors(a, zr, n, h, code, F)
    tr = cells.GRUTrace(a[:T], zr[:T, :H], zr[:T, H:], n[:T], h[1:T + 1], np.zeros(H), act)
    return tr, cells.GRUFactors(F[:, 0], F[:, 1], F[:, 2], F[:, 3], F[:, 4]), F


# ------------------------------------------------------------------------------------------- sweeps


class _Kernel:
    """One cell's arguments to the step kernels: kind, W, W^T, packed factors and scratch rows."""

    def __init__(self, model: str, p, F: np.ndarray, width: int):
        self.kind = KIND[model]
        self.W, self.WT = _weights(model, p)
        self.F = F  # (T, nf, H), C-contiguous, from forward_and_factors
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


def _top_singular(grams: np.ndarray) -> np.ndarray:
    """Largest singular value of each block of rows from its (n, m, m) Gram matrices."""
    if len(grams) == 0:
        return np.empty(0)
    return np.sqrt(np.maximum(np.linalg.eigvalsh(grams)[:, -1], 0.0))


def backward_sweep(model: str, p, F: np.ndarray, g: np.ndarray, rng: np.random.Generator) -> SweepResult:
    """core.gradients.sweep.backward_sweep with the step loop compiled: two or three kernel calls per sweep.

    F is the packed factors from forward_and_factors."""
    K = _state["kernels"]
    width = 1 + EXACT_DIM + LENGTHS
    k = _Kernel(model, p, F, width)
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
    m_narrow = m if exact else min(m, KEEP)
    rec0 = np.empty((T, S))  # the unit loss row at each distance
    gram_wide, gram_narrow = np.empty((n_wide, m, m)), np.empty((T - n_wide, m_narrow, m_narrow))
    grad_logs, spec_logs = np.empty(T), np.empty(T)
    ist, fst = np.array([0, T, 1 + m, m, 0], dtype=np.int64), np.zeros(1)
    nrm = np.empty(width)
    resume = False
    while K.backward_sweep(*k.args(), g, k.B, ist, fst, join, logs, rec0, gram_wide, gram_narrow, grad_logs,
                           spec_logs, k.s1, k.s2, nrm, not exact, resume, WINDOW, KEEP):
        _truncate(k.B[ist[0]], ist, logs)
        resume = True
    R = k.B[ist[0]]
    mm = int(ist[3])
    first = [(float(np.linalg.norm(R[1 + mm + i])), logs[1 + mm + i]) for i in range(len(join))]
    sig = np.concatenate([_top_singular(gram_wide), _top_singular(gram_narrow)])
    return sweep_result(lengths, [int(L) for L in join], first, rec0, grad_logs, sig, spec_logs, exact)
