"""The exercise engine: seeded instances of an exercise, and grading a learner's whole chain of answers.

An exercise definition (content/exercises/*.toml, read by `core.course.definitions`) lists named quantities in
the order a learner computes them, for one network (`network = "vanilla"`, "lstm" or "gru"). `make_instance`
builds the seeded network, runs the core's traces (forward pass, BPTT, chain terms, truncated BPTT; or the
gradients playground's LSTM or GRU cell), and turns the definition into concrete `Quantity`s ("z[2]",
"dh_raw[3]", "dW_hh", "c[2]"), each with its true value and the earlier quantities it is computed from.

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

Variants: an instance is fully determined by (definition, seed, hidden, text, hand_friendly); the text may be
a learner's own (core.course.own_text), whose answers are stored under `Instance.progress_id`. A seed is
*vetted* when no mistake's value coincides with the true value or with another mistake's value (within
VET_MARGIN tolerances) at any step where that mistake is meaningful, so a diagnosis is never ambiguous.

Public API (stable):
    load_exercise(path) -> Definition;  load_all(directory=EXERCISE_DIR) -> dict[id, Definition];  ContentError
    make_instance(definition, seed, hidden=None, text=None, hand_friendly=True) -> Instance
        (None means the definition's own hidden size and text, "hello" and 3 in the shipped files)
    Instance: .quantities (tuple of Quantity), .quantity(qid), .ids, .ancestors(qid), .vocab, .params, .trace,
              .backward, .chain, .network, .progress_id (the id its answers are stored under),
              .values (every true value by id, read-only), .answer_text(qid),
              .mistake_value(qid, mistake_id). Instances pickle (rules travel by name), so st.cache_data works.
    Quantity: .id .label .kind .shape .truth .deps .t .step_var .group .tolerance .mistakes
    grade(instance, answers, revealed=frozenset()) -> dict[qid, Verdict]     (every quantity)
    grade_one(instance, qid, text, earlier_answers=None, revealed=frozenset()) -> Verdict
    Verdict (core.course.verdict): .qid .status .credit .message .mistake .wrong_elements .read_as
              .digits_warning .structure .first_wrong .counts .diagnosis
    score(feedbacks) -> (earned, possible)
    hints(instance, qid) -> list[str];  solution(instance, qid) -> str;  intro(instance) -> str (the summary)
    vetted_seed(definition, start_seed, hidden=None, text=None, hand_friendly=True) -> int
    is_vetted(definition, seed, ...) -> bool;  vetting_problems(instance) -> list[str]
    ECF_CREDIT, VET_MARGIN, STATUSES
"""
from __future__ import annotations

from pathlib import Path

from core.course.definitions import Definition, parse_definition
from core.course.grading import ECF_CREDIT, grade, grade_one, score
from core.course.instance import Instance, Quantity, hints, intro, make_instance, scope_of, solution
from core.course.templates import TemplateError, dollar_problem, render
from core.course.verdict import STATUSES, Mistake, Verdict
from core.course.vetting import VET_MARGIN, is_vetted, vetted_seed, vetting_problems
from core.errors import ContentError
from core.paths import EXERCISE_DIR

__all__ = [
    "ECF_CREDIT", "VET_MARGIN", "STATUSES", "ContentError", "Definition", "Instance", "Mistake", "Verdict",
    "Quantity", "grade", "grade_one", "hints", "intro", "is_vetted", "load_all", "load_exercise", "make_instance",
    "score",
    "solution", "vetted_seed", "vetting_problems",
]




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
    try:
        dollar = dollar_problem(intro(inst))
    except TemplateError as e:
        raise ContentError(d.path, str(e), where="summary") from None
    if dollar:
        raise ContentError(d.path, dollar, where="summary")
    position = {q.id: i for i, q in enumerate(inst.quantities)}
    for q in inst.quantities:
        for dep in q.rule.deps(inst.ctx, q.t):
            if dep in position and position[dep] > position[q.id]:
                raise ContentError(d.path, f"{q.id} is asked before {dep}, which it is computed "
                                   "from: move it after", where=q.spec.key)
        scope = scope_of(inst, q)
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
