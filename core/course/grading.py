"""Grading a learner's whole chain of answers, in order, with error carried forward and named mistakes.

For each answer, in this order: the true value within tolerance -> "correct"; consistent with the
learner's own earlier answers (recomputed from them) -> "ecf", ECF_CREDIT of the credit, naming the first
wrong link; equal to a known mistake (a Mutation recomputed from the same values) -> "mistake"; otherwise
"close" (rounding) or "wrong" with the elements that are off and a structural diagnosis when there is one.
Blank and unreadable answers cost nothing; a revealed solution earns nothing and later answers are checked
against the revealed true value.
"""
from __future__ import annotations

import numpy as np

from core.course.answers import parse_answer, parse_char
from core.course.checking import compare, describe_wrong, too_few_digits_message
from core.course.instance import Instance, Quantity, safe_compute
from core.course.verdict import Mistake, Verdict

ECF_CREDIT = 0.5  # credit for a step done right from the learner's own wrong earlier value


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
        space = q.kind == "char" and text == " "  # a prediction may be the space of a learner's own text
        if text is None or (isinstance(text, str) and not text.strip() and not space):
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
        answered = [a for a in self.inst.ancestors(q.id) if a in self.learned]
        if not answered:
            return self.inst.values, []
        env = dict(self.inst.values)
        for a in answered:
            env[a] = self.learned[a]
        return env, [d for d in q.deps if d in self.learned]

    def from_own_errors(self, q: Quantity) -> bool:
        """Did any earlier answer this quantity is computed from differ from the truth?"""
        return any(a in self.learned and self.fb[a].status != "correct" for a in self.inst.ancestors(q.id))

    def off_deps(self, used: list[str]) -> list[str]:
        return [d for d in used if self.fb[d].status != "correct"]

    def first_wrong(self, q: Quantity) -> str | None:
        for a in self.inst.ancestors(q.id):
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
            ecf = safe_compute(q.rule.compute, self.inst.ctx, env, q.t)
            if ecf == ch:
                off = self.off_deps(used)
                if not off:
                    return self.verdict(q, "correct", 1.0, "Correct, from your own earlier answers.", **base)
                first = self.first_wrong(q)
                return self.verdict(q, "ecf", ECF_CREDIT, self.ecf_message(q, off, first), first_wrong=first, **base)
        for m in q.mutations:
            if safe_compute(m.compute, self.inst.ctx, env, q.t) == ch:
                own = self.from_own_errors(q)
                return self.verdict(q, "mistake", 0.0, _mistake_message(m.mistake, own), mistake=m.mistake,
                                wrong_elements=[()], **base)
        return self.verdict(q, "wrong", 0.0, "Not quite: the prediction is the character with the largest "
                        "probability in $p_t$.", wrong_elements=[()], **base)

    def grade_numeric(self, q: Quantity, parsed) -> Verdict:
        value, tol = parsed.value, q.tolerance
        base = dict(read_as=parsed.read_as, value=value)
        if value.shape == q.shape:
            self.learned[q.id] = value  # only answers of the right shape are carried forward
        sketch = q.id in self.light
        if sketch:  # only right / consistent / neither is needed: a bare tolerance check, no diagnosis
            if value.shape != q.shape:
                self.sketched.add(q.id)
                return self.verdict(q, "wrong", 0.0, "", **base)
            element_ok, cmp = tol.within(value, q.truth), None  # (shape) bool
        else:
            cmp = compare(value, q.truth, tol, parsed.digits_each)
            element_ok = cmp.element_ok
        if element_ok is not None and np.all(element_ok):
            return self.verdict(q, "correct", 1.0, "Correct.", **base)
        env, used = self.env_for(q)
        if used and element_ok is not None:
            carried = self.carried_forward(q, value, element_ok, cmp, env, used, base)
            if carried is not None:
                return carried
        if sketch:  # neither right nor consistent: enough for a later quantity, unless it is the first link
            self.sketched.add(q.id)
            return self.verdict(q, "wrong", float(np.mean(element_ok)), "", **base)
        for m in q.mutations:
            mv = safe_compute(m.compute, self.inst.ctx, env, q.t)
            if mv is not None and mv.shape == value.shape and np.all(tol.within(value, mv)):
                own = self.from_own_errors(q)
                return self.verdict(q, "mistake", cmp.credit, _mistake_message(m.mistake, own),
                                    mistake=m.mistake, wrong_elements=cmp.wrong_elements, structure=cmp.structure,
                                    digits_warning=cmp.digits_warning, **base)
        return self.not_right(q, value, cmp, base)

    def carried_forward(self, q: Quantity, value, element_ok, cmp, env: dict, used: list[str], base: dict):
        """'ecf' (or 'correct') when the answer follows from the learner's own earlier values, else None."""
        ecf = safe_compute(q.rule.compute, self.inst.ctx, env, q.t)
        if ecf is None or ecf.shape != value.shape or not np.all(q.tolerance.within(value, ecf) | element_ok):
            return None
        off = self.off_deps(used)
        if not off:
            return self.verdict(q, "correct", 1.0, "Correct: this follows from your own earlier answers (the small "
                                "difference from the exact value is their rounding).", **base)
        first = self.first_wrong(q)
        credit = float(np.mean(np.where(element_ok, 1.0, ECF_CREDIT)))
        if cmp is None:  # sketched
            return self.verdict(q, "ecf", credit, "", first_wrong=first, **base)
        return self.verdict(q, "ecf", credit, self.ecf_message(q, off, first), first_wrong=first,
                            wrong_elements=cmp.wrong_elements, digits_warning=cmp.digits_warning, **base)

    def not_right(self, q: Quantity, value, cmp, base: dict) -> Verdict:
        """'close' (rounding) or 'wrong', naming the elements that are off and any structural diagnosis."""
        where = describe_wrong(cmp, q.truth.ndim)
        if cmp.rounded_to is not None:  # the true value, rounded too much: say that first, not "look for a mistake"
            msg = too_few_digits_message(cmp.rounded_to, q.tolerance, some=len(cmp.wrong_elements) < q.truth.size)
            return self.verdict(q, "close", cmp.credit, msg, wrong_elements=cmp.wrong_elements,
                                digits_warning=cmp.digits_warning, **base)
        if cmp.close:
            pct = f"{cmp.max_rel_error:.1%}" if cmp.max_rel_error < 1 else "a little"
            msg = (f"Very close, but outside the tolerance ({q.tolerance.describe()}): off by up to about {pct}. "
                   f"{where} This is usually rounding: keep 4 significant digits in intermediate results.")
            return self.verdict(q, "close", cmp.credit, " ".join(msg.split()), wrong_elements=cmp.wrong_elements,
                                digits_warning=cmp.digits_warning, **base)
        parts = ["Not quite."]
        if where and not (cmp.structure_message and len(cmp.wrong_elements) == q.truth.size):
            parts.append(where)  # with a structural story for the whole answer, listing every element adds nothing
        if cmp.structure_message:
            parts.append(cmp.structure_message)
        elif not where:
            parts.append("This is not the expected value.")
        if q.rule.sanity is not None:  # checks of the quantity's own kind, e.g. a probability vector's
            parts += q.rule.sanity(value)
        parts.append("The hints go through it step by step.")
        return self.verdict(q, "wrong", cmp.credit, " ".join(parts), wrong_elements=cmp.wrong_elements,
                            structure=cmp.structure, digits_warning=cmp.digits_warning, **base)


