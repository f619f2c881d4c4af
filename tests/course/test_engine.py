"""The exercise engine against independent references: the core's traces, NumPy by hand, and the core's
forward pass rerun from a learner's wrong hidden state."""
from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.course.engine import (
    ECF_CREDIT,
    STATUSES,
    grade,
    grade_one,
    hints,
    is_vetted,
    load_all,
    make_instance,
    score,
    solution,
    vetted_seed,
    vetting_problems,
)
from core.course.rules import RULES
from core.formatting import format_value
from core.rnn.model import chain_terms, forward, hidden_jacobians


@pytest.fixture(scope="module")
def defs():
    return load_all()


@pytest.fixture(scope="module")
def fwd(defs):
    return make_instance(defs["forward_hello"], defs["forward_hello"].textbook_seed)


@pytest.fixture(scope="module")
def bptt(defs):
    return make_instance(defs["bptt_hello"], defs["bptt_hello"].textbook_seed)


def _split(qid: str) -> tuple[str, int | None]:
    m = re.fullmatch(r"(.+)\[(\d+)\]", qid)
    return (m.group(1), int(m.group(2))) if m else (qid, None)


# ---- true values come from the core ----------------------------------------------------------------------

def test_forward_quantities_are_the_core_trace(fwd):
    tr, P = fwd.trace, fwd.params
    ref = forward(P, fwd.vocab.encode("hell"), fwd.vocab.encode("ello"))  # an independent rerun of the core
    assert [q.id for q in fwd.quantities][:8] == ["W_xh_x[1]", "W_hh_h_prev[1]", "z[1]", "h[1]", "y[1]", "p[1]",
                                                  "pred[1]", "loss[1]"]
    assert fwd.quantities[-1].id == "loss"
    for q in fwd.quantities:
        name, t = _split(q.id)
        if name == "pred":
            assert q.truth == "helo"[int(np.argmax(ref.p[t - 1]))] and q.kind == "char"
        elif name == "loss" and t is None:
            assert float(q.truth) == pytest.approx(ref.loss)
        elif name == "loss":
            assert float(q.truth) == pytest.approx(ref.loss_t[t - 1])
        else:
            np.testing.assert_allclose(q.truth, getattr(ref, name)[t - 1], rtol=1e-12)
    assert np.all(fwd.quantity("W_hh_h_prev[1]").truth == 0)  # h_0 = 0
    assert tr is fwd.trace and fwd.hidden == 3 and fwd.vocab.chars == ("h", "e", "l", "o")


def test_bptt_and_chain_quantities_are_the_core_traces(bptt):
    bw, ch = bptt.backward, chain_terms(bptt.params, bptt.trace, 3)
    order = [q.id for q in bptt.quantities]
    assert order.index("dh[4]") < order.index("dh[3]") < order.index("dh[1]")  # from the last step back
    assert "dh_next[1]" not in order  # nothing is sent back from step 1
    for q in bptt.quantities:
        name, t = _split(q.id)
        if name in ("dy", "dh", "dh_raw", "dh_next"):
            np.testing.assert_allclose(q.truth, getattr(bw, name)[t - 1])
        elif name in ("dW_hh", "dW_xh") and t is not None:
            np.testing.assert_allclose(q.truth, getattr(bw, f"{name}_t")[t - 1])
        elif name in ("dW_hh", "dW_xh", "dW_hy", "db_h", "db_y"):
            np.testing.assert_allclose(q.truth, getattr(bw.grads, name[1:]))
        elif name == "dh3_dh":
            np.testing.assert_allclose(q.truth, hidden_jacobians(bptt.params, bptt.trace, 3)[t])
        elif name == "dE3_dh":
            np.testing.assert_allclose(q.truth, ch.dE_dh_k[t - 1])
        elif name == "dE3_dW_hh" and t is not None:
            np.testing.assert_allclose(q.truth, ch.terms_W_hh[t - 1])
        else:
            ref = {"dE3_dy3": ch.dE_dy, "dE3_dh3": ch.dE_dh_T, "dE3_dW_hy": ch.dE_dW_hy, "dE3_dW_hh": ch.dE_dW_hh}
            np.testing.assert_allclose(q.truth, ref[q.id])


