"""One LSTM step by hand: a = W_x x_t + W_h h_{t-1} + b (blocks i, f, g, o), the gates, c_t, h_t; then back.

    i, f, o = sigmoid(a_i, a_f, a_o)    g = tanh(a_g)    c_t = f * c_{t-1} + i * g    h_t = o * tanh(c_t)

Going back through the last step from the given dh_T and dc_T (what reaches c_T from later):

    do = dh * tanh(c_t)             dc = dc_in + dh * o * (1 - tanh^2(c_t))
    di = dc * g    df = dc * c_{t-1}    dg = dc * i        dc_prev = dc * f
    da_{i,f,o} = d{i,f,o} * s(1 - s)    da_g = dg * (1 - g^2)    dh_prev = W_h^T [da_i; da_f; da_g; da_o]
"""
from __future__ import annotations

import numpy as np

from core.course.rules.base import Ctx, Env, Rule, from_step_2, mut, shape_h
from core.course.rules.gated import activation_grad_rule, gate_pre, sig, sigmoid_gate_rule

LESSON = "lstm-step"
_PARTNER = {"i": "f", "f": "i", "g": "o", "o": "g"}  # the block read by a learner who mixed up the gate order
_NAMES = {"i": "input gate", "f": "forget gate", "g": "candidate", "o": "output gate"}


def _pre_rule(gate: str) -> Rule:
    other = _PARTNER[gate]
    return Rule(
        f"a_{gate}[t]", "t", "vector", shape_h, lambda c, t: (f"h[{t - 1}]",),
        lambda c, e, t: gate_pre(c, e, t, gate),
        (
            mut("no_bias", "Bias left out", LESSON,
                rf"The {_NAMES[gate]}'s pre-activation adds its bias: $a_{gate} = W_{{x{gate}}}x_t + "
                rf"W_{{h{gate}}}h_{{t-1}} + b_{gate}$.",
                lambda c, e, t: gate_pre(c, e, t, gate, bias=False)),
            mut("no_recurrent", "Recurrent term left out", LESSON,
                rf"Every gate also reads the previous hidden state: $W_{{h{gate}}}h_{{t-1}}$ is zero at $t = 1$ "
                r"only, where $h_0 = 0$.",
                lambda c, e, t: gate_pre(c, e, t, gate, recurrent=False), from_step_2),
            mut("gate_order", "Gate blocks in the wrong order", LESSON,
                rf"The stacked weights hold the gates in the order $i, f, g, o$ (rows of $H$ each, as in PyTorch "
                rf"and the gradients playground); you used the rows of ${other}$ for ${gate}$.",
                lambda c, e, t: gate_pre(c, e, t, other)),
            mut("c_for_h", "Cell state where the hidden state belongs", LESSON,
                r"The gates read the hidden state $h_{t-1}$, not the cell state $c_{t-1}$: "
                rf"$a_{gate} = W_{{x{gate}}}x_t + W_{{h{gate}}}h_{{t-1}} + b_{gate}$.",
                lambda c, e, t: gate_pre(c, e, t, gate, h="c"), from_step_2),
        ),
    )


def _gate_rule(gate: str) -> Rule:
    return sigmoid_gate_rule(gate, LESSON,
                             rf"The {_NAMES[gate]} is a sigmoid, $\sigma(a) = 1/(1 + e^{{-a}})$, with values in "
                             r"$(0, 1)$ so that it can scale; $\tanh$ is for the candidate $g$ and for $c_t$.")


_g = Rule(
    "g[t]", "t", "vector", shape_h, lambda c, t: (f"a_g[{t}]",),
    lambda c, e, t: np.tanh(e[f"a_g[{t}]"]),
    (
        mut("sigmoid_not_tanh", "Sigmoid instead of tanh", LESSON,
            r"The candidate $g_t = \tanh(a_g)$ is what may be written to the memory, with values in $(-1, 1)$; the "
            r"sigmoids are the gates $i$, $f$, $o$.",
            lambda c, e, t: sig(e[f"a_g[{t}]"])),
        mut("no_tanh", "tanh left out", LESSON,
            r"The candidate is squashed: $g_t = \tanh(a_g)$, element by element.",
            lambda c, e, t: np.array(e[f"a_g[{t}]"], dtype=np.float64)),
    ),
)


def _cell(e: Env, t: int, prev: str = "c", keep: str = "f", write: str = "i", forget: bool = True):
    out = e[f"{write}[{t}]"] * e[f"g[{t}]"]
    return out + e[f"{keep}[{t}]"] * e[f"{prev}[{t - 1}]"] if forget else out


