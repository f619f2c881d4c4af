"""Backpropagation through time, walked from t = T down to 1 (min-char-rnn's order)."""
from __future__ import annotations

import numpy as np

from core.course.rules.base import (
    Callable,
    Ctx,
    Env,
    Mutation,
    Rule,
    from_step_2,
    input_differs,
    mut,
    not_last,
    several_steps,
    shape_h,
    shape_v,
    square_hv,
    stack,
    step_ids,
)


def dy_compute(c: Ctx, e: Env, t: int, p_id: str) -> np.ndarray:
    return e[p_id] - e[f"onehot_target[{t}]"]  # softmax + cross-entropy: p_t - onehot(target)


def dy_mutations(p_of: Callable[[int], str], t_of: Callable[[Ctx, int], int]) -> tuple[Mutation, ...]:
    return (
        mut("no_minus_one", "−1 at the target left out", "bptt",
            r"$\partial E_t/\partial y_t = p_t - \mathrm{onehot}(\text{target})$: subtract 1 at the target's "
            r"position; the probabilities alone are not the gradient.",
            lambda c, e, t: np.array(e[p_of(t_of(c, t))], dtype=np.float64)),
        mut("sign_flipped", "ŷ − y the wrong way round", "bptt",
            r"The gradient is $\hat y_t - y_t$ (probabilities minus the one-hot target), so only the target's "
            r"entry is negative; you computed $y_t - \hat y_t$.",
            lambda c, e, t: e[f"onehot_target[{t_of(c, t)}]"] - e[p_of(t_of(c, t))]),
    )


def same_t(c: Ctx, t: int) -> int:
    return t


def chain_K(c: Ctx, t: int) -> int:
    return c.K


_dy = Rule(
    "dy[t]", "t", "vector", shape_v, lambda c, t: (f"p[{t}]",),
    lambda c, e, t: dy_compute(c, e, t, f"p[{t}]"),
    dy_mutations(lambda t: f"p[{t}]", same_t), needs="backward",
)


def _outer_sum(e: Env, a: str, b: Callable[[int], str], c: Ctx) -> np.ndarray:
    return sum(np.outer(e[f"{a}[{t}]"], e[b(t)]) for t in range(1, c.T + 1))


def _several_h_terms(c: Ctx, s: int) -> bool:
    return c.T >= 3  # step 1's term of dW_hh holds h_0 = 0, so with two steps the sum is the last term


def _last_step(name: str, explanation: str, when=several_steps):
    return mut("last_step_only", "One step only, not summed over time", "bptt", explanation,
               lambda c, e, t: np.array(e[f"{name}[{c.T}]"], dtype=np.float64), when)


_SHARED = (r"the same weights are used at every step, so the gradient is the sum of every step's contribution, "
           r"not the contribution of step $T$ alone.")

_dW_hy = Rule(
    "dW_hy", None, "matrix", lambda c: (c.V, c.H), lambda c, t: tuple(step_ids("dy", c) + step_ids("h", c)),
    lambda c, e, t: _outer_sum(e, "dy", lambda s: f"h[{s}]", c),  # sum_t dy_t h_t^T: (V,H)
    (
        mut("last_step_only", "One step only, not summed over time", "bptt", "$W_{hy}$: " + _SHARED,
            lambda c, e, t: np.outer(e[f"dy[{c.T}]"], e[f"h[{c.T}]"]), several_steps),
        mut("off_by_one", "h_{t-1} used where h_t belongs", "bptt",
            r"$y_t$ is computed from $h_t$, so step $t$ contributes $(\hat y_t - y_t)\,h_t^\top$, not "
            r"$(\hat y_t - y_t)\,h_{t-1}^\top$.",
            lambda c, e, t: _outer_sum(e, "dy", lambda s: f"h[{s - 1}]", c)),
    ),
    needs="backward",
)

