"""A seeded instance of an exercise: the network, its traces, and the concrete quantities in order.

`make_instance` builds the seeded network, runs the core's forward pass, BPTT and chain terms, and turns
the definition into concrete `Quantity`s ("z[2]", "dh_raw[3]", "dW_hh"), each with its true value and the
earlier quantities it is computed from; `hints` and `solution` fill in that instance's numbers.
Instances pickle (rules travel by name), so st.cache_data can keep them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.course.checking import Tolerance
from core.course.definitions import MAX_HIDDEN, Definition, QuantitySpec, block_steps, when_holds
from core.course.own_text import stored_exercise_id, text_problem
from core.course.rules import Ctx, Mutation, Rule, build_ctx, quantity_id, truth_table
from core.course.templates import TemplateError, render
from core.course.verdict import Mistake
from core.errors import ContentError
from core.formatting import format_value
from core.rnn.model import BackwardTrace, ChainTerms
from core.rnn.vocab import Vocab


@dataclass(frozen=True, eq=False)
class Quantity:
    """One value the learner computes, at one step."""

    id: str  # "z[2]", "dW_hh", "dE3_dh[1]"
    label: str  # LaTeX, e.g. "z_{ 2 }"
    kind: str  # "number", "vector", "matrix" or "char"
    shape: tuple  # () for numbers and characters
    truth: np.ndarray | str
    deps: tuple[str, ...]  # earlier quantities of this instance that it is computed from
    t: int | None  # the step (t or k), None for a quantity computed once
    step_var: str | None  # "t", "k" or None
    group: str  # the block's title at this step, e.g. "Step 2: input ‘e’ → target ‘l’"
    tolerance: Tolerance
    mistakes: tuple[Mistake, ...]  # the mistakes checked here (meaningful at this step)
    rule: Rule = field(repr=False)
    spec: QuantitySpec = field(repr=False)
    mutations: tuple[Mutation, ...] = field(repr=False, default=())


@dataclass(eq=False)
class Instance:
    """A seeded variant of an exercise: the network, its traces, and the concrete quantities in order."""

    definition: Definition
    seed: int
    hidden: int
    text: str
    hand_friendly: bool
    vocab: Vocab
    params: object  # the network's parameters: core.rnn.params.Params, or the LSTM's or GRU's
    ctx: Ctx = field(repr=False)
    values: dict = field(repr=False)  # every true value by id (core.course.rules.truth_table)
    quantities: tuple[Quantity, ...] = ()
    _by_id: dict = field(default_factory=dict, repr=False)
    _ancestors: dict = field(default_factory=dict, repr=False)

    @property
    def network(self) -> str:
        return self.definition.network

    @property
    def trace(self):
        """The forward trace: core.rnn.model.ForwardTrace, or the LSTM's or GRU's trace."""
        return self.ctx.trace

    @property
    def backward(self) -> BackwardTrace | None:
        return getattr(self.ctx, "bwd", None)

    @property
    def chain(self) -> ChainTerms | None:
        return getattr(self.ctx, "chain", None)

    @property
    def progress_id(self) -> str:
        """The exercise id this variant's answers are stored under (one per own text, see core.course.own_text)."""
        return stored_exercise_id(self.definition.id, None if self.text == self.definition.text else self.text)

    @property
    def ids(self) -> list[str]:
        return [q.id for q in self.quantities]

    def ancestors(self, qid: str) -> tuple[str, ...]:
        """Every earlier quantity `qid` is computed from, directly or not, in exercise order."""
        self.quantity(qid)
        return self._ancestors[qid]

    def quantity(self, qid: str) -> Quantity:
        try:
            return self._by_id[qid]
        except KeyError:
            raise KeyError(f"{self.definition.id} has no quantity {qid!r}") from None

    def answer_text(self, qid: str) -> str:
        """The true value as text the reader accepts (to fill in an answer, or in tests)."""
        q = self.quantity(qid)
        return q.truth if q.kind == "char" else format_value(q.truth, digits=8)

    def mistake_value(self, qid: str, mistake_id: str):
        """What the named mistake gives for this quantity, from the true earlier values (None if undefined)."""
        q = self.quantity(qid)
        for m in q.mutations:
            if m.mistake.id == mistake_id:
                return safe_compute(m.compute, self.ctx, self.values, q.t)
        raise KeyError(f"{qid!r} has no mistake {mistake_id!r} at this step")





def scope_of(inst: Instance, q: Quantity | None = None, step: int | None = None, var: str | None = None) -> dict:
    c = inst.ctx
    scope = {"T": c.T, "H": c.H, "V": c.V}
    if c.K is not None:
        scope["K"] = c.K
    if q is not None:
        step, var = q.t, q.step_var
    if var is not None and step is not None:
        scope[var] = step
    return scope


