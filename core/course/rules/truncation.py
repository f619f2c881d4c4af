"""Truncated BPTT on the vanilla network: which terms of dE/dW_hh a window of k steps keeps, and what it costs.

Full BPTT sends the gradient of every loss E_t back to every earlier step s <= t. Truncated to k steps
(core.rnn.model.backward(truncation=k), min-char-rnn's seq_length idea applied per loss), E_t reaches only
h_t .. h_{t-k+1}: the term (t, s) of dE/dW_hh = sum_t sum_s (dE_t/dz_s) h_{s-1}^T is kept when t - k < s <= t.
For k = 2 the gradient reaching h_t is this step's own output gradient plus one hop of the next step's:

    dh_trunc_t = W_hy^T dy_t + W_hh^T ((1 - h_{t+1}^2) * W_hy^T dy_{t+1})

and not W_hh^T dh_raw_{t+1} of full BPTT, which carries every later loss.
"""
from __future__ import annotations

import numpy as np

from core.course.rules.base import Ctx, Env, Rule, _ro, mut, shape_h, shape_scalar, step_ids

LESSON = "truncation-clipping"


def window(T: int, k: int, lo: int = 0, hi: int | None = None) -> np.ndarray:
    """(T, T) 0/1: row t (loss E_t), column s (step) is 1 when t - s lies in [lo, hi) (hi = k): the kept terms."""
    hi = k if hi is None else hi
    t, s = np.arange(1, T + 1)[:, None], np.arange(1, T + 1)[None, :]
    return ((t - s >= lo) & (t - s < hi)).astype(np.float64)


def truncation_truths(c: Ctx) -> Env:
    """The true values of the truncation quantities, from the core's truncated backward pass."""
    bw, full, k = c.truncated, c.bwd, c.truncation
    diff = np.linalg.norm(full.grads.W_hh - bw.grads.W_hh)
    env: Env = {"trunc_k": _ro(k), "trunc_kept": _ro(window(c.T, k)), "dW_hh_trunc": _ro(bw.grads.W_hh),
                "trunc_dropped": _ro(full.grads.W_hh - bw.grads.W_hh), "trunc_diff_norm": _ro(diff),
                "dW_hh_norm": _ro(np.linalg.norm(full.grads.W_hh)),
                "trunc_rel_error": _ro(diff / np.linalg.norm(full.grads.W_hh))}
    fpr = c.act.df(c.trace.z, c.trace.h)  # (T, H) 1 - h_t^2
    for t in range(1, c.T + 1):
        env[f"dh_trunc[{t}]"] = _ro(bw.dh[t - 1])
        env[f"dh_raw_trunc[{t}]"] = _ro(bw.dh_raw[t - 1])
        env[f"dh_rec_trunc[{t}]"] = _ro(bw.dh_rec[t - 1])  # what later losses send to h_t within their windows
        env[f"dW_hh_trunc[{t}]"] = _ro(bw.dW_hh_t[t - 1])
        env[f"dh_raw_out[{t}]"] = _ro(fpr[t - 1] * full.dh_out[t - 1])  # E_t's own gradient at z_t
    return env


def _kept_when(c: Ctx, lo: int, hi: int) -> np.ndarray:
    return window(c.T, c.truncation, lo, hi)


_kept = Rule(
    "trunc_kept", None, "matrix", lambda c: (c.T, c.T), lambda c, t: (),
    lambda c, e, t: window(c.T, c.truncation),  # 1 where t - k < s <= t
    (
        mut("window_too_long", "Window one step too long", LESSON,
            r"With $k$ steps, $E_t$ reaches $h_t, \dots, h_{t-k+1}$: $k$ states counting $h_t$ itself, so the "
            r"term $s = t - k$ is already dropped.",
            lambda c, e, t: _kept_when(c, 0, c.truncation + 1), lambda c, s: c.truncation < c.T - 1),
        mut("window_too_short", "Window one step too short", LESSON,
            r"The window of $E_t$ counts $h_t$ itself: $k$ steps are $s = t, t-1, \dots, t-k+1$.",
            lambda c, e, t: _kept_when(c, 0, c.truncation - 1), lambda c, s: c.truncation >= 2),
        mut("kept_the_dropped", "Kept and dropped the wrong way round", LESSON,
            r"Truncation keeps the *recent* terms, $t - k < s \le t$, and drops the distant ones.",
            lambda c, e, t: _kept_when(c, c.truncation, c.T)),
        mut("future_steps", "Later steps instead of earlier ones", LESSON,
            r"A loss $E_t$ depends only on steps $s \le t$: the window runs back in time from $t$, "
            r"not forward (row $t$ is the loss, column $s$ the step).",
            lambda c, e, t: _kept_when(c, 1 - c.truncation, 1)),
    ),
    needs="truncation",
)


def _hops(c: Ctx, e: Env, t: int, derivative: bool = True) -> np.ndarray:
    """What the losses E_{t+1} .. E_{t+k-1} send back to h_t inside their windows: each hop W_hh^T diag(f')."""
    out = np.zeros(c.H)
    for j in range(1, c.truncation):
        if t + j > c.T:
            break
        g = e[f"dh_out[{t + j}]"]  # E_{t+j}'s own gradient at h_{t+j}
        for s in range(t + j, t, -1):
            f = e[f"fpr[{s}]"] if derivative else 1.0
            g = c.params.W_hh.T @ (f * g)  # (H,H)@(H,): one step back
        out = out + g
    return out


