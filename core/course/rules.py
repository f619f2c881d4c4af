"""The maths behind each exercise quantity: how it is computed from earlier values, and how it goes wrong.

An exercise is a chain of named quantities ("z[2]", "h[1]", "dh_raw[3]", "dW_hh"). Their true values come
straight from the core's traces (`forward`, `backward`, `chain_terms`) and are collected in a table,
`truth_table`, keyed by those ids. A `Rule` says, for one kind of quantity, what it depends on and how to
recompute it from an environment of earlier values: the true ones (which must give the core's value back;
the tests check that), or the learner's own answers, which is how an error is carried forward. Each rule
also lists its `Mutation`s: named wrong computations, each one a mistake a learner really makes (bias left
out, sigmoid instead of tanh, 1 - z^2 instead of 1 - h^2, W where W^T belongs, ...), recomputed with the
core's own pieces (the activations of `core.rnn.activations`, `core.rnn.model.softmax`). A mutation also says where
it is meaningful: leaving out the recurrent term changes nothing at t = 1, where h_0 = 0, so it is only
checked from t = 2 on.

Ids follow the course's notation: t counts steps from 1, h[0] is the zero initial state, and the lecture's
single-loss gradient dE_K/dW (K = 3 on the slides) uses ids such as "dE3_dh3", "dh3_dh[1]", "dE3_dW_hh[2]".
Values in the table are float64 arrays (shape () for numbers) or one-character strings; all are read-only.

Public API (stable): Mistake, Mutation, Rule, Ctx, RULES, rule_for(id_template, K), truth_table(ctx),
make_ctx(params, vocab, text, K).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.course.verdict import Mistake
from core.rnn.activations import ACTIVATIONS, Activation, get_activation
from core.rnn.model import BackwardTrace, ChainTerms, ForwardTrace, backward, chain_terms, forward, softmax
from core.rnn.params import Params
from core.rnn.vocab import Vocab, split_inputs_targets

Env = dict[str, Any]


@dataclass(frozen=True)
class Mutation:
    """A mistake as an alternative computation of one quantity; `when` says at which steps it differs."""

    mistake: Mistake
    compute: Callable[[Ctx, Env, int], Any]  # may return None where the wrong formula has no valid shape
    when: Callable[[Ctx, int], bool]

    def __reduce__(self):  # pickled by name (the formulas are functions), so instances can be cached
        rule = next(r for r in RULES if any(m is self for m in r.mutations))
        return (_mutation_named, (rule.pattern, self.mistake.id))


@dataclass(frozen=True)
class Rule:
    """How one kind of quantity is computed, what it depends on, and how it is done wrong."""

    pattern: str  # id with the step as [t] or [k] and the chain horizon as {K}: "z[t]", "dE{K}_dh[k]"
    step: str | None  # "t", "k" or None for a quantity computed once
    kind: str  # "number", "vector", "matrix" or "char"
    shape: Callable[[Ctx], tuple]
    deps: Callable[[Ctx, int], tuple[str, ...]]  # every id compute reads from the environment (asked or given)
    compute: Callable[[Ctx, Env, int], Any]
    mutations: tuple[Mutation, ...]
    needs: str = "forward"  # which traces: "forward", "backward" or "chain"

    def mutation(self, mistake_id: str) -> Mutation:
        for m in self.mutations:
            if m.mistake.id == mistake_id:
                return m
        raise KeyError(mistake_id)

    def __reduce__(self):  # pickled by name, like Mutation
        return (_rule_named, (self.pattern,))


def _rule_named(pattern: str) -> Rule:
    return next(r for r in RULES if r.pattern == pattern)


def _mutation_named(pattern: str, mistake_id: str) -> Mutation:
    return _rule_named(pattern).mutation(mistake_id)


@dataclass
class Ctx:
    """The network of one exercise instance and its traces; rules read constants from here."""

    params: Params
    vocab: Vocab
    inputs: np.ndarray  # (T,) indices
    targets: np.ndarray  # (T,) indices
    trace: ForwardTrace
    bwd: BackwardTrace
    chain: ChainTerms | None
    K: int | None  # horizon of the lecture's single-loss gradient dE_K/dW, if used
    activation: str = "tanh"  # a name, not the Activation object, so a Ctx pickles

    @property
    def act(self) -> Activation:
        return get_activation(self.activation)

    @property
    def T(self) -> int:
        return len(self.inputs)

    @property
    def H(self) -> int:
        return self.params.hidden

    @property
    def V(self) -> int:
        return self.params.vocab_size


def make_ctx(params: Params, vocab: Vocab, text: str, K: int | None) -> Ctx:
    """Run the core's forward pass, BPTT and (when K is given) the lecture's chain terms for `text`."""
    inputs, targets = split_inputs_targets(text)
    i, o = vocab.encode(inputs), vocab.encode(targets)
    trace = forward(params, i, o, activation="tanh")
    bwd = backward(params, trace)
    chain = chain_terms(params, trace, K) if K is not None else None
    return Ctx(params, vocab, i, o, trace, bwd, chain, K, "tanh")


def _ro(a) -> np.ndarray:
    a = np.array(a, dtype=np.float64)  # a private copy, then frozen: the table is shared by every grading
    a.flags.writeable = False
    return a


def truth_table(c: Ctx) -> Env:
    """Every value any rule reads or any template shows, keyed by id, straight from the core's traces."""
    tr, bw, P = c.trace, c.bwd, c.params
    fpr = c.act.df(tr.z, tr.h)  # (T, H) f'(z_t) = 1 - h_t^2
    env: Env = {"h[0]": _ro(tr.h0), "vocab": ", ".join("␣" if ch == " " else ch for ch in c.vocab.chars)}
    for name, a in P.items():
        env[name] = _ro(a)
    for t in range(1, c.T + 1):
        i = t - 1
        tgt = int(c.targets[i])
        onehot = np.zeros(c.V)
        onehot[tgt] = 1.0
        env.update({
            f"input[{t}]": c.vocab.chars[int(c.inputs[i])], f"target[{t}]": c.vocab.chars[tgt],
            f"input_pos[{t}]": _ro(int(c.inputs[i]) + 1), f"target_pos[{t}]": _ro(tgt + 1),  # 1-based, for text
            f"J_step[{t}]": _ro(fpr[i][:, None] * P.W_hh),  # dh_t/dh_{t-1} = diag(1 - h_t^2) W_hh
            f"x[{t}]": _ro(tr.x[i]), f"onehot_target[{t}]": _ro(onehot),
            f"W_xh_x[{t}]": _ro(tr.W_xh_x[i]), f"W_hh_h_prev[{t}]": _ro(tr.W_hh_h_prev[i]),
            f"z[{t}]": _ro(tr.z[i]), f"h[{t}]": _ro(tr.h[i]), f"fpr[{t}]": _ro(fpr[i]),
            f"y[{t}]": _ro(tr.y[i]), f"exp_y[{t}]": _ro(np.exp(tr.y[i])),
            f"sum_exp_y[{t}]": _ro(np.sum(np.exp(tr.y[i]))), f"p[{t}]": _ro(tr.p[i]),
            f"p_target[{t}]": _ro(tr.p[i, tgt]), f"pred[{t}]": c.vocab.chars[int(tr.predicted[i])],
            f"loss[{t}]": _ro(tr.loss_t[i]),
            f"dy[{t}]": _ro(bw.dy[i]), f"dh_out[{t}]": _ro(bw.dh_out[i]), f"dh_rec[{t}]": _ro(bw.dh_rec[i]),
            f"dh[{t}]": _ro(bw.dh[i]), f"dh_raw[{t}]": _ro(bw.dh_raw[i]), f"dh_next[{t}]": _ro(bw.dh_next[i]),
            f"dW_hy[{t}]": _ro(bw.dW_hy_t[i]), f"dW_hh[{t}]": _ro(bw.dW_hh_t[i]),
            f"dW_xh[{t}]": _ro(bw.dW_xh_t[i]), f"db_h[{t}]": _ro(bw.db_h_t[i]),
        })
    env["loss"] = _ro(tr.loss)
    g = bw.grads
    env.update({"dW_hy": _ro(g.W_hy), "db_y": _ro(g.b_y), "dW_hh": _ro(g.W_hh), "dW_xh": _ro(g.W_xh),
                "db_h": _ro(g.b_h)})
    if c.chain is not None:
        K, ch = c.K, c.chain
        env[f"dE{K}_dy{K}"] = _ro(ch.dE_dy)
        env[f"dE{K}_dh{K}"] = _ro(ch.dE_dh_T)
        env[f"dE{K}_dW_hy"] = _ro(ch.dE_dW_hy)
        env[f"dE{K}_dW_hh"] = _ro(ch.dE_dW_hh)
        for k in range(0, K + 1):
            env[f"dh{K}_dh[{k}]"] = _ro(ch.jacobians[k])
        for k in range(1, K + 1):
            env[f"dE{K}_dh[{k}]"] = _ro(ch.dE_dh_k[k - 1])
            env[f"dE{K}_dW_hh[{k}]"] = _ro(ch.terms_W_hh[k - 1])
            env[f"fpr_dE{K}_dh[{k}]"] = _ro(fpr[k - 1] * ch.dE_dh_k[k - 1])  # dE_K/dz_k, shown in solutions
    return env


