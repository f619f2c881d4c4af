"""The product owner's first-try mistakes on the forward pass, each with a name of its own, on the practice variants.

Each mistaken value is computed here from the core's traces with NumPy (never with the engine's mutations), typed
as a learner would type it (4 significant digits), and must get its diagnosis by name wherever the mistake is
meaningful.
"""
from __future__ import annotations

import functools

import numpy as np
import pytest

from core.course.definitions import DEFAULT_PRACTICE_HIDDEN as PRACTICE_HIDDEN
from core.course.engine import grade, grade_one, is_vetted, load_all, make_instance, vetting_problems
from core.formatting import format_value

DEFS = load_all()
FWD = DEFS["forward_hello"]
N_VARIANTS = 200
NEW = ("state_forgotten", "bias_in_recurrent", "no_exp")


@functools.cache
def practice_seeds(hidden: int) -> tuple[int, ...]:
    """The first N_VARIANTS seeds a practice network can have at this size: vetted for every exercise."""
    out, seed = [], 0
    while len(out) < N_VARIANTS:
        if all(is_vetted(d, seed, hidden=hidden) for d in DEFS.values()):
            out.append(seed)
        seed += 1
    return tuple(out)


def typed(v) -> str:
    return format_value(v, digits=4)  # what a learner with a calculator types


def conditioning(y: np.ndarray) -> float:
    """How much y / sum(y) magnifies a rounding of y: sum|y| / |sum y| (inf for a zero sum)."""
    s = abs(float(np.sum(y)))
    return float(np.sum(np.abs(y))) / s if s > 0 else np.inf


def ids(inst, qid: str) -> set[str]:
    """The mistakes the engine looks for at this quantity of this variant."""
    return {m.id for m in inst.quantity(qid).mistakes}


def assert_named(inst, qid: str, text: str, mistake_id: str, earlier=None):
    fb = grade_one(inst, qid, text, earlier)
    assert fb.status == "mistake" and fb.mistake.id == mistake_id, (inst.seed, inst.hidden, qid, fb.status,
                                                                    fb.message)
    assert fb.mistake.name in fb.message and fb.mistake.explanation in fb.message and fb.counts
    return fb


@pytest.mark.parametrize("hidden", PRACTICE_HIDDEN)
def test_the_new_mistakes_are_named_on_200_practice_variants(hidden):
    offered = {m: 0 for m in NEW}
    steps = 0
    for seed in practice_seeds(hidden):
        inst = make_instance(FWD, seed, hidden=hidden)
        tr, P = inst.trace, inst.params
        for t in range(1, tr.T + 1):
            steps += 1
            i = t - 1
            h_prev = tr.h0 if t == 1 else tr.h[i - 1]
            # 1. the previous state forgotten: W_hh h_{t-1} typed as zeros, from step 2 on (at t = 1 it is right)
            zeros = typed(np.zeros(hidden))
            if t == 1:
                assert "state_forgotten" not in ids(inst, f"W_hh_h_prev[{t}]")
                assert grade_one(inst, f"W_hh_h_prev[{t}]", zeros).status == "correct"
            else:
                assert "state_forgotten" in ids(inst, f"W_hh_h_prev[{t}]")
                assert_named(inst, f"W_hh_h_prev[{t}]", zeros, "state_forgotten")
                offered["state_forgotten"] += 1
                # ... and z_t without the recurrent term, after a right W_hh h_{t-1}, is "no_recurrent"
                earlier = {f"W_xh_x[{t}]": typed(P.W_xh[:, tr.inputs[i]]), f"W_hh_h_prev[{t}]": typed(P.W_hh @ h_prev)}
                assert_named(inst, f"z[{t}]", typed(P.W_xh[:, tr.inputs[i]] + P.b_h), "no_recurrent", earlier)
            # 2. the bias put into the recurrent term: W_hh h_{t-1} + b_h (b_h itself at t = 1)
            assert_named(inst, f"W_hh_h_prev[{t}]", typed(P.W_hh @ h_prev + P.b_h), "bias_in_recurrent")
            offered["bias_in_recurrent"] += 1
            # 3. the scores divided by their sum, without exponentials, wherever that is a reachable number
            y = tr.y[i]
            meaningful = conditioning(y) <= 10 and abs(1 / np.sum(y) - 1) > 0.03
            assert ("no_exp" in ids(inst, f"p[{t}]")) == meaningful, (seed, t, y)
            if meaningful:
                mistaken = y / np.sum(y)
                assert np.all(np.isfinite(mistaken))
                assert_named(inst, f"p[{t}]", typed(mistaken), "no_exp", {f"y[{t}]": typed(y)})
                offered["no_exp"] += 1
    assert offered["state_forgotten"] == 3 * N_VARIANTS and offered["bias_in_recurrent"] == 4 * N_VARIANTS  # T = 4
    assert offered["no_exp"] > steps // 2, offered  # meaningful at most steps, so the test is not vacuous


@pytest.mark.parametrize("hidden", PRACTICE_HIDDEN)
def test_the_new_mistakes_make_no_seed_unvetted(hidden):
    """Of the first 200 seeds, none fails vetting because of a new mistake (so the practice variants stay)."""
    for seed in range(N_VARIANTS):
        problems = vetting_problems(make_instance(FWD, seed, hidden=hidden))
        assert not [p for p in problems if any(f"'{m}'" in p for m in NEW)], (seed, problems)


def test_a_forgotten_state_carries_forward_and_is_named_as_the_first_wrong_link():
    inst = make_instance(FWD, FWD.textbook_seed)
    tr, P = inst.trace, inst.params
    answers = {qid: inst.answer_text(qid) for qid in inst.ids if qid.endswith("[1]")}
    answers.update({"W_xh_x[2]": typed(P.W_xh[:, tr.inputs[1]]), "W_hh_h_prev[2]": typed(np.zeros(3)),
                    "z[2]": typed(P.W_xh[:, tr.inputs[1]] + P.b_h)})  # z_2 right from the learner's own zeros
    fb = grade(inst, answers)
    assert fb["W_hh_h_prev[2]"].mistake.id == "state_forgotten"
    assert fb["z[2]"].status == "ecf" and "previous state taken as zero" in fb["z[2]"].message


def test_the_product_owner_s_tries_on_the_textbook_network():
    inst = make_instance(FWD, FWD.textbook_seed)
    P, tr = inst.params, inst.trace
    assert_named(inst, "W_hh_h_prev[2]", "[0, 0, 0]", "state_forgotten")
    fb = assert_named(inst, "W_hh_h_prev[1]", typed(P.b_h), "bias_in_recurrent")
    assert "zero vector" in fb.message
    for t in (2, 3, 4):  # their score sums are -0.67, -1.18, -1.36: clear of 0 and of 1
        assert_named(inst, f"p[{t}]", typed(tr.y[t - 1] / tr.y[t - 1].sum()), "no_exp")
    # at step 1 the scores add up to 0.025, so y / sum(y) is in the tens: not looked for, but still explained
    assert "no_exp" not in {m.id for m in inst.quantity("p[1]").mistakes}
    one = grade_one(inst, "p[1]", typed(tr.y[0] / tr.y[0].sum()))
    assert one.status == "wrong" and "add up to 1" in one.message and "exponentiates" in one.message
