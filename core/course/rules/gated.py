"""The LSTM and GRU networks of the by-hand exercises: seeded weights, the given gradients, the true values.

A gated exercise runs one cell of the gradients playground (core.gradients.cells, so the lesson, the
exercise and the playground share one convention) over the first `steps` one-hot inputs of the text, from
h_0 = 0 (and c_0 = 0), and then goes back through the last step. Nothing after the cell is modelled: the
gradient that reaches the last step from the rest of the network is given, dh_T (and for the LSTM dc_T, what
arrives at c_T from a later step), as in CS231n's lstm_step_backward. So the "loss" of the backward part is
any L with dL/dh_T = dh_T and dL/dc_T = dc_T, for instance L = dh_T . h_T + dc_T . c_T.

Weights are stacked as in the playground and PyTorch: W_x (G*H, V), W_h (G*H, H), b (G*H,) with the gates in
row blocks of H, in the order i, f, g, o for the LSTM and z, r, n for the GRU. With hand_friendly every
weight and every given gradient is uniform in [-1, 1] rounded to 2 decimals (as core.rnn.params), drawn
from np.random.default_rng(seed) in the order W_x, W_h, b, dh_T, dc_T.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.course.rules.base import Env, Rule, _ro, activation, mut, shape_h
from core.gradients.cells import (
    GRUParams,
    LSTMParams,
    gru_factors,
    gru_forward,
    gru_gate_grads,
    gru_step_back,
    lstm_factors,
    lstm_forward,
    lstm_step_back,
)
from core.rnn.vocab import Vocab, split_inputs_targets

GATES = {"lstm": ("i", "f", "g", "o"), "gru": ("z", "r", "n")}  # row blocks of W_x, W_h and b, in order


@dataclass
class GatedCtx:
    """An LSTM or GRU exercise network, its trace and the gradients given at the last step."""

    network: str  # "lstm" or "gru"
    params: LSTMParams | GRUParams
    vocab: Vocab
    inputs: np.ndarray  # (T,) indices of the inputs read
    targets: np.ndarray  # (T,) indices of the characters that follow them (shown, not modelled)
    X: np.ndarray  # (T, V) one-hot inputs
    trace: object  # core.gradients.cells LSTMTrace or GRUTrace
    dh: np.ndarray  # (H,) dL/dh_T, given
    dc: np.ndarray | None  # (H,) dL/dc_T arriving from a later step (LSTM), given
    K: int | None = None  # no single-loss chain here; the engine's scopes read it

    @property
    def T(self) -> int:
        return len(self.inputs)

    @property
    def H(self) -> int:
        return self.params.hidden

    @property
    def V(self) -> int:
        return self.vocab.size

    def rows(self, gate: str) -> slice:
        """The rows of gate `gate` in W_x, W_h and b."""
        k = GATES[self.network].index(gate)
        return slice(k * self.H, (k + 1) * self.H)

    def W_x(self, gate: str) -> np.ndarray:
        return self.params.W_x[self.rows(gate)]  # (H, V)

    def W_h(self, gate: str) -> np.ndarray:
        return self.params.W_h[self.rows(gate)]  # (H, H)

    def b(self, gate: str) -> np.ndarray:
        return self.params.b[self.rows(gate)]  # (H,)


def make_gated_ctx(network: str, text: str, hidden: int, seed: int, hand_friendly: bool = True,
                   steps: int | None = None) -> GatedCtx:
    """The seeded network of a gated exercise: the first `steps` inputs of `text`, run by the playground's cell."""
    G = len(GATES[network])
    vocab = Vocab.from_text(text)
    inputs, targets = split_inputs_targets(text)
    T = len(inputs) if steps is None else steps
    i, o = vocab.encode(inputs[:T]), vocab.encode(targets[:T])
    rng = np.random.default_rng(seed)
    V, H = vocab.size, hidden

    def draw(*shape):
        if hand_friendly:
            return np.round(rng.uniform(-1.0, 1.0, size=shape), 2)
        return rng.normal(0.0, 0.5, size=shape)
    W_x, W_h, b = draw(G * H, V), draw(G * H, H), draw(G * H)
    dh = draw(H)
    dc = draw(H) if network == "lstm" else None
    X = np.eye(V)[i]  # (T, V)
    if network == "lstm":
        params = LSTMParams(W_x, W_h, b)
        trace = lstm_forward(params, X)
    else:
        params = GRUParams(W_x, W_h, b)
        trace = gru_forward(params, X)
    return GatedCtx(network, params, vocab, i, o, X, trace, dh, dc)


# ------------------------------------------------------------------ what the LSTM and GRU rules share


def sig(v):
    return activation("sigmoid").f(v)


def gate_pre(c: GatedCtx, e: Env, t: int, gate: str, h: str = "h", bias: bool = True, recurrent: bool = True):
    """W_x{gate} x_t + W_h{gate} {h}_{t-1} + b_{gate}, from the rows of that gate's block."""
    out = c.W_x(gate) @ e[f"x[{t}]"]  # (H,V)@(V,): a column of the gate's rows
    if recurrent:
        out = out + c.W_h(gate) @ e[f"{h}[{t - 1}]"]  # (H,H)@(H,)
    return out + c.b(gate) if bias else out