@pytest.mark.parametrize("seed, hidden, text", [(0, 3, "hello"), (5, 2, "hello"), (7, 4, "hello"), (3, 3, "abcab"),
                                                 (11, 5, "banana!")])
def test_every_rule_recomputes_the_core_value_from_true_inputs(defs, seed, hidden, text):
    """A rule's step-by-step formula (used for error carried forward) must agree with the vectorised core."""
    for d in defs.values():
        inst = make_instance(d, seed, hidden, text)
        for q in inst.quantities:
            again = q.rule.compute(inst.ctx, inst.values, q.t)
            if q.kind == "char":
                assert again == q.truth
            else:
                np.testing.assert_allclose(again, q.truth, rtol=1e-12, atol=1e-14, err_msg=q.id)


# ---- each mistake, recomputed independently with NumPy ---------------------------------------------------

def _independent(inst, qid: str, mistake: str):
    """What a learner making `mistake` would type, computed here from the traces without the engine."""
    tr, bw, P, K = inst.trace, inst.backward, inst.params, 3
    name, t = _split(qid)
    i = None if t is None else t - 1
    h_prev = lambda j: tr.h0 if j == 0 else tr.h[j - 1]  # noqa: E731  (h_j, j counted from 0)
    onehot = np.eye(inst.vocab.size)
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    if name in ("dh3_dh", "dE3_dh", "dE3_dW_hh") and t is not None:
        ch = chain_terms(P, tr, K)
        J = hidden_jacobians(P, tr, K)
        f = lambda j: 1 - tr.h[j - 1] ** 2  # noqa: E731
        D = lambda j, fp=None: (f(j) if fp is None else fp)[:, None] * P.W_hh  # noqa: E731
        table = {
            ("dh3_dh", "no_derivative"): lambda: J[t + 1] @ P.W_hh,
            ("dh3_dh", "factor_transposed"): lambda: J[t + 1] @ D(t + 1).T,
            ("dh3_dh", "one_minus_z_squared"): lambda: J[t + 1] @ D(t + 1, 1 - tr.z[t] ** 2),
            ("dh3_dh", "reversed_order"): lambda: D(t + 1) @ J[t + 1],
            ("dE3_dh", "J_not_transposed"): lambda: J[t] @ ch.dE_dh_T,
            ("dE3_dW_hh", "off_by_one"): lambda: np.outer(f(t) * ch.dE_dh_k[i], tr.h[i]),
            ("dE3_dW_hh", "no_derivative"): lambda: np.outer(ch.dE_dh_k[i], h_prev(t - 1)),
            ("dE3_dW_hh", "transposed"): lambda: np.outer(h_prev(t - 1), f(t) * ch.dE_dh_k[i]),
        }
        return table[(name, mistake)]()
    ch = chain_terms(P, tr, K) if name.startswith("dE3") else None
    table = {
        ("W_xh_x", "input_is_target"): lambda: P.W_xh[:, tr.targets[i]],
        ("W_xh_x", "row_not_column"): lambda: P.W_xh[tr.inputs[i], :],
        ("W_hh_h_prev", "W_transposed"): lambda: P.W_hh.T @ h_prev(t - 1),
        ("W_hh_h_prev", "state_forgotten"): lambda: np.zeros(P.hidden),
        ("W_hh_h_prev", "bias_in_recurrent"): lambda: P.W_hh @ h_prev(t - 1) + P.b_h,
        ("z", "no_bias"): lambda: P.W_xh[:, tr.inputs[i]] + P.W_hh @ h_prev(t - 1),
        ("z", "no_recurrent"): lambda: P.W_xh[:, tr.inputs[i]] + P.b_h,
        ("z", "no_input"): lambda: P.W_hh @ h_prev(t - 1) + P.b_h,
        ("h", "sigmoid_not_tanh"): lambda: sig(tr.z[i]),
        ("h", "no_tanh"): lambda: tr.z[i],
        ("y", "no_bias"): lambda: P.W_hy @ tr.h[i],
        ("y", "off_by_one"): lambda: P.W_hy @ h_prev(t - 1) + P.b_y,
        ("p", "no_softmax"): lambda: tr.y[i],
        ("p", "not_normalised"): lambda: np.exp(tr.y[i]),
        ("p", "sigmoid_not_softmax"): lambda: sig(tr.y[i]),
        ("p", "no_exp"): lambda: tr.y[i] / np.sum(tr.y[i]),
        ("pred", "target_char"): lambda: inst.vocab.chars[tr.targets[i]],
        ("loss", "log10"): lambda: -np.log10(tr.p[i, tr.targets[i]]),
        ("loss", "loss_sign"): lambda: (np.log(tr.p[i, tr.targets[i]]) if i is not None  # E_t, or the total E
                                        else np.sum(np.log(tr.p[np.arange(tr.T), tr.targets]))),
        ("loss", "max_prob"): lambda: -np.log(tr.p[i].max()),
        ("loss", "mean_not_sum"): lambda: tr.loss_t.mean(),
        ("loss", "last_only"): lambda: tr.loss_t[-1],
        ("dy", "no_minus_one"): lambda: tr.p[i],
        ("dy", "sign_flipped"): lambda: onehot[tr.targets[i]] - tr.p[i],
        ("dW_hy", "last_step_only"): lambda: np.outer(bw.dy[-1], tr.h[-1]),
        ("dW_hy", "off_by_one"): lambda: bw.dy.T @ tr.h_prev,
        ("db_y", "last_step_only"): lambda: bw.dy[-1],
        ("dh", "no_dh_next"): lambda: P.W_hy.T @ bw.dy[i],
        ("dh", "W_not_transposed"): lambda: P.W_hy @ bw.dy[i] + bw.dh_rec[i],
        ("dh_raw", "one_minus_z_squared"): lambda: (1 - tr.z[i] ** 2) * bw.dh[i],
        ("dh_raw", "tanh_as_derivative"): lambda: np.tanh(tr.z[i]) * bw.dh[i],
        ("dh_raw", "no_derivative"): lambda: bw.dh[i],
        ("dh_next", "W_not_transposed"): lambda: P.W_hh @ bw.dh_raw[i],
        ("dh_next", "dh_not_raw"): lambda: P.W_hh.T @ bw.dh[i],
        ("dW_hh", "off_by_one"): lambda: np.outer(bw.dh_raw[i], tr.h[i]),
        ("dW_hh", "transposed"): lambda: np.outer(h_prev(t - 1), bw.dh_raw[i]),
        ("dW_hh", "dh_not_raw"): lambda: np.outer(bw.dh[i], h_prev(t - 1)),
        ("dW_xh", "dh_not_raw"): lambda: np.outer(bw.dh[i], tr.x[i]),
        ("dW_xh", "input_is_target"): lambda: np.outer(bw.dh_raw[i], onehot[tr.targets[i]]),
        ("dW_hh", "last_step_only"): lambda: bw.dW_hh_t[-1],
        ("dW_xh", "last_step_only"): lambda: bw.dW_xh_t[-1],
        ("db_h", "last_step_only"): lambda: bw.dh_raw[-1],
        ("dE3_dy3", "no_minus_one"): lambda: tr.p[K - 1],
        ("dE3_dy3", "sign_flipped"): lambda: -ch.dE_dy,
        ("dE3_dW_hy", "off_by_one"): lambda: np.outer(ch.dE_dy, tr.h[K - 2]),
        ("dE3_dW_hy", "summed_over_steps"): lambda: bw.grads.W_hy,
        ("dE3_dh3", "includes_later_losses"): lambda: bw.dh[K - 1],
        ("dE3_dh3", "W_not_transposed"): lambda: P.W_hy @ ch.dE_dy,
        ("dE3_dW_hh", "last_term_only"): lambda: ch.terms_W_hh[K - 1],
    }
    return table[(name, mistake)]()