def _mistake_message(m: Mistake, from_own: bool) -> str:
    own = " (Worked out from your own earlier answers.)" if from_own else ""
    return f"It looks like: **{m.name}**. {m.explanation}{own}"


def grade(instance: Instance, answers: dict[str, str], revealed=frozenset()) -> dict[str, Verdict]:
    """Verdict for every quantity of the instance (blank where no answer is given), in exercise order."""
    unknown = set(answers or {}) - set(instance.ids)
    if unknown:
        raise KeyError(f"{instance.definition.id} has no quantities {sorted(unknown)}")
    return _Grader(instance, answers, revealed).run(instance.ids)


def grade_one(instance: Instance, qid: str, text: str, earlier_answers: dict[str, str] | None = None,
              revealed=frozenset()) -> Verdict:
    """Verdict on one answer; only the earlier answers it is (transitively) computed from are graded."""
    instance.quantity(qid)  # a clear KeyError for an unknown id
    answers = dict(earlier_answers or {})
    answers[qid] = text
    ancestors = instance.ancestors(qid)
    return _Grader(instance, answers, revealed, light=ancestors).run(list(ancestors) + [qid])[qid]


def score(feedbacks: dict[str, Verdict]) -> tuple[float, int]:
    """(credit earned, quantities) over a grade() result."""
    return float(sum(f.credit for f in feedbacks.values())), len(feedbacks)