def sigmoid_gate_rule(gate: str, lesson: str, why_sigmoid: str) -> Rule:
    """{gate}_t = sigmoid(a_{gate}), with its named mistakes (why_sigmoid: the tanh mistake's explanation)."""
    a = lambda e, t: e[f"a_{gate}[{t}]"]  # noqa: E731
    return Rule(
        f"{gate}[t]", "t", "vector", shape_h, lambda c, t: (f"a_{gate}[{t}]",),
        lambda c, e, t: sig(a(e, t)),
        (
            mut("tanh_not_sigmoid", "tanh instead of sigmoid", lesson, why_sigmoid, lambda c, e, t: np.tanh(a(e, t))),
            mut("sigmoid_sign", "Wrong sign in the sigmoid", lesson,
                r"$\sigma(a) = 1/(1 + e^{-a})$, with a minus in the exponent; $1/(1 + e^{a})$ is $1 - \sigma(a)$.",
                lambda c, e, t: sig(-np.asarray(a(e, t)))),
        ),
    )


def activation_grad_rule(name: str, grad: str, of: str, tanh: bool, lesson: str, what: str | None = None) -> Rule:
    """{name}_t = d{of} * the activation's derivative, written with the output `of` (grad: the id of d{of}).

    what: how the wrong-derivative mistake names the activation (default: "of_t = tanh(a_of)" or sigma)."""
    deriv = (lambda v: 1 - v ** 2) if tanh else (lambda v: v * (1 - v))
    wrong = (lambda v: v * (1 - v)) if tanh else (lambda v: 1 - v ** 2)
    right = rf"1 - {of}_t^2" if tanh else rf"{of}_t(1 - {of}_t)"
    f_name = r"\tanh" if tanh else r"\sigma"
    what = what or rf"${of}_t = {f_name}(a_{of})$"
    return Rule(
        f"{name}[t]", "t", "vector", shape_h, lambda c, t: (f"{grad}[{t}]", f"{of}[{t}]"),
        lambda c, e, t: e[f"{grad}[{t}]"] * deriv(e[f"{of}[{t}]"]),
        (
            mut("sigmoid_derivative" if tanh else "tanh_derivative",
                "Sigmoid's derivative for tanh" if tanh else "tanh's derivative for a sigmoid", lesson,
                rf"{what}, so its derivative is ${right}$.",
                lambda c, e, t: e[f"{grad}[{t}]"] * wrong(e[f"{of}[{t}]"])),
            mut("pre_activation", "Derivative written with the pre-activation", lesson,
                rf"The derivative is written with the output ${of}_t$: ${right}$, not the same formula of $a_{of}$.",
                lambda c, e, t: e[f"{grad}[{t}]"] * deriv(e[f"a_{of}[{t}]"])),
            mut("no_derivative", "Activation derivative left out", lesson,
                rf"Going back through ${of}_t = {f_name}(a_{of})$ multiplies by its derivative, ${right}$.",
                lambda c, e, t: np.array(e[f"{grad}[{t}]"], dtype=np.float64)),
        ),
    )


# --------------------------------------------------------------------------------------- truth tables


def _common(c: GatedCtx) -> dict:
    """The weights (stacked and per gate), the inputs, and the zero initial state."""
    env: dict = {"vocab": ", ".join("␣" if ch == " " else ch for ch in c.vocab.chars),
                 "inputs": ", ".join(f"‘{c.vocab.chars[int(i)]}’" for i in c.inputs),
                 "h[0]": _ro(np.zeros(c.H)), "c[0]": _ro(np.zeros(c.H))}
    for name, a in c.params.items():
        env[name] = _ro(a)
    for g in GATES[c.network]:
        env[f"W_x{g}"], env[f"W_h{g}"], env[f"b_{g}"] = _ro(c.W_x(g)), _ro(c.W_h(g)), _ro(c.b(g))
    for t in range(1, c.T + 1):
        env.update({f"x[{t}]": _ro(c.X[t - 1]), f"input[{t}]": c.vocab.chars[int(c.inputs[t - 1])],
                    f"target[{t}]": c.vocab.chars[int(c.targets[t - 1])],
                    f"input_pos[{t}]": _ro(int(c.inputs[t - 1]) + 1)})
    return env