def _as_text(v) -> str:
    return v if isinstance(v, str) else format_value(v, digits=6)


@pytest.mark.parametrize("hidden", [3, 4])  # with H = V = 4 the "W where Wᵀ belongs" forms of W_hy apply too
def test_every_mistake_is_diagnosed_from_an_independent_recomputation(defs, hidden):
    """The forward and BPTT exercises; the LSTM, GRU and truncation ones have their own (tests/course/test_*)."""
    seen = set()
    for d in (defs["forward_hello"], defs["bptt_hello"]):
        inst = make_instance(d, vetted_seed(d, 0, hidden=hidden), hidden=hidden)
        for q in inst.quantities:
            for m in q.mistakes:
                wrong = _independent(inst, q.id, m.id)
                engine = inst.mistake_value(q.id, m.id)
                if q.kind == "char":
                    assert engine == wrong
                else:
                    np.testing.assert_allclose(engine, wrong, rtol=1e-12, atol=1e-14, err_msg=f"{q.id} {m.id}")
                fb = grade_one(inst, q.id, _as_text(wrong))
                assert fb.status == "mistake" and fb.mistake.id == m.id, (q.id, m.id, fb.status, fb.message)
                assert fb.credit < 1 and m.name in fb.message and fb.counts
                seen.add((q.id, m.id))
    if hidden == 4:
        for m_id in ("row_not_column", "W_not_transposed"):
            assert any(m == m_id for _, m in seen), f"{m_id} never exercised with H = V"


