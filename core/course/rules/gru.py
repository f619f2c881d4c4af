"""One GRU step by hand, in the playground's convention (Cho et al. 2014, d2l; PyTorch's update gate):

    z = sigmoid(W_xz x_t + W_hz h_{t-1} + b_z)      r = sigmoid(W_xr x_t + W_hr h_{t-1} + b_r)
    n = tanh(W_xn x_t + W_hn (r * h_{t-1}) + b_n)   (the reset gate masks h_{t-1} *before* the matmul)
    h_t = z * h_{t-1} + (1 - z) * n                  (an update gate of 1 keeps the old state)

Going back through the last step from the given dh = dL/dh_T:

    dn = dh * (1 - z)      dz = dh * (h_{t-1} - n)      da_n = dn * (1 - n^2)      da_z = dz * z(1 - z)
    drh = W_hn^T da_n      dr = drh * h_{t-1}           da_r = dr * r(1 - r)
    dh_prev = z * dh + r * drh + W_hz^T da_z + W_hr^T da_r
"""
from __future__ import annotations

import numpy as np

from core.course.rules.base import Ctx, Env, Rule, from_step_2, mut, shape_h
from core.course.rules.gated import activation_grad_rule, gate_pre, sig, sigmoid_gate_rule

LESSON = "gru-step"
_NAMES = {"z": "update gate", "r": "reset gate"}


def _pre_rule(gate: str) -> Rule:
    other = "r" if gate == "z" else "z"
    return Rule(
        f"a_{gate}[t]", "t", "vector", shape_h, lambda c, t: (f"h[{t - 1}]",),
        lambda c, e, t: gate_pre(c, e, t, gate),
        (
            mut("no_bias", "Bias left out", LESSON,
                rf"The {_NAMES[gate]}'s pre-activation adds its bias: $a_{gate} = W_{{x{gate}}}x_t + "
                rf"W_{{h{gate}}}h_{{t-1}} + b_{gate}$.",
                lambda c, e, t: gate_pre(c, e, t, gate, bias=False)),
            mut("no_recurrent", "Recurrent term left out", LESSON,
                rf"Both gates read the previous state: $W_{{h{gate}}}h_{{t-1}}$ is zero only at $t = 1$, where "
                r"$h_0 = 0$.",
                lambda c, e, t: gate_pre(c, e, t, gate, recurrent=False), from_step_2),
            mut("gate_order", "Gate blocks in the wrong order", LESSON,
                rf"Here the stacked weights hold $z, r, n$ in that order (PyTorch stacks $r, z, n$); you used the "
                rf"rows of ${other}$ for ${gate}$.",
                lambda c, e, t: gate_pre(c, e, t, other)),
        ),
    )


def _gate_rule(gate: str) -> Rule:
    return sigmoid_gate_rule(gate, LESSON,
                             rf"The {_NAMES[gate]} is a sigmoid, with values in $(0, 1)$ so that it can mix and mask; "
                             r"$\tanh$ is for the candidate $n_t$.")


def _a_n(c: Ctx, e: Env, t: int, mask: str = "r", after: bool = False, bias: bool = True) -> np.ndarray:
    h = e[f"h[{t - 1}]"]
    W = c.W_h("n")
    if after:  # PyTorch's variant: r * (W_hn h_{t-1})
        rec = e[f"{mask}[{t}]"] * (W @ h)
    else:
        rec = W @ (h if mask is None else e[f"{mask}[{t}]"] * h)  # (H,H)@(H,): reset before the matmul
    out = c.W_x("n") @ e[f"x[{t}]"] + rec
    return out + c.b("n") if bias else out


_a_n_rule = Rule(
    "a_n[t]", "t", "vector", shape_h, lambda c, t: (f"r[{t}]", f"h[{t - 1}]"),
    lambda c, e, t: _a_n(c, e, t),
    (
        mut("reset_after_matmul", "Reset gate applied after the matmul", LESSON,
            r"That is PyTorch's variant, $r_t\odot(W_{hn}h_{t-1})$. This course, like Cho et al. (2014) and d2l, "
            r"resets the state before the matmul: $W_{hn}(r_t\odot h_{t-1})$.",
            lambda c, e, t: _a_n(c, e, t, after=True), from_step_2),
        mut("no_reset", "Reset gate left out", LESSON,
            r"The candidate reads the *reset* state $r_t\odot h_{t-1}$: that is what lets the GRU ignore its past "
            r"when $r_t$ is near 0.",
            lambda c, e, t: _a_n(c, e, t, mask=None), from_step_2),
        mut("z_for_r", "Update gate used for the reset", LESSON,
            r"The candidate is masked by the reset gate $r_t$; the update gate $z_t$ only mixes old and new "
            r"state at the end.",
            lambda c, e, t: _a_n(c, e, t, mask="z"), from_step_2),
        mut("no_bias", "Bias left out", LESSON,
            r"$a_n = W_{xn}x_t + W_{hn}(r_t\odot h_{t-1}) + b_n$ adds the candidate's bias.",
            lambda c, e, t: _a_n(c, e, t, bias=False)),
    ),
)

