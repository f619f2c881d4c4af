"""The exercise engine: seeded instances of an exercise, and grading a learner's whole chain of answers.

An exercise definition (content/exercises/*.toml, read by `core.course.definitions`) lists named quantities in
the order a learner computes them. `make_instance` builds the seeded network, runs the core's forward pass,
BPTT and chain terms, and turns the definition into concrete `Quantity`s ("z[2]", "dh_raw[3]", "dW_hh"),
each with its true value and the earlier quantities it is computed from.

`grade` checks every answer at once, in order, and for each one asks, in this order:
1. Is it the true value, within tolerance? -> "correct".
2. Does it follow from the learner's own earlier answers (error carried forward)? The quantity is recomputed
   from the environment where every earlier valid answer of the right shape replaces the true value. If
   every earlier answer it used was itself correct, the difference is only rounding -> "correct". Otherwise
   -> "ecf": ECF_CREDIT of the credit, and the message names the first wrong link in the chain.
3. Does it match a known mistake? Each `Mutation` recomputes the quantity the wrong way (from the same
   environment) -> "mistake", with the mistake's name, explanation and lesson.
4. Otherwise "close" (within CLOSE_FACTOR tolerances: rounding) or "wrong", with the elements that are off
   and a structural diagnosis when there is one (transposed, sign flipped, scaled, rows swapped).
Blank and unreadable answers are "blank" and "invalid": they cost nothing and are not attempts. A revealed
solution is "revealed": no credit, and later answers are checked against the revealed true value.
Credit is per element: 1 for each element within tolerance of the truth, ECF_CREDIT for an element that is
only consistent with the learner's earlier answers, 0 otherwise; a quantity's credit is the mean.

Variants: an instance is fully determined by (definition, seed, hidden, text, hand_friendly). A seed is
*vetted* when no mistake's value coincides with the true value or with another mistake's value (within
VET_MARGIN tolerances) at any step where that mistake is meaningful, so a diagnosis is never ambiguous.

Public API (stable):
    load_exercise(path) -> Definition;  load_all(directory=EXERCISE_DIR) -> dict[id, Definition];  ContentError
    make_instance(definition, seed, hidden=None, text=None, hand_friendly=True) -> Instance
        (None means the definition's own hidden size and text, "hello" and 3 in the shipped files)
    Instance: .quantities (tuple of Quantity), .quantity(qid), .ids, .ancestors(qid), .vocab, .params, .trace,
              .backward, .chain, .values (every true value by id, read-only), .answer_text(qid),
              .mistake_value(qid, mistake_id). Instances pickle (rules travel by name), so st.cache_data works.
    Quantity: .id .label .kind .shape .truth .deps .t .step_var .group .tolerance .mistakes
    grade(instance, answers, revealed=frozenset()) -> dict[qid, Verdict]     (every quantity)
    grade_one(instance, qid, text, earlier_answers=None, revealed=frozenset()) -> Verdict
    Verdict (core.course.verdict): .qid .status .credit .message .mistake .wrong_elements .read_as
              .digits_warning .structure .first_wrong .counts .diagnosis
    score(feedbacks) -> (earned, possible)
    hints(instance, qid) -> list[str];  solution(instance, qid) -> str
    vetted_seed(definition, start_seed, hidden=None, text=None, hand_friendly=True) -> int
    is_vetted(definition, seed, ...) -> bool;  vetting_problems(instance) -> list[str]
    ECF_CREDIT, VET_MARGIN, STATUSES
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.course.answers import parse_answer, parse_char
from core.course.checking import Tolerance, compare, describe_wrong
from core.course.definitions import (
    MAX_HIDDEN,
    ContentError,
    Definition,
    QuantitySpec,
    TemplateError,
    block_steps,
    dollar_problem,
    parse_definition,
    render,
    text_problem,
    when_holds,
)
from core.course.rules import Ctx, Mutation, Rule, make_ctx, quantity_id, truth_table
from core.course.verdict import STATUSES, Mistake, Verdict
from core.formatting import format_value
from core.paths import EXERCISE_DIR
from core.rnn.model import BackwardTrace, ChainTerms, ForwardTrace
from core.rnn.network import build_network
from core.rnn.params import Params
from core.rnn.vocab import Vocab

ECF_CREDIT = 0.5  # credit for a step done right from the learner's own wrong earlier value
VET_MARGIN = 2.0  # a mistake must differ from the truth and every other mistake by this many tolerances

__all__ = [
    "ECF_CREDIT", "VET_MARGIN", "STATUSES", "ContentError", "Definition", "Instance", "Mistake", "Verdict",
    "Quantity", "grade", "grade_one", "hints", "is_vetted", "load_all", "load_exercise", "make_instance", "score",
    "solution", "vetted_seed", "vetting_problems",
]


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
    params: Params
    ctx: Ctx = field(repr=False)
    values: dict = field(repr=False)  # every true value by id (core.course.rules.truth_table)
    quantities: tuple[Quantity, ...] = ()
    _by_id: dict = field(default_factory=dict, repr=False)
    _ancestors: dict = field(default_factory=dict, repr=False)

    @property
    def trace(self) -> ForwardTrace:
        return self.ctx.trace

    @property
    def backward(self) -> BackwardTrace:
        return self.ctx.bwd

    @property
    def chain(self) -> ChainTerms | None:
        return self.ctx.chain

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
                return _safe(m.compute, self.ctx, self.values, q.t)
        raise KeyError(f"{qid!r} has no mistake {mistake_id!r} at this step")


# ---------------------------------------------------------------------------------------------------------
# Loading


def load_exercise(path: Path | str, validate: bool = True) -> Definition:
    """Read and check one exercise file; ContentError names the file, the key and the problem.

    With validate (the default), the file is also tried on its textbook variant: every template must fill
    in, every quantity must come after those it is computed from, and the textbook seed must be vetted.
    """
    d = parse_definition(path)
    if validate:
        _check_semantics(d)
    return d


def load_all(directory: Path | str = EXERCISE_DIR) -> dict[str, Definition]:
    """Every exercise file in `directory` (sorted by name), validated; the first problem raises ContentError."""
    return {p.stem: load_exercise(p) for p in sorted(Path(directory).glob("*.toml"))}


def _check_semantics(d: Definition) -> None:
    try:
        inst = make_instance(d, d.textbook_seed)
    except ContentError:
        raise
    except ValueError as e:
        raise ContentError(d.path, str(e), where="text") from None
    position = {q.id: i for i, q in enumerate(inst.quantities)}
    for q in inst.quantities:
        for dep in q.rule.deps(inst.ctx, q.t):
            if dep in position and position[dep] > position[q.id]:
                raise ContentError(d.path, f"{q.id} is asked before {dep}, which it is computed "
                                   "from: move it after", where=q.spec.key)
        scope = _scope(inst, q)
        for name, tmpl in [("label", q.spec.label), ("solution", q.spec.solution)] + [
                (f"hints[{i + 1}]", h) for i, h in enumerate(q.spec.hints)]:
            try:
                out = render(tmpl, scope, inst.values)
            except TemplateError as e:
                raise ContentError(d.path, f"at {q.id}: {e}", where=f"{q.spec.key}.{name}") from None
            p = dollar_problem(out)
            if p:
                raise ContentError(d.path, f"at {q.id}: {p}", where=f"{q.spec.key}.{name}")
    problems = vetting_problems(inst)
    if problems:
        raise ContentError(d.path, f"seed {d.textbook_seed} is not vetted ({problems[0]}); the first vetted seed "
                           f"from there is {vetted_seed(d, d.textbook_seed)}", where="textbook_seed")


# ---------------------------------------------------------------------------------------------------------
# Instances


def _scope(inst: Instance, q: Quantity | None = None, step: int | None = None, var: str | None = None) -> dict:
    c = inst.ctx
    scope = {"T": c.T, "H": c.H, "V": c.V}
    if c.K is not None:
        scope["K"] = c.K
    if q is not None:
        step, var = q.t, q.step_var
    if var is not None and step is not None:
        scope[var] = step
    return scope


def make_instance(definition: Definition, seed: int, hidden: int | None = None, text: str | None = None,
                  hand_friendly: bool = True) -> Instance:
    """The variant of `definition` with this seed; hidden and text default to the definition's own."""
    hidden = definition.hidden if hidden is None else hidden
    text = definition.text if text is None else text
    if not isinstance(hidden, int) or not 1 <= hidden <= MAX_HIDDEN:
        raise ValueError(f"hidden must be a whole number from 1 to {MAX_HIDDEN} (got {hidden!r})")
    problem = text_problem(text)
    if problem:
        raise ValueError(problem)
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0 (got {seed!r})")
    K = definition.chain_T
    if K is not None and K > len(text) - 1:
        raise ValueError(f"this exercise follows the loss at step {K}, so the text needs at least {K + 1} "
                         f"characters (got {text!r})")
    vocab, params = build_network(text, hidden, int(seed), hand_friendly)
    ctx = make_ctx(params, vocab, text, K)
    values = truth_table(ctx)
    inst = Instance(definition, int(seed), hidden, text, hand_friendly, vocab, params, ctx, values)
    quantities: list[Quantity] = []
    for block in definition.blocks:
        base = _scope(inst)
        for step in block_steps(block, base):
            scope = _scope(inst, step=step, var=block.var)
            group = _render_or_raise(block.title, scope, values, definition, f"{block.key}.title")
            for spec in block.quantities:
                if not when_holds(spec.when, step, scope):
                    continue
                qid = quantity_id(spec.rule, K, step)
                muts = tuple(m for m in spec.rule.mutations
                             if m.mistake.id in spec.mistakes and m.when(ctx, step if step is not None else 0))
                truth = values[qid]
                label = _render_or_raise(spec.label, scope, values, definition, f"{spec.key}.label")
                quantities.append(Quantity(
                    qid, label, spec.rule.kind, spec.rule.shape(ctx), truth, (),
                    step, block.var, group, spec.tolerance, tuple(m.mistake for m in muts), spec.rule, spec, muts))
    asked = {q.id for q in quantities}
    final = []
    for q in quantities:
        deps = tuple(d for d in q.rule.deps(ctx, q.t) if d in asked)
        final.append(Quantity(q.id, q.label, q.kind, q.shape, q.truth, deps, q.t, q.step_var, q.group, q.tolerance,
                              q.mistakes, q.rule, q.spec, q.mutations))
    inst.quantities = tuple(final)
    inst._by_id = {q.id: q for q in final}
    order = {q.id: i for i, q in enumerate(final)}
    for q in final:  # transitive ancestors among asked quantities, in exercise order
        seen: set[str] = set()
        stack = list(q.deps)
        while stack:
            d = stack.pop()
            if d not in seen:
                seen.add(d)
                stack.extend(inst._by_id[d].deps)
        inst._ancestors[q.id] = tuple(sorted(seen, key=order.__getitem__))
    return inst