def test_the_issue_s_mistake_list_is_covered_by_named_mutations():
    ids = {m.mistake.id for r in RULES["vanilla"] for m in r.mutations}
    required = {"no_bias", "no_recurrent", "off_by_one", "sigmoid_not_tanh", "no_tanh", "no_softmax", "log10",
                "loss_sign", "no_minus_one", "sign_flipped", "one_minus_z_squared", "tanh_as_derivative",
                "W_not_transposed", "no_dh_next", "last_step_only"}
    assert required <= ids
    for rules in RULES.values():
        for r in rules:
            for m in r.mutations:
                assert m.mistake.name and m.mistake.explanation.endswith(".") and m.mistake.lesson


def test_recurrent_term_mistake_is_only_checked_from_step_two(fwd):
    assert "no_recurrent" not in [m.id for m in fwd.quantity("z[1]").mistakes]
    assert "no_recurrent" in [m.id for m in fwd.quantity("z[2]").mistakes]
    # leaving it out at t = 1 is simply right, because h_0 = 0
    z1 = fwd.params.W_xh[:, 0] + fwd.params.b_h
    assert grade_one(fwd, "z[1]", format_value(z1)).status == "correct"


# ---- error carried forward -------------------------------------------------------------------------------

def test_error_carried_forward_through_the_core_forward_pass(fwd):
    """A wrong h_1 typed by the learner: step 2 recomputed by the core's forward() from that h_1 earns ECF."""
    P, enc = fwd.params, fwd.vocab.encode
    h1_wrong = fwd.quantity("h[1]").truth + np.array([0.2, -0.3, 0.1])
    step2 = forward(P, enc("e"), enc("l"), h0=h1_wrong)  # the learner's own step 2, by the core
    answers = {"h[1]": format_value(h1_wrong), "W_hh_h_prev[2]": format_value(step2.W_hh_h_prev[0]),
               "z[2]": format_value(step2.z[0]), "h[2]": format_value(step2.h[0]), "y[2]": format_value(step2.y[0]),
               "p[2]": format_value(step2.p[0]), "loss[2]": format_value(step2.loss_t[0])}
    fb = grade(fwd, answers)
    assert fb["h[1]"].status == "wrong"
    for qid in ("W_hh_h_prev[2]", "z[2]", "h[2]", "y[2]", "p[2]", "loss[2]"):
        assert fb[qid].status == "ecf", (qid, fb[qid].message)
        assert fb[qid].first_wrong == "h[1]"
        assert "$h_{ 1 }$" in fb[qid].message
    assert fb["z[2]"].credit == pytest.approx(ECF_CREDIT)
    # z[2] did not use h[1] directly: the message names its own input and the first wrong link
    assert "first wrong link" in fb["z[2]"].message and "W_{hh}" in fb["z[2]"].message