# ---------------------------------------------------------------------------------------------------------
# Building blocks


def _always(c: Ctx, s: int) -> bool:
    return True


def _from2(c: Ctx, s: int) -> bool:
    return s >= 2


def _not_last(c: Ctx, s: int) -> bool:
    return s < c.T


def _input_differs(c: Ctx, s: int) -> bool:
    return int(c.inputs[s - 1]) != int(c.targets[s - 1])


def _pred_differs(c: Ctx, s: int) -> bool:
    return int(c.trace.predicted[s - 1]) != int(c.targets[s - 1])


def _square_hv(c: Ctx, s: int) -> bool:
    return c.H == c.V


def _chain_below_K(c: Ctx, s: int) -> bool:
    return c.K is not None and c.K < c.T


def _mut(mid, name, lesson, explanation, compute, when=_always) -> Mutation:
    return Mutation(Mistake(mid, name, explanation, lesson), compute, when)


def _hv(c: Ctx) -> tuple:
    return (c.H,)


def _vv(c: Ctx) -> tuple:
    return (c.V,)


def _scalar(c: Ctx) -> tuple:
    return ()


def _steps(name: str, c: Ctx) -> list[str]:
    return [f"{name}[{t}]" for t in range(1, c.T + 1)]


def _stack(env: Env, ids: list[str]) -> np.ndarray:
    return np.stack([np.asarray(env[i], dtype=np.float64) for i in ids])


