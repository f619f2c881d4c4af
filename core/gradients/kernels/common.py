"""What the compiled loops share: the matrix products, the activations and their derivatives, norms."""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from core.gradients.forward import STATE_CAP

VANILLA, LSTM, GRU = 0, 1, 2
TANH, SIGMOID, RELU, IDENTITY = 0, 1, 2, 3
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
def beyond_cap(row, lo, hi):
    """True when an entry of row[lo:hi] is beyond STATE_CAP or not a number."""
    for j in range(lo, hi):
        if not (abs(row[j]) <= STATE_CAP):
            return True
    return False


@njit(cache=True, nogil=True)
def log0(x):
    return -np.inf if x == 0.0 else math.log(x)


@njit(cache=True, nogil=True)
def norm(row):
    s = 0.0
    for j in range(row.shape[0]):
        s += row[j] * row[j]
    return math.sqrt(s)