def test_ecf_names_the_first_link_and_its_mistake(fwd):
    z1 = fwd.mistake_value("z[1]", "no_bias")
    h1 = np.tanh(z1)
    fb = grade(fwd, {"z[1]": format_value(z1), "h[1]": format_value(h1),
                     "W_hh_h_prev[2]": format_value(fwd.params.W_hh @ h1)})
    assert fb["z[1]"].status == "mistake" and fb["z[1]"].mistake.id == "no_bias"
    assert fb["h[1]"].status == "ecf" and fb["h[1]"].credit == ECF_CREDIT
    assert fb["W_hh_h_prev[2]"].first_wrong == "z[1]" and "bias left out" in fb["W_hh_h_prev[2]"].message


def test_rounded_earlier_answers_do_not_cost_credit(bptt):
    """Earlier answers typed with 3 significant digits are correct; a later value computed from them is too."""
    rounded = {qid: format_value(bptt.quantity(qid).truth, digits=3) for qid in ("dh_raw[2]",)}
    dW = np.outer(np.array([float(f"{v:.3g}") for v in bptt.quantity("dh_raw[2]").truth]), bptt.values["h[1]"])
    fb = grade_one(bptt, "dW_hh[2]", format_value(dW), rounded)
    assert fb.status == "correct" and fb.credit == 1.0


def test_ecf_only_uses_valid_answers_of_the_right_shape(bptt):
    truth = bptt.quantity("dW_xh").truth
    parts = {f"dW_xh[{t}]": format_value(bptt.quantity(f"dW_xh[{t}]").truth) for t in range(1, 5)}
    wrong_sum = truth + 0.3
    # a transposed (4×3) contribution is read but not carried forward, so the ECF check uses the truth there
    parts["dW_xh[2]"] = format_value(bptt.quantity("dW_xh[2]").truth.T + 0.3)
    assert grade_one(bptt, "dW_xh", format_value(wrong_sum), parts).status == "wrong"
    # an unreadable earlier answer is ignored as well
    parts["dW_xh[2]"] = "[1, 2"
    fb = grade(bptt, parts)
    assert fb["dW_xh[2]"].status == "invalid" and fb["dW_xh[2]"].credit == 0 and not fb["dW_xh[2]"].counts


def test_char_prediction_follows_the_learner_s_probabilities(fwd):
    p = fwd.quantity("p[1]").truth.copy()
    target = fwd.vocab.chars[int(fwd.trace.targets[0])]
    other = next(c for c in fwd.vocab.chars if c not in (fwd.quantity("pred[1]").truth, target))
    j = fwd.vocab.index(other)
    p_wrong = p.copy()
    p_wrong[j] = p.max() + 0.2  # the learner's p makes `other` the most probable
    fb = grade(fwd, {"p[1]": format_value(p_wrong), "pred[1]": other})
    assert fb["pred[1]"].status == "ecf" and fb["pred[1]"].credit == ECF_CREDIT
    assert grade_one(fwd, "pred[1]", "L").status == "invalid"


# ---- statuses, credit, attempts --------------------------------------------------------------------------

def test_blank_invalid_and_revealed_cost_nothing_and_change_nothing(fwd):
    truths = {q.id: fwd.answer_text(q.id) for q in fwd.quantities}
    full = grade(fwd, truths)
    assert score(full) == (len(fwd.quantities), len(fwd.quantities))
    broken = dict(truths)
    broken["z[2]"] = "0.1 0.2"  # wrong number of elements
    broken["h[2]"] = "tanh("  # unreadable
    broken["y[2]"] = ""  # blank
    fb = grade(fwd, broken, revealed={"p[2]"})
    assert fb["z[2]"].status == "invalid" and "3" in fb["z[2]"].message
    assert fb["h[2]"].status == "invalid"
    assert fb["y[2]"].status == "blank"
    assert fb["p[2]"].status == "revealed"
    for qid in ("z[2]", "h[2]", "y[2]", "p[2]"):
        assert fb[qid].credit == 0 and not fb[qid].counts
    for qid, f in fb.items():
        if qid not in ("z[2]", "h[2]", "y[2]", "p[2]"):
            assert f.status == "correct", qid
    assert {f.status for f in fb.values()} <= set(STATUSES)