_c = Rule(
    "c[t]", "t", "vector", shape_h, lambda c, t: (f"f[{t}]", f"c[{t - 1}]", f"i[{t}]", f"g[{t}]"),
    lambda c, e, t: _cell(e, t),  # f * c_{t-1} + i * g
    (
        mut("no_forget", "Forget gate left out", LESSON,
            r"The memory is kept and added to: $c_t = f_t\odot c_{t-1} + i_t\odot g_t$; $c_t = i_t\odot g_t$ "
            r"throws the old cell state away (it is only right at $t = 1$, where $c_0 = 0$).",
            lambda c, e, t: _cell(e, t, forget=False), from_step_2),
        mut("h_for_c", "h_{t-1} used where c_{t-1} belongs", LESSON,
            r"The forget gate scales the previous *cell* state $c_{t-1}$, not the hidden state $h_{t-1}$: "
            r"the LSTM carries two states.",
            lambda c, e, t: _cell(e, t, prev="h"), from_step_2),
        mut("gates_swapped", "Input and forget gates swapped", LESSON,
            r"The forget gate $f_t$ scales the old memory and the input gate $i_t$ the candidate: "
            r"$c_t = f_t\odot c_{t-1} + i_t\odot g_t$.",
            lambda c, e, t: _cell(e, t, keep="i", write="f")),
    ),
)

_h = Rule(
    "h[t]", "t", "vector", shape_h, lambda c, t: (f"o[{t}]", f"c[{t}]"),
    lambda c, e, t: e[f"o[{t}]"] * np.tanh(e[f"c[{t}]"]),
    (
        mut("no_tanh", "tanh of the cell state left out", LESSON,
            r"The output squashes the cell state first: $h_t = o_t\odot\tanh(c_t)$, not $o_t\odot c_t$.",
            lambda c, e, t: e[f"o[{t}]"] * e[f"c[{t}]"]),
        mut("sigmoid_not_tanh", "Sigmoid instead of tanh", LESSON,
            r"$h_t = o_t\odot\tanh(c_t)$: the cell state goes through $\tanh$, the gate $o_t$ is the sigmoid.",
            lambda c, e, t: e[f"o[{t}]"] * sig(e[f"c[{t}]"])),
    ),
)


# ---------------------------------------------------------------------------------------------------------
# Back through the last step


def _dc(e: Env, t: int, later: bool = True, deriv=None):
    """dc_in + dh * o * tanh'(c_t): c_t reaches the loss from later and through h_t = o * tanh(c_t)."""
    d = 1 - np.tanh(e[f"c[{t}]"]) ** 2 if deriv is None else deriv(e, t)
    out = e[f"dh[{t}]"] * e[f"o[{t}]"] * d
    return out + e[f"dc_in[{t}]"] if later else out


_do = Rule(
    "do[t]", "t", "vector", shape_h, lambda c, t: (f"c[{t}]",),
    lambda c, e, t: e[f"dh[{t}]"] * np.tanh(e[f"c[{t}]"]),  # h = o * tanh(c): dh/do = tanh(c)
    (
        mut("no_tanh", "tanh of the cell state left out", LESSON,
            r"$h_t = o_t\odot\tanh(c_t)$, so $\partial h_t/\partial o_t = \tanh(c_t)$ and "
            r"$do = dh\odot\tanh(c_t)$, not $dh\odot c_t$.",
            lambda c, e, t: e[f"dh[{t}]"] * e[f"c[{t}]"]),
        mut("own_factor", "The gate's own value instead of its partner's", LESSON,
            r"The derivative of a product $o\odot\tanh(c)$ with respect to $o$ is the *other* factor, "
            r"$\tanh(c_t)$; you multiplied by $o_t$ itself.",
            lambda c, e, t: e[f"dh[{t}]"] * e[f"o[{t}]"]),
    ),
)

_dc_rule = Rule(
    "dc[t]", "t", "vector", shape_h, lambda c, t: (f"o[{t}]", f"c[{t}]"),
    lambda c, e, t: _dc(e, t),  # dc_in + dh * o * (1 - tanh^2 c)
    (
        mut("no_dc_in", "Gradient from later left out", LESSON,
            r"$c_t$ reaches the loss along two paths: through $h_t$ *and* through $c_{t+1}$; add the given "
            r"$dc_{\mathrm{in}}$ to $dh\odot o_t\odot(1 - \tanh^2 c_t)$.",
            lambda c, e, t: _dc(e, t, later=False)),
        mut("no_h_path", "Path through h_t left out", LESSON,
            r"$c_t$ also shapes $h_t = o_t\odot\tanh(c_t)$, so $dh$ contributes $dh\odot o_t\odot(1 - "
            r"\tanh^2 c_t)$ on top of the gradient from later.",
            lambda c, e, t: np.array(e[f"dc_in[{t}]"], dtype=np.float64)),
        mut("no_derivative", "tanh derivative left out", LESSON,
            r"The path through $h_t$ passes $\tanh$: multiply $dh\odot o_t$ by $1 - \tanh^2(c_t)$.",
            lambda c, e, t: _dc(e, t, deriv=lambda e, t: 1.0)),
    ),
)