_n = Rule(
    "n[t]", "t", "vector", shape_h, lambda c, t: (f"a_n[{t}]",),
    lambda c, e, t: np.tanh(e[f"a_n[{t}]"]),
    (
        mut("sigmoid_not_tanh", "Sigmoid instead of tanh", LESSON,
            r"The candidate state is $n_t = \tanh(a_n)$, with values in $(-1, 1)$ like a vanilla hidden state; the "
            r"sigmoids are the gates.",
            lambda c, e, t: sig(e[f"a_n[{t}]"])),
        mut("no_tanh", "tanh left out", LESSON,
            r"The candidate is squashed: $n_t = \tanh(a_n)$, element by element.",
            lambda c, e, t: np.array(e[f"a_n[{t}]"], dtype=np.float64)),
    ),
)


def _mix(e: Env, t: int, gate: str = "z", flipped: bool = False) -> np.ndarray:
    g, h, n = e[f"{gate}[{t}]"], e[f"h[{t - 1}]"], e[f"n[{t}]"]
    return (1 - g) * h + g * n if flipped else g * h + (1 - g) * n


_h = Rule(
    "h[t]", "t", "vector", shape_h, lambda c, t: (f"z[{t}]", f"h[{t - 1}]", f"n[{t}]"),
    lambda c, e, t: _mix(e, t),  # z * h_{t-1} + (1 - z) * n
    (
        mut("update_flipped", "Update gate convention flipped", LESSON,
            r"In this course (and in PyTorch and the playground) $h_t = z_t\odot h_{t-1} + (1 - z_t)\odot n_t$: "
            r"an update gate of 1 *keeps* the old state. You wrote the other convention, "
            r"$(1 - z_t)\odot h_{t-1} + z_t\odot n_t$.",
            lambda c, e, t: _mix(e, t, flipped=True)),
        mut("no_one_minus", "1 − z left out", LESSON,
            r"The new state is a mix: the candidate is weighted by $1 - z_t$, so the weights of old and new add "
            r"up to 1.",
            lambda c, e, t: e[f"z[{t}]"] * e[f"h[{t - 1}]"] + e[f"n[{t}]"]),
        mut("r_for_z", "Reset gate used for the update", LESSON,
            r"The final mix uses the update gate $z_t$; the reset gate $r_t$ only masks $h_{t-1}$ inside the "
            r"candidate.",
            lambda c, e, t: _mix(e, t, gate="r")),
    ),
)


# ---------------------------------------------------------------------------------------------------------
# Back through the last step


def _deriv_rule(name: str, grad: str, of: str, tanh: bool) -> Rule:
    return activation_grad_rule(name, grad, of, tanh, LESSON)


_dn = Rule(
    "dn[t]", "t", "vector", shape_h, lambda c, t: (f"z[{t}]",),
    lambda c, e, t: e[f"dh[{t}]"] * (1 - e[f"z[{t}]"]),  # h = ... + (1 - z) * n
    (
        mut("update_flipped", "Update gate convention flipped", LESSON,
            r"$h_t = z_t\odot h_{t-1} + (1 - z_t)\odot n_t$, so the candidate's gradient is $dh\odot(1 - z_t)$; "
            r"$dh\odot z_t$ belongs to the other convention.",
            lambda c, e, t: e[f"dh[{t}]"] * e[f"z[{t}]"]),
    ),
)