def lstm_truths(c: GatedCtx) -> dict:
    """Every true value of an LSTM exercise by id: the forward pass of every step, the backward of the last."""
    p, tr, T = c.params, c.trace, c.T
    env = _common(c)
    for t in range(1, T + 1):
        k = t - 1
        for g in GATES["lstm"]:
            env[f"W_x{g}_x[{t}]"] = _ro(c.W_x(g) @ c.X[k])  # (H,V)@(V,): a column of W_x{g}
            env[f"W_h{g}_h[{t}]"] = _ro(c.W_h(g) @ tr.h_prev[k])  # (H,H)@(H,)
            env[f"a_{g}[{t}]"] = _ro(tr.a[k, c.rows(g)])
        env.update({f"i[{t}]": _ro(tr.i[k]), f"f[{t}]": _ro(tr.f[k]), f"g[{t}]": _ro(tr.g[k]),
                    f"o[{t}]": _ro(tr.o[k]), f"c[{t}]": _ro(tr.c[k]), f"tanh_c[{t}]": _ro(tr.phi_c[k]),
                    f"h[{t}]": _ro(tr.h[k]), f"f_c_prev[{t}]": _ro(tr.f[k] * tr.c_prev[k]),
                    f"i_g[{t}]": _ro(tr.i[k] * tr.g[k])})
    fac = lstm_factors(p, tr)
    da, dh_prev, dc_prev = lstm_step_back(p, fac, T, c.dh, c.dc)  # the playground's chain rule of one step
    dc_all = c.dc + fac.alpha[T - 1] * c.dh  # dc_T in total: from later, and through h_T = o * tanh(c_T)
    k = T - 1
    env.update({
        f"dh[{T}]": _ro(c.dh), f"dc_in[{T}]": _ro(c.dc), f"dc[{T}]": _ro(dc_all),
        f"do[{T}]": _ro(c.dh * tr.phi_c[k]), f"di[{T}]": _ro(dc_all * tr.g[k]),
        f"df[{T}]": _ro(dc_all * tr.c_prev[k]), f"dg[{T}]": _ro(dc_all * tr.i[k]),
        f"dc_prev[{T}]": _ro(dc_prev), f"dh_prev[{T}]": _ro(dh_prev), f"da[{T}]": _ro(da),
        f"dtanh_c[{T}]": _ro(1 - tr.phi_c[k] ** 2), f"dh_o[{T}]": _ro(c.dh * tr.o[k]),
        f"dtanh_g[{T}]": _ro(1 - tr.g[k] ** 2),
    })
    for g in GATES["lstm"]:
        env[f"da_{g}[{T}]"] = _ro(da[c.rows(g)])
    for g in ("i", "f", "o"):
        gate = getattr(tr, g)[k]
        env[f"dsig_{g}[{T}]"] = _ro(gate * (1 - gate))  # sigma'(a) = sigma(a)(1 - sigma(a))
    return env


def gru_truths(c: GatedCtx) -> dict:
    """Every true value of a GRU exercise by id: the forward pass of every step, the backward of the last."""
    p, tr, T = c.params, c.trace, c.T
    env = _common(c)
    for t in range(1, T + 1):
        k = t - 1
        h_prev = tr.h_prev[k]
        rh = tr.r[k] * h_prev  # the reset gate masks h_{t-1} before the matmul
        for g in ("z", "r", "n"):
            env[f"W_x{g}_x[{t}]"] = _ro(c.W_x(g) @ c.X[k])
            env[f"a_{g}[{t}]"] = _ro(tr.a[k, c.rows(g)])
        env.update({f"W_hz_h[{t}]": _ro(c.W_h("z") @ h_prev), f"W_hr_h[{t}]": _ro(c.W_h("r") @ h_prev),
                    f"rh[{t}]": _ro(rh), f"W_hn_rh[{t}]": _ro(c.W_h("n") @ rh),
                    f"z[{t}]": _ro(tr.z[k]), f"r[{t}]": _ro(tr.r[k]), f"n[{t}]": _ro(tr.n[k]),
                    f"one_minus_z[{t}]": _ro(1 - tr.z[k]), f"h[{t}]": _ro(tr.h[k])})
    fac = gru_factors(p, tr)
    da, dh_prev = gru_step_back(p, fac, T, c.dh)  # the playground's chain rule of one step
    _, q = gru_gate_grads(p, fac.kappa_z[T - 1], fac.kappa_n[T - 1], fac.kappa_r[T - 1], c.dh)
    k = T - 1
    z, r, n, h_prev = tr.z[k], tr.r[k], tr.n[k], tr.h_prev[k]
    env.update({
        f"dh[{T}]": _ro(c.dh), f"dn[{T}]": _ro(c.dh * (1 - z)), f"dz[{T}]": _ro(c.dh * (h_prev - n)),
        f"da_z[{T}]": _ro(da[c.rows("z")]), f"da_r[{T}]": _ro(da[c.rows("r")]), f"da_n[{T}]": _ro(da[c.rows("n")]),
        f"drh[{T}]": _ro(q), f"dr[{T}]": _ro(q * h_prev), f"dh_prev[{T}]": _ro(dh_prev),
        f"h_prev_minus_n[{T}]": _ro(h_prev - n), f"dtanh_n[{T}]": _ro(1 - n ** 2),
        f"dsig_z[{T}]": _ro(z * (1 - z)), f"dsig_r[{T}]": _ro(r * (1 - r)),
        f"z_dh[{T}]": _ro(z * c.dh), f"r_drh[{T}]": _ro(r * q),
        f"W_hz_T_da_z[{T}]": _ro(c.W_h("z").T @ da[c.rows("z")]),
        f"W_hr_T_da_r[{T}]": _ro(c.W_h("r").T @ da[c.rows("r")]),
    })
    return env