def _partner_rule(name: str, partner: str, own: str, what: str) -> Rule:
    """di = dc * g, dg = dc * i: c_t = ... + i * g, so each factor's gradient is dc times the other factor."""
    return Rule(
        f"d{name}[t]", "t", "vector", shape_h, lambda c, t: (f"dc[{t}]", f"{partner}[{t}]"),
        lambda c, e, t: e[f"dc[{t}]"] * e[f"{partner}[{t}]"],
        (
            mut("own_factor", "The gate's own value instead of its partner's", LESSON,
                rf"$c_t = \dots + i_t\odot g_t$, so the gradient of {what} is $dc$ times the *other* factor, "
                rf"${partner}_t$, not ${own}_t$.",
                lambda c, e, t: e[f"dc[{t}]"] * e[f"{own}[{t}]"]),
        ),
    )


_di = _partner_rule("i", "g", "i", "the input gate $i_t$")
_dg = _partner_rule("g", "i", "g", "the candidate $g_t$")

_df = Rule(
    "df[t]", "t", "vector", shape_h, lambda c, t: (f"dc[{t}]", f"c[{t - 1}]"),
    lambda c, e, t: e[f"dc[{t}]"] * e[f"c[{t - 1}]"],  # c_t = f * c_{t-1} + ...
    (
        mut("h_for_c", "h_{t-1} used where c_{t-1} belongs", LESSON,
            r"The forget gate multiplies the previous *cell* state, so $df = dc\odot c_{t-1}$, not $dc\odot h_{t-1}$.",
            lambda c, e, t: e[f"dc[{t}]"] * e[f"h[{t - 1}]"]),
        mut("c_t_not_prev", "c_t used where c_{t-1} belongs", LESSON,
            r"$f_t$ multiplies the cell state of the step before, $c_{t-1}$, not the new $c_t$.",
            lambda c, e, t: e[f"dc[{t}]"] * e[f"c[{t}]"]),
    ),
)


def _da_rule(gate: str, dgate: str) -> Rule:
    """da = d(gate) * the activation's derivative, written with the gate's value."""
    tanh = gate == "g"
    return activation_grad_rule(f"da_{gate}", dgate, gate, tanh, LESSON,
                                what=rf"${gate}_t$ is a {'tanh' if tanh else 'sigmoid'}")


_dc_prev = Rule(
    "dc_prev[t]", "t", "vector", shape_h, lambda c, t: (f"dc[{t}]", f"f[{t}]"),
    lambda c, e, t: e[f"dc[{t}]"] * e[f"f[{t}]"],  # c_t = f * c_{t-1} + ...: the memory path, scaled by f
    (
        mut("dc_in_only", "Only the gradient from later", LESSON,
            r"Send back the *total* gradient at $c_t$, $dc$ (from later and through $h_t$), times $f_t$; "
            r"$dc_{\mathrm{in}}\odot f_t$ misses the path through $h_t$.",
            lambda c, e, t: e[f"dc_in[{t}]"] * e[f"f[{t}]"]),
        mut("no_forget", "Forget gate left out", LESSON,
            r"$c_{t-1}$ enters $c_t$ multiplied by $f_t$, so its gradient is $dc\odot f_t$: the forget gate "
            r"decides how much gradient flows back along the memory.",
            lambda c, e, t: np.array(e[f"dc[{t}]"], dtype=np.float64)),
    ),
)


def _dh_prev(c: Ctx, e: Env, t: int, order=("i", "f", "g", "o")) -> np.ndarray:
    da = np.concatenate([e[f"da_{g}[{t}]"] for g in order])  # (4H,) stacked in `order`
    return c.params.W_h.T @ da  # (H,4H)@(4H,)


_dh_prev_rule = Rule(
    "dh_prev[t]", "t", "vector", shape_h, lambda c, t: tuple(f"da_{g}[{t}]" for g in "ifgo"),
    _dh_prev,
    (
        mut("gate_order", "Gate blocks in the wrong order", LESSON,
            r"$dh_{t-1} = W_h^\top da$ with $da$ stacked in the same order as the rows of $W_h$: $i, f, g, o$.",
            lambda c, e, t: _dh_prev(c, e, t, order=("i", "f", "o", "g"))),
        mut("c_path_added", "Cell gradient added to the hidden one", LESSON,
            r"$dc_{t-1} = dc\odot f_t$ goes to the cell state $c_{t-1}$; the hidden state $h_{t-1}$ gets only "
            r"what flows back through the gates, $W_h^\top da$.",
            lambda c, e, t: _dh_prev(c, e, t) + e[f"dc[{t}]"] * e[f"f[{t}]"]),
    ),
)

LSTM_RULES: tuple[Rule, ...] = (
    *(_pre_rule(g) for g in "ifgo"), *(_gate_rule(g) for g in "ifo"), _g, _c, _h,
    _do, _dc_rule, _di, _df, _dg, _da_rule("i", "di"), _da_rule("f", "df"), _da_rule("g", "dg"),
    _da_rule("o", "do"), _dc_prev, _dh_prev_rule,
)