def _render_or_raise(template: str, scope: dict, values: dict, d: Definition, key: str) -> str:
    try:
        return render(template, scope, values)
    except TemplateError as e:
        raise ContentError(d.path, str(e), where=key) from None


# ---------------------------------------------------------------------------------------------------------
# Grading


def _safe(fn, ctx, env, step):
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


def _math(label: str) -> str:
    return f"${label}$"


def _names(labels: list[str]) -> str:
    parts = [_math(x) for x in labels]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


class _Grader:
    """Grades quantities in order, remembering the learner's valid answers for error carried forward."""

    def __init__(self, inst: Instance, answers: dict, revealed, light=()):
        self.inst = inst
        self.answers = answers or {}
        self.revealed = set(revealed or ())
        self.learned: dict[str, object] = {}  # qid -> the learner's value (right shape, valid)
        self.fb: dict[str, Verdict] = {}
        # Quantities graded only as far as correct / consistent-with-earlier / neither (grade_one's ancestors):
        # no mistake search or structural story, unless one of them turns out to be the first wrong link.
        self.light = set(light)
        self.sketched: set[str] = set()

    def verdict(self, q: Quantity, status: str, credit: float, message: str, **kw) -> Verdict:
        """A Verdict on quantity q, saving the text the learner typed as the answer."""
        text = self.answers.get(q.id)
        return Verdict(status, credit, message, answer_text=text if isinstance(text, str) else "", qid=q.id, **kw)

    def run(self, ids) -> dict[str, Verdict]:
        for qid in ids:
            self.fb[qid] = self.grade(self.inst.quantity(qid))
        return self.fb

    def diagnosed(self, qid: str) -> Verdict:
        """The full feedback of an earlier quantity, regrading it in full if it was only sketched."""
        if qid in self.sketched:
            self.sketched.discard(qid)
            self.light.discard(qid)
            self.fb[qid] = self.grade(self.inst.quantity(qid))
        return self.fb[qid]

    def grade(self, q: Quantity) -> Verdict:
        if q.id in self.revealed:
            return self.verdict(q, "revealed", 0.0, "You revealed the worked solution, so this one earns no "
                            "credit; the next steps are checked against the revealed value.")
        text = self.answers.get(q.id)
        if text is None or (isinstance(text, str) and not text.strip()):
            return self.verdict(q, "blank", 0.0, "No answer yet.")
        if q.kind == "char":
            parsed = parse_char(text, self.inst.vocab)
        else:
            parsed = parse_answer(text, q.shape)
        if not parsed.ok:
            status = "blank" if parsed.blank else "invalid"
            msg = parsed.message if parsed.blank else parsed.message + " (Nothing was counted: fix it and check again.)"
            return self.verdict(q, status, 0.0, msg)
        if q.kind == "char":
            return self.grade_char(q, parsed)
        return self.grade_numeric(q, parsed)

    def env_for(self, q: Quantity) -> tuple[dict, list[str]]:
        """The true values with every answered ancestor replaced by the learner's own; the direct inputs used."""
        answered = [a for a in self.inst._ancestors[q.id] if a in self.learned]
        if not answered:
            return self.inst.values, []
        env = dict(self.inst.values)
        for a in answered:
            env[a] = self.learned[a]
        return env, [d for d in q.deps if d in self.learned]

    def from_own_errors(self, q: Quantity) -> bool:
        """Did any earlier answer this quantity is computed from differ from the truth?"""
        return any(a in self.learned and self.fb[a].status != "correct" for a in self.inst._ancestors[q.id])

    def off_deps(self, used: list[str]) -> list[str]:
        return [d for d in used if self.fb[d].status != "correct"]

    def first_wrong(self, q: Quantity) -> str | None:
        for a in self.inst._ancestors[q.id]:
            f = self.fb.get(a)
            if f is not None and f.status in ("wrong", "mistake", "close") and a in self.learned:
                return a
        return None

    def ecf_message(self, q: Quantity, off: list[str], first: str | None) -> str:
        labels = [self.inst.quantity(d).label for d in off]
        was = "was" if len(off) == 1 else "were"
        why = ""
        if first is not None and self.diagnosed(first).mistake is not None:
            why = f" ({self.fb[first].mistake.name.lower()})"
        msg = f"This is not the true value, but it follows correctly from your {_names(labels)}, which {was} off"
        if first is None or off == [first]:
            return (msg + f"{why}. You did this step right, so it earns {ECF_CREDIT:.0%} of the credit: fix "
                    f"{_names(labels)} and this one follows.")
        return (msg + f". You did this step right, so it earns {ECF_CREDIT:.0%} of the credit. The first wrong "
                f"link in the chain is {_math(self.inst.quantity(first).label)}{why}: start there.")

    def grade_char(self, q: Quantity, parsed) -> Verdict:
        ch = parsed.char
        self.learned[q.id] = ch
        base = dict(read_as=parsed.read_as, value=ch)
        if ch == q.truth:
            return self.verdict(q, "correct", 1.0, "Correct.", **base)
        env, used = self.env_for(q)
        if used:
            ecf = _safe(q.rule.compute, self.inst.ctx, env, q.t)
            if ecf == ch:
                off = self.off_deps(used)
                if not off:
                    return self.verdict(q, "correct", 1.0, "Correct, from your own earlier answers.", **base)
                first = self.first_wrong(q)
                return self.verdict(q, "ecf", ECF_CREDIT, self.ecf_message(q, off, first), first_wrong=first, **base)
        for m in q.mutations:
            if _safe(m.compute, self.inst.ctx, env, q.t) == ch:
                own = self.from_own_errors(q)
                return self.verdict(q, "mistake", 0.0, _mistake_message(m.mistake, own), mistake=m.mistake,
                                wrong_elements=[()], **base)
        return self.verdict(q, "wrong", 0.0, "Not quite: the prediction is the character with the largest "
                        "probability in $p_t$.", wrong_elements=[()], **base)

    def grade_numeric(self, q: Quantity, parsed) -> Verdict:
        value = parsed.value
        truth = q.truth
        tol = q.tolerance
        base = dict(read_as=parsed.read_as, value=value)
        if value.shape == q.shape:
            self.learned[q.id] = value  # only answers of the right shape are carried forward
        sketch = q.id in self.light
        if sketch:  # only right / consistent / neither is needed: a bare tolerance check, no diagnosis
            if value.shape != q.shape:
                self.sketched.add(q.id)
                return self.verdict(q, "wrong", 0.0, "", **base)
            element_ok = tol.within(value, truth)  # (shape) bool
            cmp = None
        else:
            cmp = compare(value, truth, tol, parsed.digits_each)
            element_ok = cmp.element_ok
        if element_ok is not None and np.all(element_ok):
            return self.verdict(q, "correct", 1.0, "Correct.", **base)
        env, used = self.env_for(q)
        if used and element_ok is not None:
            ecf = _safe(q.rule.compute, self.inst.ctx, env, q.t)
            if ecf is not None and ecf.shape == value.shape:
                ecf_ok = tol.within(value, ecf)  # (shape) bool
                if np.all(ecf_ok | element_ok):
                    off = self.off_deps(used)
                    if not off:
                        return self.verdict(q, "correct", 1.0, "Correct: this follows from your own earlier answers "
                                        "(the small difference from the exact value is their rounding).", **base)
                    first = self.first_wrong(q)
                    credit = float(np.mean(np.where(element_ok, 1.0, ECF_CREDIT)))
                    if sketch:
                        return self.verdict(q, "ecf", credit, "", first_wrong=first, **base)
                    return self.verdict(q, "ecf", credit, self.ecf_message(q, off, first), first_wrong=first,
                                    wrong_elements=cmp.wrong_elements, digits_warning=cmp.digits_warning, **base)
        if sketch:  # neither right nor consistent: enough for a later quantity, unless it is the first link
            self.sketched.add(q.id)
            return self.verdict(q, "wrong", float(np.mean(element_ok)), "", **base)
        for m in q.mutations:
            mv = _safe(m.compute, self.inst.ctx, env, q.t)
            if mv is not None and mv.shape == value.shape and np.all(tol.within(value, mv)):
                own = self.from_own_errors(q)
                return self.verdict(q, "mistake", cmp.credit, _mistake_message(m.mistake, own),
                                mistake=m.mistake, wrong_elements=cmp.wrong_elements, structure=cmp.structure,
                                digits_warning=cmp.digits_warning, **base)
        where = describe_wrong(cmp, truth.ndim)
        if cmp.close:
            pct = f"{cmp.max_rel_error:.1%}" if cmp.max_rel_error < 1 else "a little"
            msg = (f"Very close, but outside the tolerance ({tol.describe()}): off by up to about {pct}. "
                   f"{where} This is usually rounding: keep 4 significant digits in intermediate results.")
            return self.verdict(q, "close", cmp.credit, " ".join(msg.split()), wrong_elements=cmp.wrong_elements,
                            digits_warning=cmp.digits_warning, **base)
        parts = ["Not quite."]
        if where and not (cmp.structure_message and len(cmp.wrong_elements) == truth.size):
            parts.append(where)  # with a structural story for the whole answer, listing every element adds nothing
        if cmp.structure_message:
            parts.append(cmp.structure_message)
        elif not where:
            parts.append("This is not the expected value.")
        if q.id.startswith("p[") and value.ndim == 1:  # a probability vector has checks of its own
            if np.any(value < 0):
                parts.append("Probabilities cannot be negative: softmax exponentiates every score.")
            elif abs(float(value.sum()) - 1) > 0.01:
                parts.append(f"Your probabilities add up to {float(value.sum()):.3g}, not 1: divide by the sum.")
        parts.append("The hints go through it step by step.")
        return self.verdict(q, "wrong", cmp.credit, " ".join(parts), wrong_elements=cmp.wrong_elements,
                        structure=cmp.structure, digits_warning=cmp.digits_warning, **base)


