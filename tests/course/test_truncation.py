"""Truncated BPTT and clipping against independent references: min-char-rnn's naive loop, central differences
on per-step copies of W_hh, training's own clip_gradients, and every named mistake recomputed with NumPy."""
from __future__ import annotations

import numpy as np
import pytest

from core.course.engine import ECF_CREDIT, grade, grade_one, load_all, make_instance, vetted_seed
from core.course.rules import RULES
from core.formatting import format_value
from core.rnn.gradcheck import numerical_gradient
from core.rnn.model import softmax
from core.rnn.reference import loss_fun

D = load_all()["truncation_hello"]


def per_step_terms(inst) -> np.ndarray:
    """(T, T, H, H): term (t, s) = dE_t/dW_hh^(s), by central differences with W_hh untied into one copy per step."""
    P, tr = inst.params, inst.trace
    T, H = tr.T, P.hidden
    copies = np.stack([P.W_hh.copy() for _ in range(T)])  # (T, H, H): the W_hh used at step s

    def losses():  # every E_t, reading the copies in place
        h, out = np.zeros(H), []
        for s in range(T):
            h = np.tanh(P.W_xh[:, tr.inputs[s]] + copies[s] @ h + P.b_h)
            p = softmax(P.W_hy @ h + P.b_y)
            out.append(-np.log(p[tr.targets[s]]))
        return np.array(out)
    J = numerical_gradient(losses, copies)  # (T, T, H, H): dE_t / d copies[s]
    return J


