"""Fast forward passes of the three cells for the decay curves: the same traces as core.gradients.cells.

The cells are written for reading; these loops compute the same traces with the fewest NumPy calls per
step (preallocated rows, in-place ufuncs), because at T = 1000 the per-call overhead, not the arithmetic,
is what costs. tests/gradients/test_decay.py checks them against the cells. A state that passes
STATE_CAP has exploded: the run stops there, before float64 overflows.
"""
from __future__ import annotations

import numpy as np

from core.gradients import cells
from core.rnn.activations import ACTIVATIONS, sigmoid

STATE_CAP = 1e100  # a forward state beyond this has exploded; the run stops there (before float overflow)


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
