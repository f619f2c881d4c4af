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

from core.course.rules.base import Ctx, Env, Mutation, Rule, make_ctx, truth_table
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
from core.course.rules.forward import _h, _loss, _loss_t, _p, _pred, _W_hh_h_prev, _W_xh_x, _y, _z
from core.course.verdict import Mistake

__all__ = ["RULES", "Ctx", "Env", "Mistake", "Mutation", "Rule", "known_templates", "make_ctx", "quantity_id",
           "rule_for", "truth_table"]

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