_dh_trunc = Rule(
    "dh_trunc[t]", "t", "vector", shape_h, lambda c, t: (),
    lambda c, e, t: e[f"dh_out[{t}]"] + _hops(c, e, t),
    (
        mut("full_bptt", "Full BPTT instead of the window", LESSON,
            r"That is $dh_t$ of full BPTT, which carries every later loss back to $h_t$; within a window of $k$ "
            r"steps only the next $k - 1$ losses reach $h_t$, each through its own hops.",
            lambda c, e, t: np.array(e[f"dh[{t}]"], dtype=np.float64), lambda c, t: t <= c.T - c.truncation),
        mut("no_recurrent", "Nothing from later steps", LESSON,
            r"Truncation to $k$ steps still lets $E_{t+1}, \dots, E_{t+k-1}$ reach $h_t$; only $k = 1$ would "
            r"leave $W_{hy}^\top dy_t$ alone.",
            lambda c, e, t: np.array(e[f"dh_out[{t}]"], dtype=np.float64),
            lambda c, t: t < c.T and c.truncation >= 2),
        mut("no_derivative", "tanh derivative left out", LESSON,
            r"Each hop back goes through $\tanh$ at the later step: $W_{hh}^\top\big((1 - h_{t+1}^2)\odot "
            r"W_{hy}^\top dy_{t+1}\big)$.",
            lambda c, e, t: e[f"dh_out[{t}]"] + _hops(c, e, t, derivative=False),
            lambda c, t: t < c.T and c.truncation >= 2),
    ),
    needs="truncation",
)

_dh_raw_trunc = Rule(
    "dh_raw_trunc[t]", "t", "vector", shape_h, lambda c, t: (f"dh_trunc[{t}]",),
    lambda c, e, t: e[f"fpr[{t}]"] * e[f"dh_trunc[{t}]"],  # (1 - h_t^2) * dh_t
    (
        mut("no_derivative", "tanh derivative left out", "tanh",
            r"As in full BPTT, the gradient passes $h_t = \tanh(z_t)$: multiply by $1 - h_t^2$.",
            lambda c, e, t: np.array(e[f"dh_trunc[{t}]"], dtype=np.float64)),
    ),
    needs="truncation",
)


def _outer_sum(c: Ctx, e: Env, lag: int = 1) -> np.ndarray:
    return sum(np.outer(e[f"dh_raw_trunc[{t}]"], e[f"h[{t - lag}]"]) for t in range(1, c.T + 1))


_dW_hh_trunc = Rule(
    "dW_hh_trunc", None, "matrix", lambda c: (c.H, c.H), lambda c, t: tuple(step_ids("dh_raw_trunc", c)),
    lambda c, e, t: _outer_sum(c, e),  # sum_t dh_raw_trunc_t h_{t-1}^T
    (
        mut("full_gradient", "The full gradient", LESSON,
            r"That is $\partial E/\partial W_{hh}$ of full BPTT; the truncated one adds the outer products of "
            r"the *truncated* $dh_{\mathrm{raw},t}$.",
            lambda c, e, t: np.array(e["dW_hh"], dtype=np.float64)),
        mut("off_by_one", "h_t used where h_{t-1} belongs", "bptt",
            r"$W_{hh}$ multiplies $h_{t-1}$ in $z_t$, so step $t$ adds $dh_{\mathrm{raw},t}\,h_{t-1}^\top$.",
            lambda c, e, t: _outer_sum(c, e, lag=0)),
        mut("last_step_only", "One step only, not summed over time", "bptt",
            r"The weights are shared by every step, so the truncated gradient still adds every step's outer "
            r"product.",
            lambda c, e, t: np.outer(e[f"dh_raw_trunc[{c.T}]"], e[f"h[{c.T - 1}]"])),
    ),
    needs="truncation",
)


def _norm(a) -> float:
    return float(np.sqrt(np.sum(np.square(a))))


_rel_error = Rule(
    "trunc_rel_error", None, "number", shape_scalar, lambda c, t: ("dW_hh_trunc",),
    lambda c, e, t: np.array(_norm(e["dW_hh"] - e["dW_hh_trunc"]) / _norm(e["dW_hh"])),
    (
        mut("not_relative", "Not divided by the norm", LESSON,
            r"A relative error divides the distance by the size of the full gradient, $\lVert g\rVert$.",
            lambda c, e, t: np.array(_norm(e["dW_hh"] - e["dW_hh_trunc"]))),
        mut("squared", "Squared norms", LESSON,
            r"The Frobenius norm is the square root of the sum of squares; the ratio of the sums of squares is "
            r"the square of the relative error.",
            lambda c, e, t: np.array((_norm(e["dW_hh"] - e["dW_hh_trunc"]) / _norm(e["dW_hh"])) ** 2)),
    ),
    needs="truncation",
)

TRUNCATION_RULES: tuple[Rule, ...] = (_kept, _dh_trunc, _dh_raw_trunc, _dW_hh_trunc, _rel_error)