def _mistake_message(m: Mistake, from_own: bool) -> str:
    own = " (Worked out from your own earlier answers.)" if from_own else ""
    return f"It looks like: **{m.name}**. {m.explanation}{own}"


def grade(instance: Instance, answers: dict[str, str], revealed=frozenset()) -> dict[str, Verdict]:
    """Verdict for every quantity of the instance (blank where no answer is given), in exercise order."""
    unknown = set(answers or {}) - set(instance._by_id)
    if unknown:
        raise KeyError(f"{instance.definition.id} has no quantities {sorted(unknown)}")
    return _Grader(instance, answers, revealed).run(instance.ids)


def grade_one(instance: Instance, qid: str, text: str, earlier_answers: dict[str, str] | None = None,
              revealed=frozenset()) -> Verdict:
    """Verdict on one answer; only the earlier answers it is (transitively) computed from are graded."""
    instance.quantity(qid)  # a clear KeyError for an unknown id
    answers = dict(earlier_answers or {})
    answers[qid] = text
    ancestors = instance._ancestors[qid]
    return _Grader(instance, answers, revealed, light=ancestors).run(list(ancestors) + [qid])[qid]


def score(feedbacks: dict[str, Verdict]) -> tuple[float, int]:
    """(credit earned, quantities) over a grade() result."""
    return float(sum(f.credit for f in feedbacks.values())), len(feedbacks)


