"""Shared checks of exercise variants: true answers, every named mistake, bad input and error carried forward."""
from __future__ import annotations

import numpy as np
import pytest

from core.course.engine import ECF_CREDIT, grade, grade_one, vetted_seed
from core.formatting import format_value


def vetted_seeds(d, n: int, hidden: int | None = None, text: str | None = None) -> list[int]:
    seeds, s = [], 0
    while len(seeds) < n:
        s = vetted_seed(d, s, hidden=hidden, text=text)
        seeds.append(s)
        s += 1
    return seeds


def _perturbed(v, k: int):
    """A clearly wrong version of a value (differs in every element, by different amounts)."""
    a = np.asarray(v, dtype=np.float64)
    return a + (0.15 + 0.05 * np.arange(a.size).reshape(a.shape)) * (1 if k % 2 else -1)


def check_variant(inst, n: int, covered: set, pairs: set) -> bool:
    """One vetted variant: true answers score full marks; each mistake gets exactly its diagnosis (each mistake
    id once, rotating through the quantities where it is checked with n); blank and malformed answers are
    invalid and cost nothing; error carried forward earns ECF_CREDIT per element that is only consistent with
    the learner. Returns whether an ECF case was checked."""
    qs, seed = inst.quantities, inst.seed
    # 1. the true answers, all at once
    truths = {q.id: inst.answer_text(q.id) for q in qs}
    fb = grade(inst, truths)
    assert all(f.status == "correct" and f.credit == 1.0 for f in fb.values()), (seed, [
        (k, f.status) for k, f in fb.items() if f.status != "correct"])
    # 2. each mistake id once per seed, rotating through the quantities where it is checked
    by_mistake: dict[str, list] = {}
    for q in qs:
        for m in q.mistakes:
            by_mistake.setdefault(m.id, []).append(q)
            pairs.add((q.id, m.id))
    for mid, where in by_mistake.items():
        q = where[n % len(where)]
        v = inst.mistake_value(q.id, mid)
        f = grade_one(inst, q.id, v if isinstance(v, str) else format_value(v, digits=5))
        assert f.status == "mistake" and f.mistake.id == mid, (seed, q.id, mid, f.status, f.message)
        covered.add((q.id, mid))
    # 3. blank and malformed answers: invalid, free, and they change nothing else
    broken = dict(truths)
    picks = [qs[(n + j * 7) % len(qs)] for j in range(3)]
    bad_text = {picks[0].id: "", picks[1].id: "[1, 2", picks[2].id: "1 2 3 4 5 6 7 8 9 10 11 12 13"}
    broken.update(bad_text)
    fb = grade(inst, broken)
    for qid in bad_text:
        assert fb[qid].status in ("blank", "invalid") and fb[qid].credit == 0, (seed, qid, fb[qid].status)
        assert not fb[qid].counts
    assert all(f.status == "correct" for k, f in fb.items() if k not in bad_text)
    # 4. error carried forward: wrong direct inputs, this step done right from them
    with_deps = [q for q in qs if q.deps and q.kind != "char"]
    q = with_deps[n % len(with_deps)]
    answers = {dep: format_value(_perturbed(inst.quantity(dep).truth, k), digits=10)
               for k, dep in enumerate(q.deps) if inst.quantity(dep).kind != "char"}
    env = dict(inst.values)
    for dep, text in answers.items():
        env[dep] = np.array(eval_free(text))
    with np.errstate(all="ignore"):
        ecf = q.rule.compute(inst.ctx, env, q.t)
    if ecf is None:  # e.g. the log of a perturbed probability that went negative: nothing to carry forward
        return False
    ecf = np.asarray(ecf, dtype=np.float64)
    f = grade_one(inst, q.id, format_value(ecf, digits=10), answers)
    near_truth = q.tolerance.within(ecf, q.truth)
    if np.all(near_truth):
        assert f.status == "correct"
        return False
    assert f.status == "ecf", (seed, q.id, f.status, f.message)
    assert f.credit == pytest.approx(float(np.mean(np.where(near_truth, 1.0, ECF_CREDIT))))
    assert f.first_wrong in q.deps or f.first_wrong in inst.ancestors(q.id)
    return True


def eval_free(text: str):
    """Read back a value written by format_value, through the reader (no eval)."""
    from core.course.answers import parse_answer
    r = parse_answer(text)
    assert r.ok
    return r.value