def _act(name: str) -> Activation:
    return ACTIVATIONS[name]


_FWD = "forward-equations"

# ---------------------------------------------------------------------------------------------------------
# Forward pass: h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h), y_t = W_hy h_t + b_y, p_t = softmax(y_t)

_W_xh_x = Rule(
    "W_xh_x[t]", "t", "vector", _hv, lambda c, t: (),
    lambda c, e, t: c.params.W_xh @ e[f"x[{t}]"],  # (H,V)@(V,): a one-hot picks column x_t
    (
        _mut("input_is_target", "Target used as the input", _FWD,
             r"$W_{xh}x_t$ uses the one-hot of the *input* character at step $t$, not of the target that "
             r"follows it, so it picks the input's column of $W_{xh}$.",
             lambda c, e, t: c.params.W_xh @ e[f"onehot_target[{t}]"], _input_differs),
        _mut("row_not_column", "Row instead of column", "one-hot",
             r"Multiplying $W_{xh}$ by a one-hot vector picks a *column* of $W_{xh}$ (the input's), not a row.",
             lambda c, e, t: c.params.W_xh[int(c.inputs[t - 1]), :] if c.H == c.V else None, _square_hv),
    ),
)

_W_hh_h_prev = Rule(
    "W_hh_h_prev[t]", "t", "vector", _hv, lambda c, t: (f"h[{t - 1}]",),
    lambda c, e, t: c.params.W_hh @ e[f"h[{t - 1}]"],  # (H,H)@(H,)
    (
        _mut("W_transposed", "Transposed W_hh", _FWD,
             r"The recurrent term is $W_{hh}h_{t-1}$: row $i$ of $W_{hh}$ times $h_{t-1}$ gives element $i$; "
             r"you used the columns, i.e. $W_{hh}^\top h_{t-1}$.",
             lambda c, e, t: c.params.W_hh.T @ e[f"h[{t - 1}]"], _from2),
    ),
)

_z = Rule(
    "z[t]", "t", "vector", _hv, lambda c, t: (f"W_xh_x[{t}]", f"W_hh_h_prev[{t}]"),
    lambda c, e, t: e[f"W_xh_x[{t}]"] + e[f"W_hh_h_prev[{t}]"] + c.params.b_h,
    (
        _mut("no_bias", "Bias left out", _FWD,
             r"The bias is missing: $z_t = W_{xh}x_t + W_{hh}h_{t-1} + b_h$ adds $b_h$ after the two products.",
             lambda c, e, t: e[f"W_xh_x[{t}]"] + e[f"W_hh_h_prev[{t}]"]),
        _mut("no_recurrent", "Recurrent term left out", _FWD,
             r"The recurrent term $W_{hh}h_{t-1}$ is missing; it is zero only at $t = 1$ (where $h_0 = 0$), and "
             r"from $t = 2$ on it is how the network remembers earlier characters.",
             lambda c, e, t: e[f"W_xh_x[{t}]"] + c.params.b_h, _from2),
        _mut("no_input", "Input term left out", _FWD,
             r"The input term $W_{xh}x_t$ is missing: every step adds the column of $W_{xh}$ of its input.",
             lambda c, e, t: e[f"W_hh_h_prev[{t}]"] + c.params.b_h),
    ),
)

_h = Rule(
    "h[t]", "t", "vector", _hv, lambda c, t: (f"z[{t}]",),
    lambda c, e, t: c.act.f(e[f"z[{t}]"]),
    (
        _mut("sigmoid_not_tanh", "Sigmoid instead of tanh", "tanh",
             r"This is the sigmoid $1/(1+e^{-z})$ of $z_t$; the network uses $\tanh(z_t)$, which ranges over "
             r"$(-1, 1)$ and is zero at zero.",
             lambda c, e, t: _act("sigmoid").f(e[f"z[{t}]"])),
        _mut("no_tanh", "tanh left out", "tanh",
             r"The activation is missing: $h_t = \tanh(z_t)$, applied to each element of $z_t$.",
             lambda c, e, t: _act("identity").f(e[f"z[{t}]"])),
    ),
)

_y = Rule(
    "y[t]", "t", "vector", _vv, lambda c, t: (f"h[{t}]",),
    lambda c, e, t: c.params.W_hy @ e[f"h[{t}]"] + c.params.b_y,  # (V,H)@(H,) + (V,)
    (
        _mut("no_bias", "Bias left out", _FWD,
             r"The output bias is missing: $y_t = W_{hy}h_t + b_y$.",
             lambda c, e, t: c.params.W_hy @ e[f"h[{t}]"]),
        _mut("off_by_one", "h_{t-1} used where h_t belongs", _FWD,
             r"The output at step $t$ reads the hidden state of the same step, $h_t$, not $h_{t-1}$.",
             lambda c, e, t: c.params.W_hy @ e[f"h[{t - 1}]"] + c.params.b_y),
    ),
)