def test_vector_credit_is_per_element(fwd):
    z = fwd.quantity("z[3]").truth.copy()
    z[1] += 0.5
    fb = grade_one(fwd, "z[3]", format_value(z))
    assert fb.status == "wrong" and fb.credit == pytest.approx(2 / 3) and fb.wrong_elements == [(1,)]
    assert "Element 2 is off" in fb.message


def test_structural_diagnosis_and_close_answers(bptt):
    m = bptt.quantity("dW_xh").truth
    fb = grade_one(bptt, "dW_xh", format_value(m.T))
    assert fb.status == "wrong" and fb.structure == "transposed" and "transpose" in fb.message
    fb = grade_one(bptt, "dh[2]", format_value(bptt.quantity("dh[2]").truth * 1.03))
    assert fb.status == "close" and "rounding" in fb.message
    fb = grade_one(bptt, "db_h", format_value(-bptt.quantity("db_h").truth))
    assert fb.structure == "sign_flipped"


def test_grade_one_agrees_with_grade(bptt):
    rng = np.random.default_rng(0)
    answers = {}
    for q in bptt.quantities:
        r = rng.random()
        if r < 0.5:
            answers[q.id] = bptt.answer_text(q.id)
        elif r < 0.8:
            answers[q.id] = format_value(q.truth + rng.normal(0, 0.2, q.shape))
    full = grade(bptt, answers)
    for q in bptt.quantities:
        one = grade_one(bptt, q.id, answers.get(q.id, ""), answers)
        assert (one.status, one.credit, one.message) == (full[q.id].status, full[q.id].credit, full[q.id].message)


def test_unknown_ids_are_refused(fwd):
    with pytest.raises(KeyError, match="no quantity"):
        grade_one(fwd, "z[9]", "1")
    with pytest.raises(KeyError, match="no quantities"):
        grade(fwd, {"nonsense": "1"})


# ---- help ------------------------------------------------------------------------------------------------

def test_hints_and_solutions_substitute_this_instance_s_numbers(fwd, bptt):
    for inst in (fwd, bptt):
        for q in inst.quantities:
            hs = hints(inst, q.id)
            assert 2 <= len(hs) <= 3 and all("{{" not in h for h in hs)
            sol = solution(inst, q.id)
            assert "{{" not in sol
            if q.kind == "char":
                assert f"‘{q.truth}’" in sol
            else:  # the solution ends on the true value
                first = float(np.ravel(q.truth)[0])
                shown = "0" if first == 0 else f"{first:.4g}"
                assert shown.split("e")[0] in sol, (q.id, shown)
    assert "0.25 \\\\ 0.35 \\\\ 0.76" in solution(fwd, "z[2]")  # this seed's b_h, as a column


# ---- variants --------------------------------------------------------------------------------------------

def test_textbook_variants_are_vetted_and_share_one_network(defs):
    f, b = defs["forward_hello"], defs["bptt_hello"]
    assert is_vetted(f, f.textbook_seed) and is_vetted(b, b.textbook_seed)
    assert f.textbook_seed == b.textbook_seed  # the BPTT exercise continues the forward pass the learner did
    a, c = make_instance(f, f.textbook_seed), make_instance(b, b.textbook_seed)
    np.testing.assert_array_equal(a.params.W_hh, c.params.W_hh)


def test_vetting_rejects_coinciding_mistakes(defs):
    d = defs["forward_hello"]
    bad = next(s for s in range(200) if not is_vetted(d, s))
    problems = vetting_problems(make_instance(d, bad))
    assert problems and re.search(r"at \S+, mistake '\w+' gives", problems[0])
    s = vetted_seed(d, bad)
    assert s > bad and is_vetted(d, s)
    assert all(not is_vetted(d, x) for x in range(bad, s))
    assert vetted_seed(d, s) == s