def _check_settings(definition: Definition, seed, hidden, text) -> None:
    if not isinstance(hidden, int) or not 1 <= hidden <= MAX_HIDDEN:
        raise ValueError(f"hidden must be a whole number from 1 to {MAX_HIDDEN} (got {hidden!r})")
    problem = text_problem(text)
    if problem:
        raise ValueError(problem)
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0 (got {seed!r})")
    T, steps, k = len(text) - 1, definition.steps, definition.truncation
    if steps is not None and steps > T:
        raise ValueError(f"this exercise reads {steps} inputs, so the text needs at least {steps + 1} characters "
                         f"(got {text!r})")
    if k is not None and k >= T:
        raise ValueError(f"truncation to {k} steps drops nothing on a text of {T} steps: it needs at least "
                         f"{k + 2} characters (got {text!r})")


def make_instance(definition: Definition, seed: int, hidden: int | None = None, text: str | None = None,
                  hand_friendly: bool = True) -> Instance:
    """The variant of `definition` with this seed; hidden and text default to the definition's own.

    The lecture's single-loss chain (chain_T) needs that many steps: on a shorter text its quantities are left out.
    """
    hidden = definition.hidden if hidden is None else hidden
    text = definition.text if text is None else text
    _check_settings(definition, seed, hidden, text)
    K = definition.chain_T if definition.chain_T is not None and definition.chain_T <= len(text) - 1 else None
    ctx = build_ctx(definition.network, text, hidden, int(seed), hand_friendly, K=K, steps=definition.steps,
                    truncation=definition.truncation, clip=definition.clip)
    values = truth_table(ctx)
    inst = Instance(definition, int(seed), hidden, text, hand_friendly, ctx.vocab, ctx.params, ctx, values)
    quantities: list[Quantity] = []
    for block in definition.blocks:
        if K is None and (block.var == "k" or any(q.rule.needs == "chain" for q in block.quantities)):
            continue  # the text is too short for the lecture's E_K
        for step in block_steps(block, scope_of(inst)):
            scope = scope_of(inst, step=step, var=block.var)
            group = _render_or_raise(block.title, scope, values, definition, f"{block.key}.title")
            quantities += [_quantity(inst, spec, block.var, step, scope, group) for spec in block.quantities
                           if when_holds(spec.when, step, scope)]
    _link(inst, quantities)
    return inst


def _quantity(inst: Instance, spec: QuantitySpec, var: str | None, step: int | None, scope: dict,
              group: str) -> Quantity:
    ctx, d = inst.ctx, inst.definition
    qid = quantity_id(spec.rule, ctx.K, step)
    muts = tuple(m for m in spec.rule.mutations
                 if m.mistake.id in spec.mistakes and m.when(ctx, step if step is not None else 0))
    label = _render_or_raise(spec.label, scope, inst.values, d, f"{spec.key}.label")
    return Quantity(qid, label, spec.rule.kind, spec.rule.shape(ctx), inst.values[qid], (), step, var, group,
                    spec.tolerance, tuple(m.mistake for m in muts), spec.rule, spec, muts)


def _link(inst: Instance, quantities: list[Quantity]) -> None:
    """Each quantity's direct inputs among the asked ones, and its transitive ancestors in exercise order."""
    asked = {q.id for q in quantities}
    final = []
    for q in quantities:
        deps = tuple(d for d in q.rule.deps(inst.ctx, q.t) if d in asked)
        final.append(Quantity(q.id, q.label, q.kind, q.shape, q.truth, deps, q.t, q.step_var, q.group, q.tolerance,
                              q.mistakes, q.rule, q.spec, q.mutations))
    inst.quantities = tuple(final)
    inst._by_id = {q.id: q for q in final}
    order = {q.id: i for i, q in enumerate(final)}
    for q in final:
        seen: set[str] = set()
        stack = list(q.deps)
        while stack:
            d = stack.pop()
            if d not in seen:
                seen.add(d)
                stack.extend(inst._by_id[d].deps)
        inst._ancestors[q.id] = tuple(sorted(seen, key=order.__getitem__))


def _render_or_raise(template: str, scope: dict, values: dict, d: Definition, key: str) -> str:
    try:
        return render(template, scope, values)
    except TemplateError as e:
        raise ContentError(d.path, str(e), where=key) from None



def safe_compute(fn, ctx, env, step):
    """A rule or mutation evaluated on a learner's environment: None when their numbers make it undefined."""
    try:
        with np.errstate(all="ignore"):
            v = fn(ctx, env, step)
    except (ValueError, IndexError, ArithmeticError):
        return None
    if v is None or isinstance(v, str):
        return v
    v = np.asarray(v, dtype=np.float64)
    return v if np.all(np.isfinite(v)) else None





def hints(instance: Instance, qid: str) -> list[str]:
    """The quantity's two or three progressive hints, with this instance's numbers filled in."""
    q = instance.quantity(qid)
    scope = scope_of(instance, q)
    return [render(h, scope, instance.values) for h in q.spec.hints]


def solution(instance: Instance, qid: str) -> str:
    """The worked solution (Markdown + LaTeX) with this instance's numbers substituted."""
    q = instance.quantity(qid)
    return render(q.spec.solution, scope_of(instance, q), instance.values)


def intro(instance: Instance) -> str:
    """The exercise's summary with this instance's text and numbers filled in (Markdown + LaTeX)."""
    return render(instance.definition.summary, scope_of(instance), instance.values)
