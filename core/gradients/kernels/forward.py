"""Compiled forward passes of the three cells and the local derivatives (factors) of every step."""
from __future__ import annotations

from numba import njit

from core.gradients.kernels.common import RELU, SIGMOID, TANH, beyond_cap, phi, rows_dot, sigmoid

# ------------------------------------------------------------------------------------------ forward


@njit(cache=True, nogil=True)
def vanilla_forward(z, W, act, check, h):
    """z (T, H): input terms, the recurrence is added in place; h (T+1, H), h[0] = 0. Returns the steps kept."""
    T, H = z.shape
    for t in range(T):
        rows_dot(h[t:t + 1], 0, W, 0, 0, H, H, z[t:t + 1], 0, 1, True)  # z_t += W_hh h_{t-1}
        for j in range(H):
            h[t + 1, j] = phi(act, z[t, j])
        if check and beyond_cap(h[t + 1], 0, H):
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
        if check and (beyond_cap(h[t + 1], 0, H) or beyond_cap(c[t + 1], 0, H)):
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
        if check and beyond_cap(h[t + 1], 0, H):
            return max(t, 1)
    return T


# ---------------------------------------------------------------------------------------- factors


@njit(cache=True, nogil=True)
def dphi(act, z, a):
    """f'(z) from z and a = f(z), as core.rnn.activations writes it: 1 - a^2, a(1 - a), [z > 0] or 1."""
    if act == TANH:
        return 1.0 - a * a
    if act == SIGMOID:
        return a * (1.0 - a)
    if act == RELU:
        return 1.0 if z > 0.0 else 0.0
    return 1.0


@njit(cache=True, nogil=True)
def vanilla_factors(z, h, act, F):
    """F[t, 0] = f'(z_t) (core.gradients.cells.vanilla_factors), for the F.shape[0] steps that were run."""
    for t in range(F.shape[0]):
        for j in range(z.shape[1]):
            F[t, 0, j] = dphi(act, z[t, j], h[t + 1, j])


@njit(cache=True, nogil=True)
def lstm_factors(a, gates, c, phi_c, act, F):
    """F[t] = alpha, gamma_i, gamma_f, gamma_g, beta, f of step t (core.gradients.cells.lstm_factors, same order
    of operations). c is (T+1, H) from c_0."""
    H = phi_c.shape[1]
    for t in range(F.shape[0]):  # the steps that were run
        for j in range(H):
            i, f, g, o = gates[t, j], gates[t, H + j], gates[t, 2 * H + j], gates[t, 3 * H + j]
            F[t, 0, j] = o * dphi(act, c[t + 1, j], phi_c[t, j])
            F[t, 1, j] = g * i * (1.0 - i)
            F[t, 2, j] = c[t, j] * f * (1.0 - f)
            F[t, 3, j] = i * dphi(act, a[t, 2 * H + j], g)
            F[t, 4, j] = phi_c[t, j] * o * (1.0 - o)
            F[t, 5, j] = f


@njit(cache=True, nogil=True)
def gru_factors(a, zr, n, h, act, F):
    """F[t] = z, kappa_z, kappa_n, r, kappa_r of step t (core.gradients.cells.gru_factors). h is (T+1, H) from h_0."""
    H = n.shape[1]
    for t in range(F.shape[0]):  # the steps that were run
        for j in range(H):
            z, r, hp = zr[t, j], zr[t, H + j], h[t, j]
            F[t, 0, j] = z
            F[t, 1, j] = z * (1.0 - z) * (hp - n[t, j])
            F[t, 2, j] = (1.0 - z) * dphi(act, a[t, 2 * H + j], n[t, j])
            F[t, 3, j] = r
            F[t, 4, j] = r * (1.0 - r) * hp
