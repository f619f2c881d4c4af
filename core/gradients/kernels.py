"""Compiled loops (numba) of the decay curves: the forward passes and the backward row sweeps of the three cells.

The same arithmetic as core.gradients.forward and core.gradients.sweep, written as explicit loops so that a
whole pass over T steps is one compiled call (the NumPy path pays a Python call per operation per step).
Only this module imports numba; core.gradients.jit decides whether it is used, and tests compare the two
paths with each other and with the explicit-Jacobian oracle.

Layouts: a block of rows is (width, S), each row one state vector (the LSTM's h part, then its c part);
B (2, width, S) holds the two buffers a step reads and writes. F (T, nf, H) packs each step's local
derivatives (the fields of the cell's *Factors, in the order of FACTOR_FIELDS in core.gradients.jit).
Matrix products go through `rows_dot`, the only place with fast-math flags: reassociation (so the sums
vectorise) and contraction (fused multiply-add). Neither assumes finite values, so inf, NaN and zero go
through as in NumPy; the element-wise code is strict IEEE, as NumPy's is.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from core.gradients.forward import STATE_CAP

VANILLA, LSTM, GRU = 0, 1, 2
TANH, SIGMOID, RELU, IDENTITY = 0, 1, 2, 3
LN2 = math.log(2.0)
MATMUL_FLAGS = {"reassoc", "contract"}  # not nnan/ninf: inf and NaN must behave as they do in NumPy


@njit(cache=True, nogil=True, fastmath=MATMUL_FLAGS)
def rows_dot(A, a0, M, m0, k0, n, K, dst, d0, w, add):
    """dst[r, d0+c] (+)= sum_i A[r, a0+i] * M[m0+c, k0+i] for r < w, c < n: row-form products, in row blocks.

    Rows go four (then two, then one) at a time, so each pass over M serves several rows; the operands are
    1-D views indexed from 0, which lets the compiler vectorise the sums (an offset index would not).
    """
    r = 0
    while r + 4 <= w:
        x0, x1, x2, x3 = A[r, a0:a0 + K], A[r + 1, a0:a0 + K], A[r + 2, a0:a0 + K], A[r + 3, a0:a0 + K]
        for c in range(n):
            mc = M[m0 + c, k0:k0 + K]
            s0 = 0.0
            s1 = 0.0
            s2 = 0.0
            s3 = 0.0
            for i in range(K):
                x = mc[i]
                s0 += x0[i] * x
                s1 += x1[i] * x
                s2 += x2[i] * x
                s3 += x3[i] * x
            if add:
                s0 += dst[r, d0 + c]
                s1 += dst[r + 1, d0 + c]
                s2 += dst[r + 2, d0 + c]
                s3 += dst[r + 3, d0 + c]
            dst[r, d0 + c] = s0
            dst[r + 1, d0 + c] = s1
            dst[r + 2, d0 + c] = s2
            dst[r + 3, d0 + c] = s3
        r += 4
    if r + 2 <= w:
        x0, x1 = A[r, a0:a0 + K], A[r + 1, a0:a0 + K]
        for c in range(n):
            mc = M[m0 + c, k0:k0 + K]
            s0 = 0.0
            s1 = 0.0
            for i in range(K):
                x = mc[i]
                s0 += x0[i] * x
                s1 += x1[i] * x
            if add:
                s0 += dst[r, d0 + c]
                s1 += dst[r + 1, d0 + c]
            dst[r, d0 + c] = s0
            dst[r + 1, d0 + c] = s1
        r += 2
    if r < w:
        x0 = A[r, a0:a0 + K]
        for c in range(n):
            mc = M[m0 + c, k0:k0 + K]
            s0 = 0.0
            for i in range(K):
                s0 += x0[i] * mc[i]
            dst[r, d0 + c] = (dst[r, d0 + c] + s0) if add else s0


@njit(cache=True, nogil=True)
def sigmoid(z):
    """1 / (1 + e^-z) with full relative precision in both tails, like core.rnn.activations.sigmoid.

    For z < 0 it is e^z / (1 + e^z), so e^-z never overflows and sigmoid(-40) is 4.2e-18, not 0. One exp
    and one division instead of NumPy's exp(-logaddexp(0, -z)) (three transcendental calls): the values
    agree to an ulp or two (tests/gradients/test_jit.py), and 0, +-inf and NaN give what NumPy gives.
    """
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    if z < 0.0:
        e = math.exp(z)
        return e / (1.0 + e)
    return z  # NaN


@njit(cache=True, nogil=True)
def phi(act, x):
    """The state activation by code (TANH, SIGMOID, RELU, IDENTITY); ReLU keeps NaN, as np.maximum does."""
    if act == TANH:
        return math.tanh(x)
    if act == SIGMOID:
        return sigmoid(x)
    if act == RELU:
        return x if (x >= 0.0 or x != x) else 0.0
    return x


@njit(cache=True, nogil=True)
def _bad(row, lo, hi):
    """True when an entry of row[lo:hi] is beyond STATE_CAP or not a number."""
    for j in range(lo, hi):
        if not (abs(row[j]) <= STATE_CAP):
            return True
    return False


# ------------------------------------------------------------------------------------------ forward


@njit(cache=True, nogil=True)
def vanilla_forward(z, W, act, check, h):
    """z (T, H): input terms, the recurrence is added in place; h (T+1, H), h[0] = 0. Returns the steps kept."""
    T, H = z.shape
    for t in range(T):
        rows_dot(h[t:t + 1], 0, W, 0, 0, H, H, z[t:t + 1], 0, 1, True)  # z_t += W_hh h_{t-1}
        for j in range(H):
            h[t + 1, j] = phi(act, z[t, j])
        if check and _bad(h[t + 1], 0, H):
            return max(t, 1)
    return T


@njit(cache=True, nogil=True)
def lstm_forward(a, W, act, check, gates, c, phi_c, h):
    """a (T, 4H) input terms (i, f, g, o), recurrence added in place; gates (T, 4H); c, h (T+1, H) from 0."""
    T = a.shape[0]
    H = W.shape[1]
    for t in range(T):
        rows_dot(h[t:t + 1], 0, W, 0, 0, 4 * H, H, a[t:t + 1], 0, 1, True)  # a_t += W_h h_{t-1}
        for j in range(H):
            i = sigmoid(a[t, j])
            f = sigmoid(a[t, H + j])
            g = phi(act, a[t, 2 * H + j])
            o = sigmoid(a[t, 3 * H + j])
            gates[t, j], gates[t, H + j], gates[t, 2 * H + j], gates[t, 3 * H + j] = i, f, g, o
            ct = f * c[t, j] + i * g
            c[t + 1, j] = ct
            pc = phi(act, ct)
            phi_c[t, j] = pc
            h[t + 1, j] = o * pc
        if check and (_bad(h[t + 1], 0, H) or _bad(c[t + 1], 0, H)):
            return max(t, 1)
    return T


@njit(cache=True, nogil=True)
def gru_forward(a, W, act, check, zr, n, h, rh):
    """a (T, 3H) input terms (z, r, n), recurrences added in place; zr (T, 2H); n (T, H); h (T+1, H) from 0."""
    T = a.shape[0]
    H = W.shape[1]
    for t in range(T):
        rows_dot(h[t:t + 1], 0, W, 0, 0, 2 * H, H, a[t:t + 1], 0, 1, True)  # a_zr += W_hzr h_{t-1}
        for j in range(2 * H):
            zr[t, j] = sigmoid(a[t, j])
        for j in range(H):
            rh[0, j] = zr[t, H + j] * h[t, j]  # the reset gate masks the old state
        rows_dot(rh, 0, W, 2 * H, 0, H, H, a[t:t + 1], 2 * H, 1, True)  # a_n += W_hn (r * h_{t-1})
        for j in range(H):
            nv = phi(act, a[t, 2 * H + j])
            n[t, j] = nv
            h[t + 1, j] = nv + (h[t, j] - nv) * zr[t, j]  # z * h_{t-1} + (1 - z) * n
        if check and _bad(h[t + 1], 0, H):
            return max(t, 1)
    return T


# ------------------------------------------------------------------------------ one step, row form


@njit(cache=True, nogil=True)
def back_step(kind, W, WT, F, k, src, dst, w, s1, s2):
    """dst[r] = src[r] J for rows r < w: the vector-Jacobian product of the step whose factors are F[k]."""
    H = W.shape[1]
    if kind == VANILLA:
        for r in range(w):
            for j in range(H):
                s1[r, j] = src[r, j] * F[k, 0, j]  # dE/dz = f'(z) * dE/dh
        rows_dot(s1, 0, WT, 0, 0, H, H, dst, 0, w, False)  # dE/dh_prev = W_hh^T dE/dz
    elif kind == LSTM:
        for r in range(w):
            for j in range(H):
                dh = src[r, j]
                ca = dh * F[k, 0, j] + src[r, H + j]  # dc_all = alpha * dh + dc
                s1[r, j] = F[k, 1, j] * ca  # input gate
                s1[r, H + j] = F[k, 2, j] * ca  # forget gate
                s1[r, 2 * H + j] = F[k, 3, j] * ca  # candidate
                s1[r, 3 * H + j] = dh * F[k, 4, j]  # output gate
                dst[r, H + j] = ca * F[k, 5, j]  # the cell path is only scaled by f
        rows_dot(s1, 0, WT, 0, 0, H, 4 * H, dst, 0, w, False)  # dh_prev = W_h^T da
    else:
        for r in range(w):
            for j in range(H):
                s2[r, j] = src[r, j] * F[k, 2, j]  # da_n
                s1[r, j] = src[r, j] * F[k, 1, j]  # da_z
        rows_dot(s2, 0, WT, 0, 2 * H, H, H, s2, H, w, False)  # q = W_hn^T da_n
        for r in range(w):
            for j in range(H):
                s1[r, H + j] = s2[r, H + j] * F[k, 4, j]  # da_r
        rows_dot(s1, 0, WT, 0, 0, H, 2 * H, dst, 0, w, False)  # through the two gates
        for r in range(w):
            for j in range(H):
                dst[r, j] = (dst[r, j] + src[r, j] * F[k, 0, j]) + s2[r, H + j] * F[k, 3, j]  # + z dh + r q


@njit(cache=True, nogil=True)
def fwd_step(kind, W, WT, F, k, src, dst, w, s1, s2):
    """dst[r] = J src[r] for rows r < w (tangents): the Jacobian-vector product of the step with factors F[k]."""
    H = W.shape[1]
    if kind == VANILLA:
        rows_dot(src, 0, W, 0, 0, H, H, dst, 0, w, False)  # W_hh dh_prev
        for r in range(w):
            for j in range(H):
                dst[r, j] *= F[k, 0, j]
    elif kind == LSTM:
        rows_dot(src, 0, W, 0, 0, 4 * H, H, s1, 0, w, False)  # da = W_h dh_prev
        for r in range(w):
            for j in range(H):
                di = s1[r, j] * F[k, 1, j]
                df = s1[r, H + j] * F[k, 2, j]
                dg = s1[r, 2 * H + j] * F[k, 3, j]
                dc = ((src[r, H + j] * F[k, 5, j] + di) + df) + dg  # f dc_prev + the three gate terms
                dst[r, H + j] = dc
                dst[r, j] = dc * F[k, 0, j] + s1[r, 3 * H + j] * F[k, 4, j]
    else:
        rows_dot(src, 0, W, 0, 0, 2 * H, H, s1, 0, w, False)  # [da_z, da_r] = W_hzr dh_prev
        for r in range(w):
            for j in range(H):
                s2[r, j] = src[r, j] * F[k, 3, j] + s1[r, H + j] * F[k, 4, j]  # d(r * h_prev)
        rows_dot(s2, 0, W, 2 * H, 0, H, H, s2, H, w, False)  # da_n = W_hn d(r * h_prev)
        for r in range(w):
            for j in range(H):
                dst[r, j] = (src[r, j] * F[k, 0, j] + s1[r, j] * F[k, 1, j]) + s2[r, H + j] * F[k, 2, j]


# ----------------------------------------------------------------------------------------- sweeps


@njit(cache=True, nogil=True)
def _log(x):
    return -np.inf if x == 0.0 else math.log(x)


@njit(cache=True, nogil=True)
def _norm(row):
    s = 0.0
    for j in range(row.shape[0]):
        s += row[j] * row[j]
    return math.sqrt(s)


@njit(cache=True, nogil=True)
def unit_rows(R, w):
    """Scale rows r < w of R to unit length (zero rows stay zero)."""
    for r in range(w):
        n = _norm(R[r])
        if n == 0.0:
            n = 1.0
        for j in range(R.shape[1]):
            R[r, j] /= n


@njit(cache=True, nogil=True)
def anchor_forward(kind, W, WT, F, T, ds, start, B, cur, s1, s2):
    """Push start row i forward from step T - ds[i] to T (rows join longest window first). Returns cur."""
    n = ds.shape[0]
    w = 0
    for t in range(T - ds[0] + 1, T + 1):
        while w < n and T - ds[w] == t - 1:
            B[cur, w, :] = start[w]
            w += 1
        fwd_step(kind, W, WT, F, t - 1, B[cur], B[1 - cur], w, s1, s2)
        cur = 1 - cur
        if (T - t) % 16 == 0:  # only directions matter here
            unit_rows(B[cur], w)
    return cur


@njit(cache=True, nogil=True)
def anchor_back(kind, W, WT, F, T, ds, start, B, cur, s1, s2):
    """Send the rows back from step T; row i stops (into start[i]) after ds[i] steps. Returns cur."""
    w = ds.shape[0]
    for t in range(T, T - ds[0], -1):
        back_step(kind, W, WT, F, t - 1, B[cur], B[1 - cur], w, s1, s2)
        cur = 1 - cur
        while w > 0 and T - t + 1 == ds[w - 1]:
            start[w - 1] = B[cur, w - 1]
            w -= 1
        if (T - t) % 16 == 15 and w > 0:
            unit_rows(B[cur], w)
    return cur


@njit(cache=True, nogil=True)
def renormalise(R, w, m, logs, spec_log, nrm):
    """Rows r < w of R to unit length, scales into logs (rows 1..m share one); returns the new spectral log."""
    for r in range(w):
        nrm[r] = _norm(R[r])
    sq = 0.0
    for r in range(1, 1 + m):
        sq += nrm[r] * nrm[r]
    spec_n = math.sqrt(sq)
    if spec_n > 0.0:
        spec_log += math.log(spec_n)
        for r in range(1, 1 + m):
            if nrm[r] < 1e-100 * spec_n:  # cannot move the block's top singular value; avoid subnormals
                R[r, :] = 0.0
    else:
        spec_log = -np.inf
    for r in range(1, 1 + m):
        nrm[r] = spec_n
    for r in range(w):
        logs[r] += _log(nrm[r])
        n = nrm[r] if nrm[r] != 0.0 else 1.0
        for j in range(R.shape[1]):
            R[r, j] /= n
    return spec_log


@njit(cache=True, nogil=True)
def backward_sweep(kind, W, WT, F, G, B, ist, fst, join, logs, rec_wide, rec_narrow, grad_logs, spec_logs,
                   s1, s2, nrm, can_truncate, resume, window, keep):
    """Steps k = ist[1] down to 1 of core.gradients.sweep.backward_sweep: join, record, step back, renormalise.

    ist = [cur, k, w, m, next join], fst = [spectral log], both updated in place. Returns True when it
    stopped at the truncation step (after recording it): the caller truncates and calls again with resume.
    """
    T = G.shape[0]
    n_wide = rec_wide.shape[0]
    cur, k, w, m, nxt = ist[0], ist[1], ist[2], ist[3], ist[4]
    spec_log = fst[0]
    stopped = False
    while True:
        if not resume:
            while nxt < join.shape[0] and join[nxt] == k:  # a sequence length L = k joins with dE_k/ds_k
                B[cur, w, :] = G[k - 1]
                n = _norm(B[cur, w])
                logs[w] = _log(n)
                if n == 0.0:
                    n = 1.0
                for j in range(B.shape[2]):
                    B[cur, w, j] /= n
                w += 1
                nxt += 1
            d = T - k
            if d < n_wide:
                rec_wide[d, :, :] = B[cur, :1 + m]
            else:
                rec_narrow[d - n_wide, :, :] = B[cur, :1 + m]
            grad_logs[d] = logs[0]
            spec_logs[d] = spec_log
            if k == 1:
                break
            if T - k == window and m > keep and can_truncate:
                stopped = True
                break
        resume = False
        back_step(kind, W, WT, F, k - 1, B[cur], B[1 - cur], w, s1, s2)
        cur = 1 - cur
        if (T - k) & 7 == 7:  # every 8 steps
            spec_log = renormalise(B[cur], w, m, logs, spec_log, nrm)
        k -= 1
    ist[0], ist[1], ist[2], ist[3], ist[4] = cur, k, w, m, nxt
    fst[0] = spec_log
    return stopped
