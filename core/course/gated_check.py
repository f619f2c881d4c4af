"""Central differences through the last step of an LSTM or GRU exercise: the independent check of its backward part.

The backward part of a gated exercise starts from given gradients at the last step T: dh_T, and for the LSTM
dc_T arriving from later. They are the gradients of L = dh_T . h_T (+ dc_T . c_T), so every gradient the
learner computes is dL/d(something) of step T, with everything before step T held fixed. Here L is written
as a plain function of each intermediate value in turn (the gate outputs, the cell state, the pre-activations,
the previous states) and differentiated by core.rnn.gradcheck.numerical_gradient, with no chain rule at all.
"""
from __future__ import annotations

import numpy as np

from core.rnn.activations import sigmoid
from core.rnn.gradcheck import numerical_gradient


def _grad(f, x) -> np.ndarray:
    x = np.array(x, dtype=np.float64)  # a private copy: numerical_gradient nudges it in place
    return numerical_gradient(lambda: f(x), x)


def lstm_step_numeric(ctx) -> dict[str, np.ndarray]:
    """{quantity id: central-difference dL/dvalue} for the backward quantities of an LSTM exercise."""
    p, tr, T, H = ctx.params, ctx.trace, ctx.T, ctx.H
    k = T - 1
    x, h_prev, c_prev = ctx.X[k], tr.h_prev[k], tr.c_prev[k]
    i, f, g, o = tr.i[k], tr.f[k], tr.g[k], tr.o[k]
    dh, dc = ctx.dh, ctx.dc

    def L_of(i, f, g, o, c_prev):  # the loss from the gates on: c_T, h_T, then L
        c = f * c_prev + i * g
        return dh @ (o * np.tanh(c)) + dc @ c

    def L_of_a(a, c_prev=c_prev):
        ai, af, ag, ao = (a[n * H:(n + 1) * H] for n in range(4))
        return L_of(sigmoid(ai), sigmoid(af), np.tanh(ag), sigmoid(ao), c_prev)

    a = tr.a[k]
    da = _grad(L_of_a, a)
    out = {
        f"do[{T}]": _grad(lambda v: L_of(i, f, g, v, c_prev), o),
        f"dc[{T}]": _grad(lambda v: dh @ (o * np.tanh(v)) + dc @ v, tr.c[k]),
        f"di[{T}]": _grad(lambda v: L_of(v, f, g, o, c_prev), i),
        f"df[{T}]": _grad(lambda v: L_of(i, v, g, o, c_prev), f),
        f"dg[{T}]": _grad(lambda v: L_of(i, f, v, o, c_prev), g),
        f"dc_prev[{T}]": _grad(lambda v: L_of(i, f, g, o, v), c_prev),
        f"dh_prev[{T}]": _grad(lambda v: L_of_a(p.W_x @ x + p.W_h @ v + p.b), h_prev),
    }
    for n, gate in enumerate("ifgo"):
        out[f"da_{gate}[{T}]"] = da[n * H:(n + 1) * H]
    return out


def gru_step_numeric(ctx) -> dict[str, np.ndarray]:
    """{quantity id: central-difference dL/dvalue} for the backward quantities of a GRU exercise."""
    p, tr, T, H = ctx.params, ctx.trace, ctx.T, ctx.H
    k = T - 1
    x, h_prev, dh = ctx.X[k], tr.h_prev[k], ctx.dh
    z, r, n = tr.z[k], tr.r[k], tr.n[k]
    W_hn = p.W_h[2 * H:]
    xn = p.W_x[2 * H:] @ x + p.b[2 * H:]  # the input part of the candidate

    def L_mix(z, n, h_prev=h_prev):
        return dh @ (z * h_prev + (1 - z) * n)

    def L_of_rh(rh, z=z):  # from the reset state r * h_{t-1} through the candidate
        return L_mix(z, np.tanh(xn + W_hn @ rh))

    def L_of_h_prev(v):  # every path from h_{t-1}: both gates, the candidate and the direct one
        zr = sigmoid(p.W_x[:2 * H] @ x + p.W_h[:2 * H] @ v + p.b[:2 * H])
        zz, rr = zr[:H], zr[H:]
        return L_mix(zz, np.tanh(xn + W_hn @ (rr * v)), v)

    return {
        f"dn[{T}]": _grad(lambda v: L_mix(z, v), n),
        f"dz[{T}]": _grad(lambda v: L_mix(v, n), z),
        f"da_n[{T}]": _grad(lambda v: L_mix(z, np.tanh(v)), tr.a[k, 2 * H:]),
        f"da_z[{T}]": _grad(lambda v: L_mix(sigmoid(v), n), tr.a[k, :H]),
        f"drh[{T}]": _grad(L_of_rh, r * h_prev),
        f"dr[{T}]": _grad(lambda v: L_of_rh(v * h_prev), r),
        f"da_r[{T}]": _grad(lambda v: L_of_rh(sigmoid(v) * h_prev), tr.a[k, H:2 * H]),
        f"dh_prev[{T}]": _grad(L_of_h_prev, h_prev),
    }


def step_numeric(ctx) -> dict[str, np.ndarray]:
    """Central differences of the backward quantities of a gated exercise's network."""
    return lstm_step_numeric(ctx) if ctx.network == "lstm" else gru_step_numeric(ctx)
