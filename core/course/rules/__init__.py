"""The maths behind each exercise quantity: how it is computed from earlier values, and how it goes wrong.

An exercise is a chain of named quantities ("z[2]", "h[1]", "dh_raw[3]", "dW_hh"). Their true values come
straight from the core's traces (`forward`, `backward`, `chain_terms` for the vanilla RNN, the cells of
core.gradients.cells for the LSTM and the GRU) and are collected in a table, `truth_table`, keyed by those ids.
A `Rule` says, for one kind of quantity, what it depends on and how to recompute it from an environment of
earlier values: the true ones (which must give the core's value back; the tests check that), or the learner's
own answers, which is how an error is carried forward. Each rule also lists its `Mutation`s: named wrong
computations, each one a mistake a learner really makes (bias left out, sigmoid instead of tanh, 1 - z^2
instead of 1 - h^2, W where W^T belongs, the forget gate left out, ...), recomputed with the core's own
pieces. A mutation also says where it is meaningful: leaving out the recurrent term changes nothing at t = 1,
where h_0 = 0, so it is only checked from t = 2 on.

Rules are registered per network, `RULES[network]`: "vanilla" (forward.py, bptt.py, chain.py, and the
truncation.py and clipping.py quantities of the same network), "lstm" (lstm.py) and "gru" (gru.py); the
networks themselves are built by `build_ctx` (base.make_ctx for the vanilla RNN, gated.make_gated_ctx for the
others). Ids follow the course's notation: t counts steps from 1, h[0] (and c[0]) is the zero
initial state, and the lecture's single-loss gradient dE_K/dW (K = 3 on the slides) uses ids such as
"dE3_dh3", "dh3_dh[1]", "dE3_dW_hh[2]". Values in the table are float64 arrays (shape () for numbers) or
one-character strings; all are read-only.

Public API (stable): Mistake, Mutation, Rule, Ctx, GatedCtx, RULES (network -> rules), NETWORKS,
rule_for(id_template, K, network), known_templates(K, network), quantity_id(rule, K, step), truth_table(ctx),
build_ctx(network, text, hidden, seed, ...), make_ctx(params, vocab, text, K).
"""
from __future__ import annotations

from core.course.rules.base import Ctx, Env, Mutation, Rule, make_ctx
from core.course.rules.base import truth_table as vanilla_truths
from core.course.rules.bptt import (
    _db_h,
    _db_y,
    _dh,
    _dh_next,
    _dh_raw,
    _dW_hh,
    _dW_hh_t,
    _dW_hy,
    _dW_xh,
    _dW_xh_t,
    _dy,
)
from core.course.rules.chain import (
    _chain_dh_K,
    _chain_dh_k,
    _chain_dW_hy,
    _chain_dy,
    _chain_J,
    _chain_sum,
    _chain_term,
)
from core.course.rules.clipping import CLIPPING_RULES, clipping_truths
from core.course.rules.forward import _h, _loss, _loss_t, _p, _pred, _W_hh_h_prev, _W_xh_x, _y, _z
from core.course.rules.gated import GatedCtx, gru_truths, lstm_truths, make_gated_ctx
from core.course.rules.gru import GRU_RULES
from core.course.rules.lstm import LSTM_RULES
from core.course.rules.truncation import TRUNCATION_RULES, truncation_truths
from core.course.verdict import Mistake
from core.rnn.network import build_network

__all__ = ["NETWORKS", "RULES", "Ctx", "Env", "GatedCtx", "Mistake", "Mutation", "Rule", "build_ctx",
           "known_templates", "make_ctx", "quantity_id", "rule_for", "truth_table"]

VANILLA_RULES: tuple[Rule, ...] = (
    _W_xh_x, _W_hh_h_prev, _z, _h, _y, _p, _pred, _loss_t, _loss,
    _dy, _dW_hy, _db_y, _dh, _dh_raw, _dh_next, _dW_hh_t, _dW_xh_t, _dW_hh, _dW_xh, _db_h,
    _chain_dy, _chain_dW_hy, _chain_dh_K, _chain_J, _chain_dh_k, _chain_term, _chain_sum,
    *TRUNCATION_RULES, *CLIPPING_RULES,
)
RULES: dict[str, tuple[Rule, ...]] = {"vanilla": VANILLA_RULES, "lstm": LSTM_RULES, "gru": GRU_RULES}
NETWORKS = tuple(RULES)


def build_ctx(network: str, text: str, hidden: int, seed: int, hand_friendly: bool = True, *,
              K: int | None = None, steps: int | None = None, truncation: int | None = None,
              clip: tuple[float, float] | None = None):
    """The seeded network of one exercise variant, with every trace its rules read."""
    if network == "vanilla":
        vocab, params = build_network(text, hidden, seed, hand_friendly)
        return make_ctx(params, vocab, text, K, truncation=truncation, clip=clip)
    if network in ("lstm", "gru"):
        return make_gated_ctx(network, text, hidden, seed, hand_friendly, steps)
    raise ValueError(f"unknown network {network!r}; choose one of {', '.join(NETWORKS)}")


def truth_table(c) -> Env:
    """Every true value any rule reads or any template shows, keyed by id, for the network of `c`."""
    if c.network == "lstm":
        return lstm_truths(c)
    if c.network == "gru":
        return gru_truths(c)
    env = vanilla_truths(c)
    if c.truncation is not None:
        env.update(truncation_truths(c))
        if c.clip is not None:
            env.update(clipping_truths(c))
    return env


def _concrete(r: Rule, K: int | None) -> str | None:
    if "{K}" in r.pattern:
        return r.pattern.format(K=K) if K is not None else None
    return r.pattern


def rule_for(id_template: str, K: int | None, network: str = "vanilla") -> Rule | None:
    """The rule of `network` whose pattern, with the chain horizon K filled in, is `id_template` (e.g. "z[t]")."""
    return next((r for r in RULES.get(network, ()) if _concrete(r, K) == id_template), None)


def known_templates(K: int | None, network: str = "vanilla") -> list[str]:
    """Every id template a definition of `network` may use (chain ones only when K is set)."""
    return [p for p in (_concrete(r, K) for r in RULES.get(network, ())) if p is not None]


def quantity_id(rule: Rule, K: int | None, step: int | None) -> str:
    """The concrete id, e.g. rule "z[t]" at step 2 -> "z[2]"; "dE{K}_dh[k]" with K=3, k=1 -> "dE3_dh[1]"."""
    base = rule.pattern.format(K=K) if "{K}" in rule.pattern else rule.pattern
    if rule.step is None:
        return base
    return base[: -len(f"[{rule.step}]")] + f"[{step}]"
