"""What every rule is made of: Rule and Mutation, the vanilla exercise network (Ctx), its table of true values,
and the small predicates and shapes the rules are written with (the LSTM's and GRU's network: gated.py)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.course.verdict import Mistake
from core.rnn.activations import ACTIVATIONS, Activation, get_activation
from core.rnn.model import BackwardTrace, ChainTerms, ForwardTrace, backward, chain_terms, forward
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
        from core.course.rules import RULES  # the registry imports this module

        network, rule = next((n, r) for n, rules in RULES.items() for r in rules
                             if any(m is self for m in r.mutations))
        return (_mutation_named, (network, rule.pattern, self.mistake.id))


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
    sanity: Callable[[np.ndarray], list[str]] | None = None  # what to add about a wrong answer of this kind

    def mutation(self, mistake_id: str) -> Mutation:
        for m in self.mutations:
            if m.mistake.id == mistake_id:
                return m
        raise KeyError(mistake_id)

    def __reduce__(self):  # pickled by name, like Mutation: (network, pattern)
        from core.course.rules import RULES  # the registry imports this module

        network = next(n for n, rules in RULES.items() if any(r is self for r in rules))
        return (_rule_named, (network, self.pattern))


def _rule_named(network: str, pattern: str) -> Rule:
    from core.course.rules import RULES  # the registry imports this module, so look it up when unpickling

    return next(r for r in RULES[network] if r.pattern == pattern)


def _mutation_named(network: str, pattern: str, mistake_id: str) -> Mutation:
    return _rule_named(network, pattern).mutation(mistake_id)


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
    truncation: int | None = None  # k of truncated BPTT, for the truncation quantities
    truncated: BackwardTrace | None = None  # BPTT truncated to k steps
    clip: tuple[float, float] | None = None  # (element bound, norm bound), for the clipping quantities
    network = "vanilla"  # class attribute: which registry of core.course.rules this network's rules are in

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


def make_ctx(params: Params, vocab: Vocab, text: str, K: int | None, truncation: int | None = None,
             clip: tuple[float, float] | None = None) -> Ctx:
    """Run the core's forward pass, BPTT, (when K is given) the lecture's chain terms and (when truncation is
    given) BPTT truncated to that many steps, for `text`."""
    inputs, targets = split_inputs_targets(text)
    i, o = vocab.encode(inputs), vocab.encode(targets)
    trace = forward(params, i, o, activation="tanh")
    bwd = backward(params, trace)
    chain = chain_terms(params, trace, K) if K is not None else None
    truncated = backward(params, trace, truncation=truncation) if truncation is not None else None
    return Ctx(params, vocab, i, o, trace, bwd, chain, K, "tanh", truncation, truncated, clip)


def _ro(a) -> np.ndarray:
    a = np.array(a, dtype=np.float64)  # a private copy, then frozen: the table is shared by every grading
    a.flags.writeable = False
    return a


def truth_table(c: Ctx) -> Env:
    """Every value any rule reads or any template shows, keyed by id, straight from the core's traces."""
    tr, bw, P = c.trace, c.bwd, c.params
    fpr = c.act.df(tr.z, tr.h)  # (T, H) f'(z_t) = 1 - h_t^2
    env: Env = {"h[0]": _ro(tr.h0), "vocab": ", ".join("␣" if ch == " " else ch for ch in c.vocab.chars),
                "inputs": ", ".join("‘" + ("␣" if ch == " " else ch) + "’" for ch in c.vocab.decode(c.inputs)),
                "text": c.vocab.decode(c.inputs) + c.vocab.chars[int(c.targets[-1])]}
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


def always(c: Ctx, s: int) -> bool:
    return True


def from_step_2(c: Ctx, s: int) -> bool:
    return s >= 2


def not_last(c: Ctx, s: int) -> bool:
    return s < c.T


def input_differs(c: Ctx, s: int) -> bool:
    return int(c.inputs[s - 1]) != int(c.targets[s - 1])


def prediction_differs(c: Ctx, s: int) -> bool:
    return int(c.trace.predicted[s - 1]) != int(c.targets[s - 1])


def several_steps(c: Ctx, s: int) -> bool:
    return c.T >= 2  # with one step, a sum over time, its mean and its last term are all the same


def square_hv(c: Ctx, s: int) -> bool:
    return c.H == c.V


def chain_below_K(c: Ctx, s: int) -> bool:
    return c.K is not None and c.K < c.T


def mut(mid, name, lesson, explanation, compute, when=always) -> Mutation:
    return Mutation(Mistake(mid, name, explanation, lesson), compute, when)


def shape_h(c: Ctx) -> tuple:
    return (c.H,)


def shape_v(c: Ctx) -> tuple:
    return (c.V,)


def shape_scalar(c: Ctx) -> tuple:
    return ()


def step_ids(name: str, c: Ctx) -> list[str]:
    return [f"{name}[{t}]" for t in range(1, c.T + 1)]


def stack(env: Env, ids: list[str]) -> np.ndarray:
    return np.stack([np.asarray(env[i], dtype=np.float64) for i in ids])


def activation(name: str) -> Activation:
    return ACTIVATIONS[name]


FWD_LESSON = "forward-equations"
