"""The exercise engine: checking one answer (all mutations included) must take at most 5 ms.

`grade_one` is timed for every quantity of every shipped definition (textbook variants) in two
situations. "alone": a wrong answer with no earlier answers, so the truth check, every mutation and the
structural diagnosis run. "chain": a wrong answer after every earlier quantity was answered wrongly too,
so each ancestor is graded in full (its own error-carried-forward check and mutations) before the quantity
itself: the worst case a learner can produce. The reader's cache is cleared before every call, so each
answer is read from scratch. Reported: the median and the slowest quantity, in ms per call.
"""
from __future__ import annotations

import statistics

import numpy as np

from bench.timing import median_seconds, result
from core.course.answers import _parse_cached, parse_answer
from core.course.engine import grade, grade_one, is_vetted, load_all, make_instance
from core.formatting import format_value

BUDGET = "<= 5 ms"


def _wrong_text(q, k: int) -> str:
    if q.kind == "char":
        return q.truth  # a character answer has nothing costly to check; the truth is as slow as anything
    a = np.asarray(q.truth, dtype=np.float64)
    return format_value(a + 0.37 + 0.01 * k, digits=6)  # matches no mutation, so every check runs


def _per_quantity(inst, chain: bool) -> list[float]:
    answers = {q.id: _wrong_text(q, i) for i, q in enumerate(inst.quantities)}
    times = []
    for i, q in enumerate(inst.quantities):
        earlier = {p.id: answers[p.id] for p in inst.quantities[:i]} if chain else {}
        text = answers[q.id]

        def call(qid=q.id, text=text, earlier=earlier):
            _parse_cached.cache_clear()
            grade_one(inst, qid, text, earlier)
        times.append(median_seconds(call, repeat=5, number=1))
    return times


def benchmarks() -> list[dict]:
    defs = load_all()
    out = []
    everything_alone, everything_chain = [], []
    for name in defs:
        d = defs[name]
        inst = make_instance(d, d.textbook_seed)
        alone = _per_quantity(inst, chain=False)
        chain = _per_quantity(inst, chain=True)
        everything_alone += alone
        everything_chain += chain
        out.append(result(f"engine_grade_one_{name}_alone_median", statistics.median(alone) * 1e3, "ms",
                          target=BUDGET))
        out.append(result(f"engine_grade_one_{name}_chain_max", max(chain) * 1e3, "ms", target=BUDGET))
        truths = {q.id: inst.answer_text(q.id) for q in inst.quantities}

        def grade_all(inst=inst, truths=truths):
            _parse_cached.cache_clear()
            grade(inst, truths)
        out.append(result(f"engine_grade_all_{name}_{len(inst.quantities)}q", median_seconds(grade_all) * 1e3,
                          "ms"))
    out.append(result("engine_grade_one_alone_max", max(everything_alone) * 1e3, "ms", target=BUDGET))
    out.append(result("engine_grade_one_chain_max", max(everything_chain) * 1e3, "ms", target=BUDGET))
    b = defs["bptt_hello"]
    out.append(result("engine_make_instance_bptt", median_seconds(lambda: make_instance(b, 26), repeat=9) * 1e3,
                      "ms"))
    out.append(result("engine_vet_one_seed_bptt", median_seconds(lambda: is_vetted(b, 26), repeat=9) * 1e3, "ms"))

    def read_matrix():
        _parse_cached.cache_clear()
        parse_answer("[[0.1234, -0.5678, 0.9, 0.25], [0.1, 0.2, 0.3, 0.4], [1e-3, 2, 3, tanh(0.5)]]", (3, 4))
    out.append(result("engine_parse_3x4_matrix", median_seconds(read_matrix, repeat=9, number=50) * 1e6, "us"))
    return out


if __name__ == "__main__":
    for item in benchmarks():
        print(f"{item['name']:<45} {item['value']:9.3f} {item['unit']}  {item.get('target') or ''}")