_db_y = Rule(
    "db_y", None, "vector", shape_v, lambda c, t: tuple(step_ids("dy", c)),
    lambda c, e, t: np.sum(stack(e, step_ids("dy", c)), axis=0),
    (_last_step("dy", "$b_y$: " + _SHARED),), needs="backward",
)


def _dh_compute(c: Ctx, e: Env, t: int, with_next: bool = True, W=None) -> np.ndarray:
    W = c.params.W_hy.T if W is None else W
    out = W @ e[f"dy[{t}]"]  # (H,V)@(V,): the output path
    if with_next and t < c.T:
        out = out + e[f"dh_next[{t + 1}]"]  # the recurrent path, from step t+1
    return out


_dh = Rule(
    "dh[t]", "t", "vector", shape_h,
    lambda c, t: (f"dy[{t}]",) + ((f"dh_next[{t + 1}]",) if t < c.T else ()),
    _dh_compute,
    (
        mut("no_dh_next", "dh_next not added", "bptt",
            r"$h_t$ reaches the loss through $y_t$ *and* through $h_{t+1}$, so "
            r"$dh_t = W_{hy}^\top dy_t + dh_{next}$; the gradient from step $t+1$ was not added.",
            lambda c, e, t: _dh_compute(c, e, t, with_next=False), not_last),
        mut("W_not_transposed", "W where Wᵀ belongs", "bptt",
            r"Going backwards through $y_t = W_{hy}h_t$ multiplies by the transpose, $W_{hy}^\top dy_t$.",
            lambda c, e, t: _dh_compute(c, e, t, W=c.params.W_hy) if c.H == c.V else None, square_hv),
    ),
    needs="backward",
)

_dh_raw = Rule(
    "dh_raw[t]", "t", "vector", shape_h, lambda c, t: (f"dh[{t}]", f"z[{t}]", f"h[{t}]"),
    lambda c, e, t: c.act.df(e[f"z[{t}]"], e[f"h[{t}]"]) * e[f"dh[{t}]"],  # (1 - h_t^2) * dh_t
    (
        mut("one_minus_z_squared", "1 − z² instead of 1 − h²", "tanh",
            r"The derivative of $\tanh$ is $1 - \tanh^2(z_t) = 1 - h_t^2$, written with the *output* $h_t$; "
            r"you used $1 - z_t^2$.",
            lambda c, e, t: c.act.df(e[f"z[{t}]"], e[f"z[{t}]"]) * e[f"dh[{t}]"]),
        mut("tanh_as_derivative", "tanh used as its own derivative", "tanh",
            r"You multiplied by $\tanh(z_t) = h_t$; the derivative is $1 - h_t^2$.",
            lambda c, e, t: c.act.f(e[f"z[{t}]"]) * e[f"dh[{t}]"]),
        mut("no_derivative", "tanh derivative left out", "tanh",
            r"The gradient has to pass through $h_t = \tanh(z_t)$: multiply $dh_t$ element-wise by $1 - h_t^2$.",
            lambda c, e, t: np.array(e[f"dh[{t}]"], dtype=np.float64)),
    ),
    needs="backward",
)

_dh_next = Rule(
    "dh_next[t]", "t", "vector", shape_h, lambda c, t: (f"dh_raw[{t}]",),
    lambda c, e, t: c.params.W_hh.T @ e[f"dh_raw[{t}]"],  # (H,H)@(H,): sent to step t-1
    (
        mut("W_not_transposed", "W where Wᵀ belongs", "bptt",
            r"Going backwards through $z_t = W_{hh}h_{t-1} + \dots$ multiplies by the transpose: "
            r"$dh_{next} = W_{hh}^\top\,dh_{raw}$.",
            lambda c, e, t: c.params.W_hh @ e[f"dh_raw[{t}]"]),
        mut("dh_not_raw", "dh used where dh_raw belongs", "bptt",
            r"The gradient must pass through $\tanh$ first: $dh_{next} = W_{hh}^\top dh_{raw}$, with "
            r"$dh_{raw} = (1 - h_t^2) \odot dh_t$, not $dh_t$.",
            lambda c, e, t: c.params.W_hh.T @ e[f"dh[{t}]"]),
    ),
    needs="backward",
)