_p = Rule(
    "p[t]", "t", "vector", _vv, lambda c, t: (f"y[{t}]",),
    lambda c, e, t: softmax(e[f"y[{t}]"]),
    (
        _mut("no_softmax", "Softmax left out", "softmax",
             r"These are the logits $y_t$ themselves; probabilities need the softmax, "
             r"$p_{t,i} = e^{y_{t,i}} / \sum_j e^{y_{t,j}}$.",
             lambda c, e, t: np.array(e[f"y[{t}]"], dtype=np.float64)),
        _mut("not_normalised", "Softmax not normalised", "softmax",
             r"The exponentials $e^{y_{t,i}}$ were not divided by their sum, so they do not add up to 1.",
             lambda c, e, t: np.exp(e[f"y[{t}]"])),
        _mut("sigmoid_not_softmax", "Sigmoid instead of softmax", "softmax",
             r"A sigmoid of each logit on its own does not make a distribution; softmax divides each "
             r"$e^{y_{t,i}}$ by the sum over the whole vocabulary.",
             lambda c, e, t: _act("sigmoid").f(e[f"y[{t}]"])),
    ),
)

_pred = Rule(
    "pred[t]", "t", "char", _scalar, lambda c, t: (f"p[{t}]",),
    lambda c, e, t: c.vocab.chars[int(np.argmax(e[f"p[{t}]"]))],
    (
        _mut("target_char", "Target instead of prediction", "softmax",
             r"That is the character that *should* come next (the target); the network predicts the character "
             r"with the largest probability in $p_t$, right or wrong.",
             lambda c, e, t: c.vocab.chars[int(c.targets[t - 1])], _pred_differs),
    ),
)


def _p_at_target(c: Ctx, e: Env, t: int) -> float:
    return float(np.asarray(e[f"p[{t}]"])[int(c.targets[t - 1])])


def _safe_log(f, x: float):
    return np.array(f(x)) if x > 0 else None  # a learner's p may hold a zero or a negative


_loss_t = Rule(
    "loss[t]", "t", "number", _scalar, lambda c, t: (f"p[{t}]",),
    lambda c, e, t: _neg(_safe_log(np.log, _p_at_target(c, e, t))),
    (
        _mut("log10", "log base 10", "cross-entropy",
             r"That is a base-10 logarithm; the cross-entropy uses the natural log, $\ln$.",
             lambda c, e, t: _neg(_safe_log(np.log10, _p_at_target(c, e, t)))),
        _mut("loss_sign", "Minus sign left out", "cross-entropy",
             r"The loss is $E_t = -\ln p_{t,\text{target}}$: the log of a probability is negative, so the minus "
             r"sign makes the loss positive.",
             lambda c, e, t: _safe_log(np.log, _p_at_target(c, e, t))),
        _mut("max_prob", "Largest probability instead of the target's", "cross-entropy",
             r"The loss takes the probability of the *target* character, not the largest one (the prediction).",
             lambda c, e, t: _neg(_safe_log(np.log, float(np.max(e[f"p[{t}]"])))), _pred_differs),
    ),
)


def _neg(a):
    return None if a is None else -a


_loss = Rule(
    "loss", None, "number", _scalar, lambda c, t: tuple(_steps("loss", c)),
    lambda c, e, t: np.sum(_stack(e, _steps("loss", c))),
    (
        _mut("mean_not_sum", "Mean instead of sum", "cross-entropy",
             r"The total loss in this course is the sum over the steps, $E = \sum_t E_t$, not the mean.",
             lambda c, e, t: np.mean(_stack(e, _steps("loss", c)))),
        _mut("last_only", "Only the last step", "cross-entropy",
             r"The total loss adds the losses of all the steps, $E = \sum_t E_t$, not only the last one.",
             lambda c, e, t: np.array(e[f"loss[{c.T}]"], dtype=np.float64)),
        _mut("loss_sign", "Minus sign left out", "cross-entropy",
             r"Each $E_t = -\ln p_{t,\text{target}}$ is positive, so their sum is too: the minus sign of the "
             r"cross-entropy is missing.",
             lambda c, e, t: -np.sum(_stack(e, _steps("loss", c)))),
    ),
)

# ---------------------------------------------------------------------------------------------------------
# Backpropagation through time, walked from t = T down to 1 (min-char-rnn's order)


def _dy_compute(c: Ctx, e: Env, t: int, p_id: str) -> np.ndarray:
    return e[p_id] - e[f"onehot_target[{t}]"]  # softmax + cross-entropy: p_t - onehot(target)