@pytest.mark.parametrize("seed, hidden", [(26, 3), (3, 2), (11, 3), (40, 2)])
def test_the_truncated_gradient_keeps_exactly_the_marked_terms(seed, hidden):
    inst = make_instance(D, seed, hidden)
    v = inst.values
    terms = per_step_terms(inst)
    kept = v["trunc_kept"]
    T, k = inst.ctx.T, D.truncation
    np.testing.assert_array_equal(kept, [[1.0 if t - k < s <= t else 0.0 for s in range(1, T + 1)]
                                         for t in range(1, T + 1)])
    full = terms.sum(axis=(0, 1))
    truncated = np.einsum("ts,tsij->ij", kept, terms)
    np.testing.assert_allclose(v["dW_hh"], full, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(v["dW_hh_trunc"], truncated, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(v["trunc_dropped"], full - truncated, rtol=1e-5, atol=1e-8)
    assert np.allclose(terms[:, 0], 0, atol=1e-9)  # the s = 1 terms hold h_0 = 0
    # min-char-rnn's naive loop with the same truncation
    P, tr = inst.params, inst.trace
    _, _, dW_hh, _, _, _, _ = loss_fun(P.W_xh, P.W_hh, P.W_hy, P.b_h[:, None], P.b_y[:, None], list(tr.inputs),
                                       list(tr.targets), np.zeros((hidden, 1)), truncation=k)
    np.testing.assert_allclose(v["dW_hh_trunc"], dW_hh, rtol=1e-10)
    rel = np.linalg.norm(full - truncated) / np.linalg.norm(full)
    assert float(v["trunc_rel_error"]) == pytest.approx(rel, rel=1e-5)
    for q in inst.quantities:  # each rule's formula gives the core's value back
        np.testing.assert_allclose(q.rule.compute(inst.ctx, v, q.t), q.truth, rtol=1e-12, atol=1e-14, err_msg=q.id)


def naive_clip(g: np.ndarray, a: float, b: float):
    """Element-wise and norm clipping, one entry at a time."""
    rows, cols = g.shape
    elem = np.empty_like(g)
    total = 0.0
    for i in range(rows):
        for j in range(cols):
            elem[i, j] = min(max(g[i, j], -a), a)
            total += g[i, j] ** 2
    norm = total ** 0.5
    scale = min(1.0, b / norm)
    dot = sum(g[i, j] * elem[i, j] for i in range(rows) for j in range(cols))
    elem_norm = sum(x * x for x in elem.ravel()) ** 0.5
    return elem, norm, scale, g * scale, dot / (norm * elem_norm)


@pytest.mark.parametrize("seed, hidden", [(26, 3), (3, 2), (11, 3)])
def test_clipping_values_match_a_naive_loop(seed, hidden):
    inst = make_instance(D, seed, hidden)
    v = inst.values
    a, b = D.clip
    elem, norm, scale, by_norm, cos = naive_clip(np.array(v["dW_hh_trunc"]), a, b)
    np.testing.assert_allclose(v["clip_elementwise"], elem)
    assert float(v["grad_norm"]) == pytest.approx(norm) and float(v["clip_scale"]) == pytest.approx(scale)
    np.testing.assert_allclose(v["clip_norm"], by_norm)
    assert float(v["clip_cosine"]) == pytest.approx(cos)
    if norm > b:
        assert np.linalg.norm(v["clip_norm"]) == pytest.approx(b)  # the length is the bound
    cos_norm = np.sum(v["clip_norm"] * v["dW_hh_trunc"]) / (np.linalg.norm(v["clip_norm"]) * norm)
    assert cos_norm == pytest.approx(1.0)  # and the direction is the same


def _independent(inst, qid: str, mistake: str):
    """What a learner making `mistake` would type, computed here from the true values without the engine."""
    v, P, T, k = inst.values, inst.params, inst.ctx.T, D.truncation
    a, b = D.clip
    g, full = np.array(v["dW_hh_trunc"]), np.array(v["dW_hh"])
    t = int(qid.split("[")[1][:-1]) if "[" in qid else None
    tt, ss = np.meshgrid(np.arange(1, T + 1), np.arange(1, T + 1), indexing="ij")
    band = lambda lo, hi: ((tt - ss >= lo) & (tt - ss < hi)).astype(float)  # noqa: E731
    raw = lambda s: v[f"dh_raw_trunc[{s}]"]  # noqa: E731
    table = {
        ("trunc_kept", "window_too_long"): lambda: band(0, k + 1),
        ("trunc_kept", "window_too_short"): lambda: band(0, k - 1),
        ("trunc_kept", "kept_the_dropped"): lambda: band(k, T),
        ("trunc_kept", "future_steps"): lambda: band(0, k).T,
        ("dh_trunc", "full_bptt"): lambda: v[f"dh[{t}]"],
        ("dh_trunc", "no_recurrent"): lambda: P.W_hy.T @ v[f"dy[{t}]"],
        ("dh_trunc", "no_derivative"): lambda: P.W_hy.T @ v[f"dy[{t}]"] + P.W_hh.T @ (P.W_hy.T @ v[f"dy[{t + 1}]"]),
        ("dh_raw_trunc", "no_derivative"): lambda: v[f"dh_trunc[{t}]"],
        ("dW_hh_trunc", "full_gradient"): lambda: full,
        ("dW_hh_trunc", "off_by_one"): lambda: sum(np.outer(raw(s), v[f"h[{s}]"]) for s in range(1, T + 1)),
        ("dW_hh_trunc", "last_step_only"): lambda: np.outer(raw(T), v[f"h[{T - 1}]"]),
        ("trunc_rel_error", "not_relative"): lambda: np.linalg.norm(full - g),
        ("trunc_rel_error", "squared"): lambda: np.sum((full - g) ** 2) / np.sum(full ** 2),
        ("grad_norm", "no_sqrt"): lambda: np.sum(g ** 2), ("grad_norm", "largest_entry"): lambda: np.abs(g).max(),
        ("grad_norm", "sum_abs"): lambda: np.abs(g).sum(),
        ("clip_elementwise", "not_clipped"): lambda: g,
        ("clip_elementwise", "one_sided"): lambda: np.where(g > a, a, g),
        ("clip_elementwise", "rescaled"): lambda: g * a / np.linalg.norm(g),
        ("clip_scale", "inverted"): lambda: np.linalg.norm(g) / b,
        ("clip_scale", "element_bound"): lambda: min(1.0, a / np.linalg.norm(g)),
        ("clip_norm", "not_clipped"): lambda: g, ("clip_norm", "unit_vector"): lambda: g / np.linalg.norm(g),
        ("clip_norm", "elementwise_instead"): lambda: np.where(np.abs(g) > b, np.sign(g) * b, g),
        ("clip_cosine", "not_normalised"): lambda: np.sum(g * np.clip(g, -a, a)),
    }
    return np.asarray(table[(qid.split("[")[0], mistake)](), dtype=np.float64)


@pytest.mark.parametrize("hidden", [2, 3])
def test_every_mistake_is_diagnosed_from_an_independent_recomputation(hidden):
    seen = set()
    for start in (0, 100, 300):
        inst = make_instance(D, vetted_seed(D, start, hidden=hidden), hidden=hidden)
        for q in inst.quantities:
            for m in q.mistakes:
                wrong = _independent(inst, q.id, m.id)
                np.testing.assert_allclose(inst.mistake_value(q.id, m.id), wrong, rtol=1e-12, atol=1e-14,
                                           err_msg=f"{q.id} {m.id}")
                fb = grade_one(inst, q.id, format_value(wrong, digits=6))
                assert fb.status == "mistake" and fb.mistake.id == m.id, (q.id, m.id, fb.status, fb.message)
                seen.add((q.id.split("[")[0], m.id))
    names = {r.pattern.split("[")[0] for r in RULES["vanilla"] if r.needs in ("truncation", "clipping")}
    expected = {(r.pattern.split("[")[0], m.mistake.id) for r in RULES["vanilla"] if r.needs in ("truncation",
                "clipping") for m in r.mutations}
    assert names == {q.id.split("[")[0] for q in inst.quantities} and seen == expected


def test_clipping_follows_the_learner_s_own_gradient():
    """A wrong truncated gradient: every clipping value done right from it earns error-carried-forward credit."""
    inst = make_instance(D, D.textbook_seed)
    a, b = D.clip
    g = np.array(inst.values["dW_hh_trunc"]) * 1.5 + 0.1  # the learner's (wrong) gradient
    norm = np.linalg.norm(g)
    elem = np.clip(g, -a, a)
    answers = {"dW_hh_trunc": format_value(g, 10), "grad_norm": format_value(norm, 10),
               "clip_elementwise": format_value(elem, 10), "clip_scale": format_value(min(1, b / norm), 10),
               "clip_norm": format_value(g * min(1, b / norm), 10),
               "clip_cosine": format_value(np.sum(g * elem) / (norm * np.linalg.norm(elem)), 10)}
    fb = grade(inst, answers)
    assert fb["dW_hh_trunc"].status == "wrong"
    for qid in ("grad_norm", "clip_scale", "clip_cosine"):
        assert fb[qid].status == "ecf" and fb[qid].credit == pytest.approx(ECF_CREDIT), (qid, fb[qid].message)
        assert fb[qid].first_wrong == "dW_hh_trunc"
    for qid in ("clip_elementwise", "clip_norm"):  # entries that came out right anyway earn full credit
        assert fb[qid].status == "ecf" and ECF_CREDIT <= fb[qid].credit < 1, (qid, fb[qid].message)


def test_the_dh_of_full_bptt_is_named_as_the_mistake_it_is():
    inst = make_instance(D, D.textbook_seed)
    fb = grade_one(inst, "dh_trunc[1]", format_value(inst.values["dh[1]"]))
    assert fb.status == "mistake" and fb.mistake.name == "Full BPTT instead of the window"
    assert "full_bptt" not in [m.id for m in inst.quantity("dh_trunc[3]").mistakes]  # there they coincide
