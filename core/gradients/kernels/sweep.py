"""Compiled row-form steps of the three cells and the sweeps built from them: anchors and the backward sweep."""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from core.gradients.kernels.common import LSTM, MATMUL_FLAGS, VANILLA, log0, norm, rows_dot

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
def unit_rows(R, w):
    """Scale rows r < w of R to unit length (zero rows stay zero)."""
    for r in range(w):
        n = norm(R[r])
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
        nrm[r] = norm(R[r])
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
        logs[r] += log0(nrm[r])
        n = nrm[r] if nrm[r] != 0.0 else 1.0
        for j in range(R.shape[1]):
            R[r, j] /= n
    return spec_log


@njit(cache=True, nogil=True, fastmath=MATMUL_FLAGS)
def gram(R, m, G):
    """G[i, j] = R[1+i] . R[1+j] for i, j < m: the spectral rows' Gram matrix (its top eigenvalue is sigma_1^2)."""
    S = R.shape[1]
    for i in range(m):
        ri = R[1 + i]
        for j in range(i + 1):
            rj = R[1 + j]
            s = 0.0
            for x in range(S):
                s += ri[x] * rj[x]
            G[i, j] = s
            G[j, i] = s


@njit(cache=True, nogil=True)
def backward_sweep(kind, W, WT, F, G, B, ist, fst, join, logs, rec0, gram_wide, gram_narrow, grad_logs, spec_logs,
                   s1, s2, nrm, can_truncate, resume, window, keep):
    """Steps k = ist[1] down to 1 of core.gradients.sweep.backward_sweep: join, record, step back, renormalise.

    Records at each distance the unit loss row (rec0) and the Gram matrix of the spectral rows (gram_wide for
    the first WINDOW + 1 distances, gram_narrow after). ist = [cur, k, w, m, next join], fst = [spectral log],
    both updated in place. Returns True when it stopped at the truncation step (after recording it): the caller
    truncates and calls again with resume.
    """
    T = G.shape[0]
    n_wide = gram_wide.shape[0]
    cur, k, w, m, nxt = ist[0], ist[1], ist[2], ist[3], ist[4]
    spec_log = fst[0]
    stopped = False
    while True:
        if not resume:
            while nxt < join.shape[0] and join[nxt] == k:  # a sequence length L = k joins with dE_k/ds_k
                B[cur, w, :] = G[k - 1]
                n = norm(B[cur, w])
                logs[w] = log0(n)
                if n == 0.0:
                    n = 1.0
                for j in range(B.shape[2]):
                    B[cur, w, j] /= n
                w += 1
                nxt += 1
            d = T - k
            rec0[d, :] = B[cur, 0]
            if d < n_wide:
                gram(B[cur], m, gram_wide[d])
            else:
                gram(B[cur], m, gram_narrow[d - n_wide])
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