def test_instances_are_reproducible_and_settings_are_checked(defs):
    d = defs["bptt_hello"]
    a, b = make_instance(d, 42), make_instance(d, 42)
    for q, r in zip(a.quantities, b.quantities, strict=True):
        np.testing.assert_array_equal(q.truth, r.truth)
    with pytest.raises(ValueError, match="hidden"):
        make_instance(d, 0, hidden=0)
    short = make_instance(d, 0, text="abc")  # two steps: the chain part follows E_3, so it is left out
    assert short.chain is None and "dh_raw[2]" in short.ids and not any(q.startswith("dE") for q in short.ids)
    with pytest.raises(ValueError, match="one character"):
        make_instance(d, 0, text="a")
    with pytest.raises(ValueError, match="seed"):
        make_instance(d, -1)
    inst = make_instance(d, 3, hidden=2, text="abcab")
    assert inst.quantity("dW_hh").shape == (2, 2) and inst.vocab.chars == ("a", "b", "c")


def test_instances_pickle_and_grade_the_same_afterwards(bptt):
    import pickle
    copy = pickle.loads(pickle.dumps(bptt))
    assert copy.ids == bptt.ids and copy.ancestors("dW_hh") == bptt.ancestors("dW_hh")
    wrong = copy.mistake_value("dh_raw[2]", "one_minus_z_squared")
    fb = grade_one(copy, "dh_raw[2]", format_value(wrong))
    assert fb.status == "mistake" and fb.mistake.id == "one_minus_z_squared"


def test_a_mutation_sees_the_learner_s_own_earlier_values(fwd):
    """y_2 computed from the learner's (wrong) h_1 where h_2 belongs is still 'h_{t-1} used where h_t belongs'."""
    h1 = fwd.quantity("h[1]").truth + np.array([0.3, -0.2, 0.25])
    y2 = fwd.params.W_hy @ h1 + fwd.params.b_y
    earlier = {"h[1]": format_value(h1)}
    fb = grade_one(fwd, "y[2]", format_value(y2), earlier)
    assert fb.mistake.id == "off_by_one" and "your own earlier answers" in fb.message
    assert grade(fwd, {**earlier, "y[2]": format_value(y2)})["y[2]"].mistake.id == "off_by_one"


def test_texts_with_spaces_work_and_unsafe_characters_are_refused(defs):
    d = defs["forward_hello"]
    inst = make_instance(d, 1, text="hi ho")
    assert " " in inst.vocab.chars and "␣" in hints(inst, "W_xh_x[3]")[0]  # input 3 is the space
    pred = inst.quantity("pred[2]")
    assert grade_one(inst, "pred[2]", "space" if pred.truth == " " else pred.truth).status == "correct"
    for bad in ("a$b", "x_y", "a{b}", "a*b"):
        with pytest.raises(ValueError, match="letters, digits, spaces"):
            make_instance(d, 0, text=bad)


def test_instance_values_are_read_only(fwd):
    with pytest.raises(ValueError):
        fwd.quantity("z[1]").truth[0] = 1.0


_texts = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["0", "-1", "1e300", "-1e300", "[0, 0, 0]", "[0, 0, 0, 0]", "[-1, 2, 0, 0]", "[1e300, 1, 1]",
                     "[[0, 0, 0], [0, 0, 0], [0, 0, 0]]", "h", "space", "1 2 3; 4 5 6; 7 8 9", "tanh(1e10)"]),
)


@given(st.data())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_answers_never_crash_the_grader(defs, data):
    name = data.draw(st.sampled_from(sorted(defs)))
    inst = make_instance(defs[name], defs[name].textbook_seed)
    ids = inst.ids
    chosen = data.draw(st.lists(st.sampled_from(ids), max_size=12, unique=True))
    answers = {qid: data.draw(_texts) for qid in chosen}
    fb = grade(inst, answers)
    for f in fb.values():
        assert f.status in STATUSES and 0.0 <= f.credit <= 1.0 and isinstance(f.message, str)
    if chosen:
        one = grade_one(inst, chosen[-1], answers[chosen[-1]], answers)
        assert (one.status, one.credit) == (fb[chosen[-1]].status, fb[chosen[-1]].credit)


def test_a_probability_vector_that_cannot_be_one_says_why(fwd):
    p = fwd.quantity("p[1]").truth
    negative = grade_one(fwd, "p[1]", format_value(-p, digits=6))
    assert "cannot be negative" in negative.message
    too_much = p.copy()
    too_much[0] += 0.3
    assert "add up to" in grade_one(fwd, "p[1]", format_value(too_much, digits=6)).message