# ---------------------------------------------------------------------------------------------------------
# Help


def hints(instance: Instance, qid: str) -> list[str]:
    """The quantity's two or three progressive hints, with this instance's numbers filled in."""
    q = instance.quantity(qid)
    scope = _scope(instance, q)
    return [render(h, scope, instance.values) for h in q.spec.hints]


def solution(instance: Instance, qid: str) -> str:
    """The worked solution (Markdown + LaTeX) with this instance's numbers substituted."""
    q = instance.quantity(qid)
    return render(q.spec.solution, _scope(instance, q), instance.values)


# ---------------------------------------------------------------------------------------------------------
# Vetting variants


def _distinct(a, b, tol: Tolerance) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return a != b
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return True
    width = np.maximum(tol.abs, tol.rel * np.maximum(np.abs(a), np.abs(b)))
    return bool(np.any(np.abs(a - b) > VET_MARGIN * width))


def vetting_problems(instance: Instance) -> list[str]:
    """Every place where a mistake's value coincides with the truth or with another mistake's value."""
    out = []
    for q in instance.quantities:
        seen: list[tuple[str, object]] = [("the true value", q.truth)]
        for m in q.mutations:
            v = _safe(m.compute, instance.ctx, instance.values, q.t)
            if v is None:
                continue  # no valid value (a shape that does not fit): nothing a learner could type
            for name, other in seen:
                if not _distinct(v, other, q.tolerance):
                    out.append(f"at {q.id}, mistake '{m.mistake.id}' gives {name}")
            seen.append((f"mistake '{m.mistake.id}'", v))
    return out


def is_vetted(definition: Definition, seed: int, hidden: int | None = None, text: str | None = None,
              hand_friendly: bool = True) -> bool:
    """True when every mistake is distinguishable at every step where it is meaningful."""
    return not vetting_problems(make_instance(definition, seed, hidden, text, hand_friendly))


def vetted_seed(definition: Definition, start_seed: int, hidden: int | None = None, text: str | None = None,
                hand_friendly: bool = True, max_tries: int = 5000) -> int:
    """The first vetted seed >= start_seed; ValueError if none within max_tries."""
    for seed in range(int(start_seed), int(start_seed) + max_tries):
        if is_vetted(definition, seed, hidden, text, hand_friendly):
            return seed
    raise ValueError(f"no vetted seed in {start_seed}..{start_seed + max_tries - 1} for {definition.id} "
                     f"(hidden={hidden}, text={text!r}): try other settings")