def _dy_mutations(p_of: Callable[[int], str], t_of: Callable[[Ctx, int], int]) -> tuple[Mutation, ...]:
    return (
        _mut("no_minus_one", "−1 at the target left out", "bptt",
             r"$\partial E_t/\partial y_t = p_t - \mathrm{onehot}(\text{target})$: subtract 1 at the target's "
             r"position; the probabilities alone are not the gradient.",
             lambda c, e, t: np.array(e[p_of(t_of(c, t))], dtype=np.float64)),
        _mut("sign_flipped", "ŷ − y the wrong way round", "bptt",
             r"The gradient is $\hat y_t - y_t$ (probabilities minus the one-hot target), so only the target's "
             r"entry is negative; you computed $y_t - \hat y_t$.",
             lambda c, e, t: e[f"onehot_target[{t_of(c, t)}]"] - e[p_of(t_of(c, t))]),
    )


def _same_t(c: Ctx, t: int) -> int:
    return t


def _chain_K(c: Ctx, t: int) -> int:
    return c.K


_dy = Rule(
    "dy[t]", "t", "vector", _vv, lambda c, t: (f"p[{t}]",),
    lambda c, e, t: _dy_compute(c, e, t, f"p[{t}]"),
    _dy_mutations(lambda t: f"p[{t}]", _same_t), needs="backward",
)


def _outer_sum(e: Env, a: str, b: Callable[[int], str], c: Ctx) -> np.ndarray:
    return sum(np.outer(e[f"{a}[{t}]"], e[b(t)]) for t in range(1, c.T + 1))


def _last_step(name: str, explanation: str):
    return _mut("last_step_only", "One step only, not summed over time", "bptt", explanation,
                lambda c, e, t: np.array(e[f"{name}[{c.T}]"], dtype=np.float64))


_SHARED = (r"the same weights are used at every step, so the gradient is the sum of every step's contribution, "
           r"not the contribution of step $T$ alone.")

_dW_hy = Rule(
    "dW_hy", None, "matrix", lambda c: (c.V, c.H), lambda c, t: tuple(_steps("dy", c) + _steps("h", c)),
    lambda c, e, t: _outer_sum(e, "dy", lambda s: f"h[{s}]", c),  # sum_t dy_t h_t^T: (V,H)
    (
        _mut("last_step_only", "One step only, not summed over time", "bptt", "$W_{hy}$: " + _SHARED,
             lambda c, e, t: np.outer(e[f"dy[{c.T}]"], e[f"h[{c.T}]"])),
        _mut("off_by_one", "h_{t-1} used where h_t belongs", "bptt",
             r"$y_t$ is computed from $h_t$, so step $t$ contributes $(\hat y_t - y_t)\,h_t^\top$, not "
             r"$(\hat y_t - y_t)\,h_{t-1}^\top$.",
             lambda c, e, t: _outer_sum(e, "dy", lambda s: f"h[{s - 1}]", c)),
    ),
    needs="backward",
)

_db_y = Rule(
    "db_y", None, "vector", _vv, lambda c, t: tuple(_steps("dy", c)),
    lambda c, e, t: np.sum(_stack(e, _steps("dy", c)), axis=0),
    (_last_step("dy", "$b_y$: " + _SHARED),), needs="backward",
)


def _dh_compute(c: Ctx, e: Env, t: int, with_next: bool = True, W=None) -> np.ndarray:
    W = c.params.W_hy.T if W is None else W
    out = W @ e[f"dy[{t}]"]  # (H,V)@(V,): the output path
    if with_next and t < c.T:
        out = out + e[f"dh_next[{t + 1}]"]  # the recurrent path, from step t+1
    return out


_dh = Rule(
    "dh[t]", "t", "vector", _hv,
    lambda c, t: (f"dy[{t}]",) + ((f"dh_next[{t + 1}]",) if t < c.T else ()),
    _dh_compute,
    (
        _mut("no_dh_next", "dh_next not added", "bptt",
             r"$h_t$ reaches the loss through $y_t$ *and* through $h_{t+1}$, so "
             r"$dh_t = W_{hy}^\top dy_t + dh_{next}$; the gradient from step $t+1$ was not added.",
             lambda c, e, t: _dh_compute(c, e, t, with_next=False), _not_last),
        _mut("W_not_transposed", "W where Wᵀ belongs", "bptt",
             r"Going backwards through $y_t = W_{hy}h_t$ multiplies by the transpose, $W_{hy}^\top dy_t$.",
             lambda c, e, t: _dh_compute(c, e, t, W=c.params.W_hy) if c.H == c.V else None, _square_hv),
    ),
    needs="backward",
)

_dh_raw = Rule(
    "dh_raw[t]", "t", "vector", _hv, lambda c, t: (f"dh[{t}]", f"z[{t}]", f"h[{t}]"),
    lambda c, e, t: c.act.df(e[f"z[{t}]"], e[f"h[{t}]"]) * e[f"dh[{t}]"],  # (1 - h_t^2) * dh_t
    (
        _mut("one_minus_z_squared", "1 − z² instead of 1 − h²", "tanh",
             r"The derivative of $\tanh$ is $1 - \tanh^2(z_t) = 1 - h_t^2$, written with the *output* $h_t$; "
             r"you used $1 - z_t^2$.",
             lambda c, e, t: c.act.df(e[f"z[{t}]"], e[f"z[{t}]"]) * e[f"dh[{t}]"]),
        _mut("tanh_as_derivative", "tanh used as its own derivative", "tanh",
             r"You multiplied by $\tanh(z_t) = h_t$; the derivative is $1 - h_t^2$.",
             lambda c, e, t: c.act.f(e[f"z[{t}]"]) * e[f"dh[{t}]"]),
        _mut("no_derivative", "tanh derivative left out", "tanh",
             r"The gradient has to pass through $h_t = \tanh(z_t)$: multiply $dh_t$ element-wise by $1 - h_t^2$.",
             lambda c, e, t: np.array(e[f"dh[{t}]"], dtype=np.float64)),
    ),
    needs="backward",
)