_AFTER_TANH = r"Use the gradient *after* the $\tanh$ derivative, $dh_{raw,t} = (1 - h_t^2)\odot dh_t$."

_dW_hh_t = Rule(
    "dW_hh[t]", "t", "matrix", lambda c: (c.H, c.H), lambda c, t: (f"dh_raw[{t}]", f"h[{t - 1}]"),
    lambda c, e, t: np.outer(e[f"dh_raw[{t}]"], e[f"h[{t - 1}]"]),  # dh_raw_t h_{t-1}^T: (H,H)
    (
        mut("off_by_one", "h_t used where h_{t-1} belongs", "bptt",
            r"$W_{hh}$ multiplies $h_{t-1}$ in $z_t$, so step $t$ contributes $dh_{raw,t}\,h_{t-1}^\top$, "
            r"not $dh_{raw,t}\,h_t^\top$.",
            lambda c, e, t: np.outer(e[f"dh_raw[{t}]"], e[f"h[{t}]"])),
        mut("transposed", "Outer product the wrong way round", "bptt",
            r"The contribution is $dh_{raw,t}\,h_{t-1}^\top$ (the gradient down the rows, like $W_{hh}$'s "
            r"rows of incoming weights), not $h_{t-1}\,dh_{raw,t}^\top$.",
            lambda c, e, t: np.outer(e[f"h[{t - 1}]"], e[f"dh_raw[{t}]"]), from_step_2),
        mut("dh_not_raw", "dh used where dh_raw belongs", "bptt", _AFTER_TANH,
            lambda c, e, t: np.outer(e[f"dh[{t}]"], e[f"h[{t - 1}]"]), from_step_2),
    ),
    needs="backward",
)

_dW_xh_t = Rule(
    "dW_xh[t]", "t", "matrix", lambda c: (c.H, c.V), lambda c, t: (f"dh_raw[{t}]",),
    lambda c, e, t: np.outer(e[f"dh_raw[{t}]"], e[f"x[{t}]"]),  # dh_raw_t x_t^T: (H,V), one nonzero column
    (
        mut("dh_not_raw", "dh used where dh_raw belongs", "bptt", _AFTER_TANH,
            lambda c, e, t: np.outer(e[f"dh[{t}]"], e[f"x[{t}]"])),
        mut("input_is_target", "Target used as the input", "bptt",
            r"$x_t$ is the one-hot of the *input* at step $t$, so the gradient lands in the input's column, "
            r"not the target's.",
            lambda c, e, t: np.outer(e[f"dh_raw[{t}]"], e[f"onehot_target[{t}]"]), input_differs),
    ),
    needs="backward",
)


def _sum_rule(pattern: str, name: str, shape, what: str, when=several_steps) -> Rule:
    return Rule(
        pattern, None, "vector" if name == "db_h" else "matrix", shape, lambda c, t: tuple(step_ids(name, c)),
        lambda c, e, t: np.sum(stack(e, step_ids(name, c)), axis=0),
        (_last_step(name, what + ": " + _SHARED, when),), needs="backward",
    )


_dW_hh = _sum_rule("dW_hh", "dW_hh", lambda c: (c.H, c.H), "$W_{hh}$", _several_h_terms)
_dW_xh = _sum_rule("dW_xh", "dW_xh", lambda c: (c.H, c.V), "$W_{xh}$")
_db_h = Rule(
    "db_h", None, "vector", shape_h, lambda c, t: tuple(step_ids("dh_raw", c)),
    lambda c, e, t: np.sum(stack(e, step_ids("dh_raw", c)), axis=0),
    (_last_step("dh_raw", "$b_h$: " + _SHARED),), needs="backward",
)