_dz = Rule(
    "dz[t]", "t", "vector", shape_h, lambda c, t: (f"h[{t - 1}]", f"n[{t}]"),
    lambda c, e, t: e[f"dh[{t}]"] * (e[f"h[{t - 1}]"] - e[f"n[{t}]"]),  # d/dz of z*h + (1-z)*n = h - n
    (
        mut("sign_flipped", "n − h_{t-1} instead of h_{t-1} − n", LESSON,
            r"$\partial h_t/\partial z_t = h_{t-1} - n_t$ ($z$ weights the old state); $n_t - h_{t-1}$ is the "
            r"other convention's.",
            lambda c, e, t: e[f"dh[{t}]"] * (e[f"n[{t}]"] - e[f"h[{t - 1}]"])),
        mut("one_term_only", "Only one term of the product rule", LESSON,
            r"$z_t$ appears twice, in $z_t\odot h_{t-1}$ and in $(1 - z_t)\odot n_t$: its gradient is "
            r"$dh\odot(h_{t-1} - n_t)$, not $dh\odot h_{t-1}$.",
            lambda c, e, t: e[f"dh[{t}]"] * e[f"h[{t - 1}]"]),
    ),
)

_drh = Rule(
    "drh[t]", "t", "vector", shape_h, lambda c, t: (f"da_n[{t}]",),
    lambda c, e, t: c.W_h("n").T @ e[f"da_n[{t}]"],  # (H,H)@(H,): the gradient reaching r * h_{t-1}
    (
        mut("W_not_transposed", "W where Wᵀ belongs", LESSON,
            r"Going backwards through $W_{hn}(r_t\odot h_{t-1})$ multiplies by the transpose, $W_{hn}^\top da_n$.",
            lambda c, e, t: c.W_h("n") @ e[f"da_n[{t}]"]),
        mut("dn_not_da_n", "dn used where da_n belongs", LESSON,
            r"The gradient must pass through $\tanh$ first: $W_{hn}^\top da_n$ with $da_n = dn\odot(1 - n_t^2)$, "
            r"not $dn$.",
            lambda c, e, t: c.W_h("n").T @ e[f"dn[{t}]"]),
    ),
)

_dr = Rule(
    "dr[t]", "t", "vector", shape_h, lambda c, t: (f"drh[{t}]", f"h[{t - 1}]"),
    lambda c, e, t: e[f"drh[{t}]"] * e[f"h[{t - 1}]"],  # (r * h)' with respect to r is h
    (
        mut("own_factor", "The gate's own value instead of its partner's", LESSON,
            r"The derivative of $r_t\odot h_{t-1}$ with respect to $r_t$ is the *other* factor, $h_{t-1}$.",
            lambda c, e, t: e[f"drh[{t}]"] * e[f"r[{t}]"]),
    ),
)


def _dh_prev(c: Ctx, e: Env, t: int, direct: bool = True, reset: str | None = "r") -> np.ndarray:
    out = c.W_h("z").T @ e[f"da_z[{t}]"] + c.W_h("r").T @ e[f"da_r[{t}]"]  # through the two gates
    if reset is not None:
        out = out + (e[f"r[{t}]"] * e[f"drh[{t}]"] if reset == "r" else e[f"drh[{t}]"])  # through r * h_{t-1}
    return out + e[f"z[{t}]"] * e[f"dh[{t}]"] if direct else out  # the direct path z * h_{t-1}


_dh_prev_rule = Rule(
    "dh_prev[t]", "t", "vector", shape_h, lambda c, t: (f"z[{t}]", f"r[{t}]", f"drh[{t}]", f"da_z[{t}]", f"da_r[{t}]"),
    _dh_prev,
    (
        mut("no_direct_path", "Direct path left out", LESSON,
            r"$h_{t-1}$ reaches $h_t$ directly through $z_t\odot h_{t-1}$: add $z_t\odot dh$, the path that lets "
            r"gradients survive many steps.",
            lambda c, e, t: _dh_prev(c, e, t, direct=False)),
        mut("no_reset_path", "Path through the candidate left out", LESSON,
            r"$h_{t-1}$ also enters the candidate as $r_t\odot h_{t-1}$: add $r_t\odot drh$.",
            lambda c, e, t: _dh_prev(c, e, t, reset=None)),
        mut("reset_unmasked", "Reset gate left out on the way back", LESSON,
            r"The candidate reads $r_t\odot h_{t-1}$, so the gradient reaching $h_{t-1}$ that way is "
            r"$r_t\odot drh$, not $drh$.",
            lambda c, e, t: _dh_prev(c, e, t, reset="unmasked")),
    ),
)

GRU_RULES: tuple[Rule, ...] = (
    _pre_rule("z"), _pre_rule("r"), _gate_rule("z"), _gate_rule("r"), _a_n_rule, _n, _h,
    _dn, _dz, _deriv_rule("da_n", "dn", "n", tanh=True), _deriv_rule("da_z", "dz", "z", tanh=False),
    _drh, _dr, _deriv_rule("da_r", "dr", "r", tanh=False), _dh_prev_rule,
)