_dh_next = Rule(
    "dh_next[t]", "t", "vector", _hv, lambda c, t: (f"dh_raw[{t}]",),
    lambda c, e, t: c.params.W_hh.T @ e[f"dh_raw[{t}]"],  # (H,H)@(H,): sent to step t-1
    (
        _mut("W_not_transposed", "W where Wᵀ belongs", "bptt",
             r"Going backwards through $z_t = W_{hh}h_{t-1} + \dots$ multiplies by the transpose: "
             r"$dh_{next} = W_{hh}^\top\,dh_{raw}$.",
             lambda c, e, t: c.params.W_hh @ e[f"dh_raw[{t}]"]),
        _mut("dh_not_raw", "dh used where dh_raw belongs", "bptt",
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
        _mut("off_by_one", "h_t used where h_{t-1} belongs", "bptt",
             r"$W_{hh}$ multiplies $h_{t-1}$ in $z_t$, so step $t$ contributes $dh_{raw,t}\,h_{t-1}^\top$, "
             r"not $dh_{raw,t}\,h_t^\top$.",
             lambda c, e, t: np.outer(e[f"dh_raw[{t}]"], e[f"h[{t}]"])),
        _mut("transposed", "Outer product the wrong way round", "bptt",
             r"The contribution is $dh_{raw,t}\,h_{t-1}^\top$ (the gradient down the rows, like $W_{hh}$'s "
             r"rows of incoming weights), not $h_{t-1}\,dh_{raw,t}^\top$.",
             lambda c, e, t: np.outer(e[f"h[{t - 1}]"], e[f"dh_raw[{t}]"]), _from2),
        _mut("dh_not_raw", "dh used where dh_raw belongs", "bptt", _AFTER_TANH,
             lambda c, e, t: np.outer(e[f"dh[{t}]"], e[f"h[{t - 1}]"]), _from2),
    ),
    needs="backward",
)

_dW_xh_t = Rule(
    "dW_xh[t]", "t", "matrix", lambda c: (c.H, c.V), lambda c, t: (f"dh_raw[{t}]",),
    lambda c, e, t: np.outer(e[f"dh_raw[{t}]"], e[f"x[{t}]"]),  # dh_raw_t x_t^T: (H,V), one nonzero column
    (
        _mut("dh_not_raw", "dh used where dh_raw belongs", "bptt", _AFTER_TANH,
             lambda c, e, t: np.outer(e[f"dh[{t}]"], e[f"x[{t}]"])),
        _mut("input_is_target", "Target used as the input", "bptt",
             r"$x_t$ is the one-hot of the *input* at step $t$, so the gradient lands in the input's column, "
             r"not the target's.",
             lambda c, e, t: np.outer(e[f"dh_raw[{t}]"], e[f"onehot_target[{t}]"]), _input_differs),
    ),
    needs="backward",
)


def _sum_rule(pattern: str, name: str, shape, what: str) -> Rule:
    return Rule(
        pattern, None, "vector" if name == "db_h" else "matrix", shape, lambda c, t: tuple(_steps(name, c)),
        lambda c, e, t: np.sum(_stack(e, _steps(name, c)), axis=0),
        (_last_step(name, what + ": " + _SHARED),), needs="backward",
    )


_dW_hh = _sum_rule("dW_hh", "dW_hh", lambda c: (c.H, c.H), "$W_{hh}$")
_dW_xh = _sum_rule("dW_xh", "dW_xh", lambda c: (c.H, c.V), "$W_{xh}$")
_db_h = Rule(
    "db_h", None, "vector", _hv, lambda c, t: tuple(_steps("dh_raw", c)),
    lambda c, e, t: np.sum(_stack(e, _steps("dh_raw", c)), axis=0),
    (_last_step("dh_raw", "$b_h$: " + _SHARED),), needs="backward",
)

# ---------------------------------------------------------------------------------------------------------
# The lecture's dE_K/dW = sum_k (dE_K/dy_K)(dy_K/dh_K)(dh_K/dh_k)(dh_k/dW), for one loss E_K


def _J(c: Ctx, e: Env, k: int) -> np.ndarray:
    return e[f"dh{c.K}_dh[{k}]"]


def _step_jacobian(c: Ctx, j: int, fpr: np.ndarray | None = None) -> np.ndarray:
    """dh_j/dh_{j-1} = diag(f'(z_j)) W_hh, (H, H)."""
    f = c.act.df(c.trace.z[j - 1], c.trace.h[j - 1]) if fpr is None else fpr
    return f[:, None] * c.params.W_hh


_chain_dy = Rule(
    "dE{K}_dy{K}", None, "vector", _vv, lambda c, t: (f"p[{c.K}]",),
    lambda c, e, t: _dy_compute(c, e, c.K, f"p[{c.K}]"),
    _dy_mutations(lambda t: f"p[{t}]", _chain_K), needs="chain",
)

_chain_dW_hy = Rule(
    "dE{K}_dW_hy", None, "matrix", lambda c: (c.V, c.H), lambda c, t: (f"dE{c.K}_dy{c.K}", f"h[{c.K}]"),
    lambda c, e, t: np.outer(e[f"dE{c.K}_dy{c.K}"], e[f"h[{c.K}]"]),  # (y_hat_K - y_K) outer h_K
    (
        _mut("off_by_one", "h_{t-1} used where h_t belongs", "bptt",
             r"$y_K = W_{hy}h_K + b_y$ reads $h_K$, so $\partial E_K/\partial W_{hy} = (\hat y_K - y_K)\,h_K^\top$.",
             lambda c, e, t: np.outer(e[f"dE{c.K}_dy{c.K}"], e[f"h[{c.K - 1}]"])),
        _mut("summed_over_steps", "Total loss instead of E_K", "bptt",
             r"That is the gradient of the total loss $E$; the gradient of the single loss $E_K$ has only "
             r"step $K$'s term.",
             lambda c, e, t: np.array(e["dW_hy"], dtype=np.float64), _chain_below_K),
    ),
    needs="chain",
)

_chain_dh_K = Rule(
    "dE{K}_dh{K}", None, "vector", _hv, lambda c, t: (f"dE{c.K}_dy{c.K}",),
    lambda c, e, t: c.params.W_hy.T @ e[f"dE{c.K}_dy{c.K}"],  # (H,V)@(V,)
    (
        _mut("includes_later_losses", "Later losses included", "bptt",
             r"That is $dh_K$ of the full backward pass, which also carries gradient from the losses after "
             r"step $K$; $\partial E_K/\partial h_K = W_{hy}^\top(\hat y_K - y_K)$ involves $E_K$ only.",
             lambda c, e, t: np.array(e[f"dh[{c.K}]"], dtype=np.float64), _chain_below_K),
        _mut("W_not_transposed", "W where Wᵀ belongs", "bptt",
             r"Going backwards through $y_K = W_{hy}h_K$ multiplies by the transpose, $W_{hy}^\top$.",
             lambda c, e, t: c.params.W_hy @ e[f"dE{c.K}_dy{c.K}"] if c.H == c.V else None, _square_hv),
    ),
    needs="chain",
)


def _jac_deps(c: Ctx, k: int) -> tuple[str, ...]:
    return (f"dh{c.K}_dh[{k + 1}]",) if k + 1 < c.K else ()


def _k_before_last(c: Ctx, k: int) -> bool:
    return k + 1 < c.K


_chain_J = Rule(
    "dh{K}_dh[k]", "k", "matrix", lambda c: (c.H, c.H), _jac_deps,
    lambda c, e, k: _J(c, e, k + 1) @ _step_jacobian(c, k + 1),  # (dh_K/dh_{k+1}) (dh_{k+1}/dh_k)
    (
        _mut("no_derivative", "tanh derivative left out", "vanishing-gradients",
             r"Each factor is $\partial h_j/\partial h_{j-1} = \mathrm{diag}(1 - h_j^2)\,W_{hh}$: the $\tanh$ "
             r"derivative belongs in every factor.",
             lambda c, e, k: _J(c, e, k + 1) @ c.params.W_hh),
        _mut("factor_transposed", "W where Wᵀ belongs", "vanishing-gradients",
             r"$\partial h_j/\partial h_{j-1} = \mathrm{diag}(1 - h_j^2)\,W_{hh}$ (row $i$: how unit $i$ of "
             r"$h_j$ depends on $h_{j-1}$), not its transpose $W_{hh}^\top\mathrm{diag}(1 - h_j^2)$.",
             lambda c, e, k: _J(c, e, k + 1) @ _step_jacobian(c, k + 1).T),
        _mut("one_minus_z_squared", "1 − z² instead of 1 − h²", "tanh",
             r"The $\tanh$ derivative in each factor is $1 - h_j^2$, with the output $h_j$, not $1 - z_j^2$.",
             lambda c, e, k: _J(c, e, k + 1) @ _step_jacobian(
                 c, k + 1, c.act.df(c.trace.z[k], c.trace.z[k]))),
        _mut("reversed_order", "Jacobians multiplied in the wrong order", "vanishing-gradients",
             r"The chain rule puts the later step on the left: "
             r"$\partial h_K/\partial h_k = (\partial h_K/\partial h_{k+1})(\partial h_{k+1}/\partial h_k)$.",
             lambda c, e, k: _step_jacobian(c, k + 1) @ _J(c, e, k + 1), _k_before_last),
    ),
    needs="chain",
)

_chain_dh_k = Rule(
    "dE{K}_dh[k]", "k", "vector", _hv, lambda c, k: (f"dh{c.K}_dh[{k}]", f"dE{c.K}_dh{c.K}"),
    lambda c, e, k: _J(c, e, k).T @ e[f"dE{c.K}_dh{c.K}"],  # (dh_K/dh_k)^T dE_K/dh_K: (H,H)@(H,)
    (
        _mut("J_not_transposed", "W where Wᵀ belongs", "bptt",
             r"A gradient goes back through a Jacobian transposed: "
             r"$\partial E_K/\partial h_k = (\partial h_K/\partial h_k)^\top\,\partial E_K/\partial h_K$.",
             lambda c, e, k: _J(c, e, k) @ e[f"dE{c.K}_dh{c.K}"]),
    ),
    needs="chain",
)


def _term_v(c: Ctx, e: Env, k: int) -> np.ndarray:
    return e[f"dE{c.K}_dh[{k}]"] if k < c.K else e[f"dE{c.K}_dh{c.K}"]


def _term_deps(c: Ctx, k: int) -> tuple[str, ...]:
    return ((f"dE{c.K}_dh[{k}]",) if k < c.K else (f"dE{c.K}_dh{c.K}",)) + (f"h[{k - 1}]",)


_chain_term = Rule(
    "dE{K}_dW_hh[k]", "k", "matrix", lambda c: (c.H, c.H), _term_deps,
    lambda c, e, k: np.outer(e[f"fpr[{k}]"] * _term_v(c, e, k), e[f"h[{k - 1}]"]),  # (dE/dz_k) h_{k-1}^T
    (
        _mut("off_by_one", "h_t used where h_{t-1} belongs", "bptt",
             r"$W_{hh}$ meets $h_{k-1}$ in $z_k = W_{hh}h_{k-1} + \dots$, so the $k$-th term ends in "
             r"$h_{k-1}^\top$, not $h_k^\top$.",
             lambda c, e, k: np.outer(e[f"fpr[{k}]"] * _term_v(c, e, k), e[f"h[{k}]"])),
        _mut("no_derivative", "tanh derivative left out", "tanh",
             r"The factor $\partial h_k/\partial z_k = 1 - h_k^2$ is missing: $W_{hh}$ acts on $h_k$ through "
             r"$z_k$.",
             lambda c, e, k: np.outer(_term_v(c, e, k), e[f"h[{k - 1}]"]), _from2),
        _mut("transposed", "Outer product the wrong way round", "bptt",
             r"The term is $(\partial E_K/\partial z_k)\,h_{k-1}^\top$, with the gradient down the rows, not "
             r"its transpose.",
             lambda c, e, k: np.outer(e[f"h[{k - 1}]"], e[f"fpr[{k}]"] * _term_v(c, e, k)), _from2),
    ),
    needs="chain",
)

_chain_sum = Rule(
    "dE{K}_dW_hh", None, "matrix", lambda c: (c.H, c.H),
    lambda c, t: tuple(f"dE{c.K}_dW_hh[{k}]" for k in range(1, c.K + 1)),
    lambda c, e, t: np.sum(_stack(e, [f"dE{c.K}_dW_hh[{k}]" for k in range(1, c.K + 1)]), axis=0),
    (
        _mut("last_term_only", "Only the k = K term", "vanishing-gradients",
             r"$W_{hh}$ also shaped every earlier state $h_k$, so $\partial E_K/\partial W_{hh}$ sums the terms "
             r"of all $k = 1..K$, not only the direct $k = K$ one.",
             lambda c, e, t: np.array(e[f"dE{c.K}_dW_hh[{c.K}]"], dtype=np.float64)),
    ),
    needs="chain",
)

RULES: tuple[Rule, ...] = (
    _W_xh_x, _W_hh_h_prev, _z, _h, _y, _p, _pred, _loss_t, _loss,
    _dy, _dW_hy, _db_y, _dh, _dh_raw, _dh_next, _dW_hh_t, _dW_xh_t, _dW_hh, _dW_xh, _db_h,
    _chain_dy, _chain_dW_hy, _chain_dh_K, _chain_J, _chain_dh_k, _chain_term, _chain_sum,
)



def rule_for(id_template: str, K: int | None) -> Rule | None:
    """The rule whose pattern, with the chain horizon K filled in, is `id_template` (e.g. "z[t]")."""
    for r in RULES:
        if "{K}" in r.pattern:
            if K is not None and r.pattern.format(K=K) == id_template:
                return r
        elif r.pattern == id_template:
            return r
    return None


def known_templates(K: int | None) -> list[str]:
    """Every id template a definition may use (chain ones only when K is set)."""
    out = []
    for r in RULES:
        if "{K}" in r.pattern:
            if K is not None:
                out.append(r.pattern.format(K=K))
        else:
            out.append(r.pattern)
    return out


def quantity_id(rule: Rule, K: int | None, step: int | None) -> str:
    """The concrete id, e.g. rule "z[t]" at step 2 -> "z[2]"; "dE{K}_dh[k]" with K=3, k=1 -> "dE3_dh[1]"."""
    base = rule.pattern.format(K=K) if "{K}" in rule.pattern else rule.pattern
    if rule.step is None:
        return base
    return base[: -len(f"[{rule.step}]")] + f"[{step}]"
