"""One backward sweep per cell: the decay curves' fast path, from vector-Jacobian products only.

One backward sweep per cell propagates a small block of row vectors through the
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
from dataclasses import dataclass

import numpy as np

from core.gradients.ops import EXACT_DIM, LENGTHS, Ops

WINDOW = 64  # steps over which the spectral block is wide, and the longest anchor window
KEEP = 3  # rows of the spectral block kept after WINDOW steps


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


def _anchor_rows(ops: Ops, T: int, rng: np.random.Generator) -> np.ndarray:
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


def backward_sweep(ops: Ops, g: np.ndarray, rng: np.random.Generator) -> SweepResult:
    """One pass from step T to step 1 carrying the loss row, the spectral block and the length rows.

    g is (T, S): dE_t/ds_t for every t (zero in the LSTM's c part), the loss gradient of each step.
    Rows of the block: 0 is dE_T/ds_k; 1..m track the spectral norm; then one row per length L < T,
    joining at step L (sorted so the active rows are always a prefix).
    """
    sweep = _Sweep(ops, g, rng)
    for k in range(sweep.T, 0, -1):
        sweep.join_lengths(k)
        sweep.record(k)
        if k == 1:
            break
        if sweep.T - k == WINDOW and sweep.m > KEEP and not sweep.exact:
            sweep.truncate()
        ops.back(k, sweep.w, sweep.cur)
        sweep.cur = 1 - sweep.cur
        if (sweep.T - k) & 7 == 7:  # every 8 steps
            sweep.renormalise()
    return sweep.result()


class _Sweep:
    """The state of one backward sweep: the two row buffers, each row's log-scale, and what was recorded."""

    def __init__(self, ops: Ops, g: np.ndarray, rng: np.random.Generator):
        self.ops, self.g = ops, g
        self.T, S = g.shape
        self.exact = S <= EXACT_DIM
        if self.exact:
            U = np.eye(S)
        else:
            A = _anchor_rows(ops, self.T, rng)
            Q, _ = np.linalg.qr(np.vstack([g[-1][None, :], A]).T)  # (S, m): the loss direction comes first
            U = Q.T
        self.m = len(U)
        self.lengths = lengths_for(self.T)
        self.join = [int(L) for L in self.lengths[::-1] if L < self.T]  # rows for L = T reuse row 0
        assert 1 + self.m + len(self.join) <= ops.width, "the operator's buffers are too narrow for this sweep"
        self.g3 = g.reshape(self.T, ops.P, ops.Hp)
        self.cur = 0
        B = ops.bufs[0]
        B[:, 0] = self.g3[-1]
        _set_rows(B[:, 1:1 + self.m], U)
        self.logs = np.zeros(ops.width)  # natural-log scale of every row
        _renorm(B, slice(0, 1), self.logs)
        # what is recorded at each distance d = T - k: the loss row and the spectral rows, in one copy
        self.n_wide = min(self.T, WINDOW + 1)
        self.rec_wide = np.empty((self.n_wide, ops.P, 1 + self.m, ops.Hp))
        m_narrow = self.m if self.exact else min(self.m, KEEP)
        self.rec_narrow = np.empty((self.T - self.n_wide, ops.P, 1 + m_narrow, ops.Hp))
        self.grad_logs = np.empty(self.T)  # by distance
        self.spec_logs = np.empty(self.T)
        self.spec_log = 0.0
        self.w = 1 + self.m  # rows in use
        self.nxt = 0  # next length row to join
        self._heads()

    def _heads(self) -> None:
        self.head = [self.ops.bufs[0][:, :1 + self.m], self.ops.bufs[1][:, :1 + self.m]]  # views of rows 0..m

    def join_lengths(self, k: int) -> None:
        """Rows for the sequence lengths L = k join the block with the loss gradient of step k."""
        while self.nxt < len(self.join) and self.join[self.nxt] == k:
            B = self.ops.bufs[self.cur]
            B[:, self.w] = self.g3[k - 1]
            self.logs[self.w] = 0.0
            _renorm(B, slice(self.w, self.w + 1), self.logs)
            self.w += 1
            self.nxt += 1

    def record(self, k: int) -> None:
        """Keep the loss row and the spectral rows at distance T - k, with their scales."""
        d = self.T - k
        if d < self.n_wide:
            self.rec_wide[d] = self.head[self.cur]
        else:
            self.rec_narrow[d - self.n_wide] = self.head[self.cur]
        self.grad_logs[d] = self.logs[0]
        self.spec_logs[d] = self.spec_log

    def truncate(self) -> None:
        """Cut the spectral block to its KEEP dominant directions (rows stay orthonormal combinations of U)."""
        m, w = self.m, self.w
        B = self.ops.bufs[self.cur]
        _, sv, Vt = np.linalg.svd(_rows(B[:, 1:1 + m]), full_matrices=False)
        rest = B[:, 1 + m:w].copy()
        _set_rows(B[:, 1:1 + KEEP], sv[:KEEP, None] * Vt[:KEEP])
        B[:, 1 + KEEP:w - m + KEEP] = rest
        self.logs[1 + KEEP:w - m + KEEP] = self.logs[1 + m:w].copy()
        self.w -= m - KEEP
        self.m = KEEP
        self._heads()

    def renormalise(self) -> None:
        """Rows back to unit length, their scale moved into the logs (the spectral rows share one scale)."""
        m = self.m
        B = self.ops.bufs[self.cur][:, :self.w]
        n = np.sqrt(np.einsum("pwh,pwh->w", B, B))  # (w,) row norms
        spec_n = float(np.sqrt(np.sum(n[1:1 + m] ** 2)))
        if spec_n > 0:
            self.spec_log += math.log(spec_n)
            # rows that have fallen 1e100 below the block cannot move its top singular value; zero them
            # before they become subnormal floats, which are a hundred times slower to multiply
            tiny = n[1:1 + m] < 1e-100 * spec_n
            if tiny.any():
                B[:, 1:1 + m][:, tiny] = 0.0
        else:
            self.spec_log = -math.inf
        n[1:1 + m] = spec_n
        with np.errstate(divide="ignore"):
            self.logs[:self.w] += np.log(n)
        n[n == 0] = 1.0
        B /= n[None, :, None]

    def result(self) -> SweepResult:
        """The curves, in log10, from the recorded rows; the length rows now hold dE_L/ds_1."""
        B = self.ops.bufs[self.cur]
        m = self.m
        first = [(float(np.sqrt(np.sum(B[:, 1 + m + i] * B[:, 1 + m + i]))), self.logs[1 + m + i])
                 for i in range(len(self.join))]
        by_distance = np.concatenate([self.rec_wide[:, :, 0], self.rec_narrow[:, :, 0]]).reshape(self.T, -1)
        sig = np.concatenate([_top_singular(self.rec_wide[:, :, 1:]), _top_singular(self.rec_narrow[:, :, 1:])])
        return sweep_result(self.lengths, self.join, first, by_distance, self.grad_logs, sig, self.spec_logs,
                            self.exact)


def sweep_result(lengths, join, first_rows, by_distance, grad_logs, sig, spec_logs, exact) -> SweepResult:
    """The curves in log10 from what a sweep recorded (shared by the NumPy and the compiled sweep).

    first_rows: (norm, log-scale) of the length rows at step 1, in the order of `join`; by_distance (T, S):
    the unit loss rows at distance 0..T-1, grad_logs their log-scales; sig and spec_logs the spectral block's
    top singular value and log-scale at each distance.
    """
    T = len(grad_logs)
    first = {L: ((math.log(nrm) + lg) if nrm > 0 else -math.inf) for L, (nrm, lg) in zip(join, first_rows, strict=True)}
    grad_rows = by_distance[::-1]  # time order
    grad_logs_t = grad_logs[::-1].copy()
    nrm = float(np.linalg.norm(grad_rows[0]))
    first[T] = (math.log(nrm) + grad_logs_t[0]) if nrm > 0 else -math.inf
    ln10 = math.log(10.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        gl = (np.log(np.linalg.norm(grad_rows, axis=1)) + grad_logs_t)[::-1] / ln10
        jl = (np.log(sig) + spec_logs) / ln10
    jl[0] = 0.0  # ds_T/ds_T is the identity
    gl[np.isnan(gl)] = -np.inf
    jl[np.isnan(jl)] = -np.inf
    fl = np.array([first[int(L)] for L in lengths]) / ln10
    return SweepResult(gl, jl, lengths, fl, grad_rows, grad_logs_t, exact)


def _top_singular(blocks: np.ndarray) -> np.ndarray:
    """Largest singular value of each block in a (n, P, m, Hp) stack, via the m x m Gram matrices."""
    n, P, m, Hp = blocks.shape
    return top_singular_rows(blocks.transpose(0, 2, 1, 3).reshape(n, m, P * Hp))


def top_singular_rows(M: np.ndarray) -> np.ndarray:
    """Largest singular value of each (m, S) block of rows in an (n, m, S) stack, via the m x m Gram matrices."""
    if len(M) == 0:
        return np.empty(0)
    G = np.matmul(M, M.transpose(0, 2, 1))  # (n, m, m)
    return np.sqrt(np.maximum(np.linalg.eigvalsh(G)[:, -1], 0.0))
