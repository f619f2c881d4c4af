"""The LSTM and GRU exercises against independent references: a naive scalar loop, central differences through
the last step, the gradients playground's cells, and every named mistake recomputed here with NumPy."""
from __future__ import annotations

import math
import re

import numpy as np
import pytest

from core.course.engine import ECF_CREDIT, grade, grade_one, load_all, make_instance, vetted_seed
from core.course.gated_check import step_numeric
from core.course.rules import RULES
from core.formatting import format_value
from core.gradients.cells import KINDS, GRUParams, LSTMParams
from core.paths import ROOT

DEFS = load_all()
SEEDS = [(0, 2), (1, 2), (5, 3), (12, 3), (40, 2)]


def _sig(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _rows(M, lo, hi):
    return [list(map(float, M[r])) for r in range(lo, hi)]


def _mv(M, v):  # a matrix (list of rows) times a vector, one multiply-add at a time
    return [sum(m * x for m, x in zip(row, v, strict=True)) for row in M]


def naive_lstm(p, X, dh, dc):
    """Forward over every row of X and back through the last step, with Python floats and the math module."""
    H = p.hidden
    blocks = {g: (_rows(p.W_x, n * H, (n + 1) * H), _rows(p.W_h, n * H, (n + 1) * H), list(p.b[n * H:(n + 1) * H]))
              for n, g in enumerate("ifgo")}
    h, c, out = [0.0] * H, [0.0] * H, {}
    for t, x in enumerate(X, start=1):
        x = list(map(float, x))
        a = {g: [u + w + bb for u, w, bb in zip(_mv(Wx, x), _mv(Wh, h), b, strict=True)]
             for g, (Wx, Wh, b) in blocks.items()}
        gate = {g: [_sig(v) for v in a[g]] for g in "ifo"} | {"g": [math.tanh(v) for v in a["g"]]}
        c_prev = c
        c = [f * cp + i * gg for f, cp, i, gg in zip(gate["f"], c_prev, gate["i"], gate["g"], strict=True)]
        h = [o * math.tanh(cc) for o, cc in zip(gate["o"], c, strict=True)]
        out.update({f"a_{g}[{t}]": a[g] for g in "ifgo"} | {f"{g}[{t}]": gate[g] for g in "ifgo"}
                   | {f"c[{t}]": c, f"h[{t}]": h})
    T = len(X)
    i, f, g, o = (gate[k] for k in "ifgo")
    do = [d * math.tanh(cc) for d, cc in zip(dh, c, strict=True)]
    dcc = [dci + d * oo * (1 - math.tanh(cc) ** 2) for dci, d, oo, cc in zip(dc, dh, o, c, strict=True)]
    di = [x * y for x, y in zip(dcc, g, strict=True)]
    df = [x * y for x, y in zip(dcc, c_prev, strict=True)]
    dg = [x * y for x, y in zip(dcc, i, strict=True)]
    da = {"i": [d * s * (1 - s) for d, s in zip(di, i, strict=True)],
          "f": [d * s * (1 - s) for d, s in zip(df, f, strict=True)],
          "g": [d * (1 - s * s) for d, s in zip(dg, g, strict=True)],
          "o": [d * s * (1 - s) for d, s in zip(do, o, strict=True)]}
    dh_prev = [0.0] * H
    for gname, (_, Wh, _) in blocks.items():  # W_h^T da, block by block
        for r in range(H):
            for j in range(H):
                dh_prev[j] += Wh[r][j] * da[gname][r]
    out.update({f"do[{T}]": do, f"dc[{T}]": dcc, f"di[{T}]": di, f"df[{T}]": df, f"dg[{T}]": dg,
                f"dc_prev[{T}]": [x * y for x, y in zip(dcc, f, strict=True)], f"dh_prev[{T}]": dh_prev}
               | {f"da_{k}[{T}]": v for k, v in da.items()})
    return out


def naive_gru(p, X, dh):
    """Forward over every row of X and back through the last step, with Python floats and the math module."""
    H = p.hidden
    blk = {g: (_rows(p.W_x, n * H, (n + 1) * H), _rows(p.W_h, n * H, (n + 1) * H), list(p.b[n * H:(n + 1) * H]))
           for n, g in enumerate("zrn")}
    h, out = [0.0] * H, {}
    for t, x in enumerate(X, start=1):
        x, h_prev = list(map(float, x)), h
        a = {g: [u + w + bb for u, w, bb in zip(_mv(blk[g][0], x), _mv(blk[g][1], h_prev), blk[g][2], strict=True)]
             for g in "zr"}
        z, r = [_sig(v) for v in a["z"]], [_sig(v) for v in a["r"]]
        rh = [rr * hh for rr, hh in zip(r, h_prev, strict=True)]
        a_n = [u + w + bb for u, w, bb in zip(_mv(blk["n"][0], x), _mv(blk["n"][1], rh), blk["n"][2], strict=True)]
        n = [math.tanh(v) for v in a_n]
        h = [zz * hp + (1 - zz) * nn for zz, hp, nn in zip(z, h_prev, n, strict=True)]
        out.update({f"a_z[{t}]": a["z"], f"a_r[{t}]": a["r"], f"z[{t}]": z, f"r[{t}]": r, f"a_n[{t}]": a_n,
                    f"n[{t}]": n, f"h[{t}]": h})
    T = len(X)
    dn = [d * (1 - zz) for d, zz in zip(dh, z, strict=True)]
    dz = [d * (hp - nn) for d, hp, nn in zip(dh, h_prev, n, strict=True)]
    da_n = [d * (1 - nn * nn) for d, nn in zip(dn, n, strict=True)]
    da_z = [d * zz * (1 - zz) for d, zz in zip(dz, z, strict=True)]
    Whn, Whz, Whr = blk["n"][1], blk["z"][1], blk["r"][1]
    drh = [sum(Whn[i][j] * da_n[i] for i in range(H)) for j in range(H)]
    dr = [q * hp for q, hp in zip(drh, h_prev, strict=True)]
    da_r = [d * rr * (1 - rr) for d, rr in zip(dr, r, strict=True)]
    dh_prev = [zz * d + rr * q + sum(Whz[i][j] * da_z[i] + Whr[i][j] * da_r[i] for i in range(H))
               for j, (zz, d, rr, q) in enumerate(zip(z, dh, r, drh, strict=True))]
    out.update({f"dn[{T}]": dn, f"dz[{T}]": dz, f"da_n[{T}]": da_n, f"da_z[{T}]": da_z, f"drh[{T}]": drh,
                f"dr[{T}]": dr, f"da_r[{T}]": da_r, f"dh_prev[{T}]": dh_prev})
    return out


@pytest.mark.parametrize("name", ["lstm_step", "gru_step"])
@pytest.mark.parametrize("seed, hidden", SEEDS)
def test_every_value_matches_a_naive_loop_and_central_differences(name, seed, hidden):
    inst = make_instance(DEFS[name], seed, hidden)
    c = inst.ctx
    naive = naive_lstm(c.params, c.X, c.dh, c.dc) if name == "lstm_step" else naive_gru(c.params, c.X, c.dh)
    numeric = step_numeric(c)
    for q in inst.quantities:
        np.testing.assert_allclose(q.truth, naive[q.id], rtol=1e-12, atol=1e-14, err_msg=q.id)
        again = q.rule.compute(c, inst.values, q.t)  # the rule's formula, used for error carried forward
        np.testing.assert_allclose(again, q.truth, rtol=1e-12, atol=1e-14, err_msg=q.id)
        if q.id in numeric:  # every gradient of the backward part
            np.testing.assert_allclose(q.truth, numeric[q.id], rtol=1e-6, atol=1e-8, err_msg=q.id)
    assert {q.id for q in inst.quantities if q.id.startswith("d")} == set(numeric)


@pytest.mark.parametrize("name", ["lstm_step", "gru_step"])
def test_the_exercise_runs_the_gradients_playground_cell(name):
    """One convention in the exercise and the playground: the exercise's trace is the playground's cell's."""
    inst = make_instance(DEFS[name], 3, 2)
    kind = KINDS[inst.network]
    tr = kind.forward(inst.params, inst.ctx.X)
    for field in ("a", "h"):
        np.testing.assert_array_equal(getattr(tr, field), getattr(inst.trace, field))
    assert inst.trace.h.shape == (2, 2) and inst.ctx.T == 2  # two steps, on the inputs h, e
    assert [inst.values[f"input[{t}]"] for t in (1, 2)] == ["h", "e"] and inst.vocab.chars == tuple("helo")
    W = inst.params.W_x
    assert np.all(np.round(W, 2) == W) and np.all(np.abs(W) <= 1)  # hand-friendly: two decimals in [-1, 1]
    assert np.all(np.round(inst.ctx.dh, 2) == inst.ctx.dh)


def test_the_gru_convention_is_one_and_the_same_everywhere():
    """z = 1 keeps the old state in the playground's cell, the exercise's rule and the lesson; reset before W_hn."""
    H = 2
    b = np.concatenate([np.full(H, 40.0), np.zeros(2 * H)])  # update gate saturated at 1
    rng = np.random.default_rng(0)
    p = GRUParams(rng.normal(size=(3 * H, 3)), rng.normal(size=(3 * H, H)), b)
    tr = KINDS["gru"].forward(p, np.eye(3)[[0, 1]], h0=np.array([0.3, -0.7]))
    np.testing.assert_allclose(tr.h[1], tr.h[0], atol=1e-12)  # the old state is kept
    inst = make_instance(DEFS["gru_step"], 0, 2)
    env = dict(inst.values) | {"z[2]": np.ones(2)}
    np.testing.assert_allclose(inst.quantity("h[2]").rule.compute(inst.ctx, env, 2), inst.values["h[1]"])
    for slug in ("lstm-gru", "gru-step"):
        body = (ROOT / "content" / "lessons" / f"{slug}.md").read_text(encoding="utf-8")
        assert r"h_t = z_t \odot h_{t-1} + (1 - z_t) \odot n_t" in body, slug
        assert r"W_{hn} (r_t \odot h_{t-1})" in body, slug
        assert "(1 - u_t)" not in body
    summary = DEFS["gru_step"].summary
    assert r"W_{hn}(r_t\odot h_{t-1})" in summary and r"h_t = z_t\odot h_{t-1} + (1 - z_t)\odot n_t" in summary


def test_the_issue_s_lstm_mistakes_are_named_mutations():
    lstm = {(r.pattern, m.mistake.id) for r in RULES["lstm"] for m in r.mutations}
    required = {("i[t]", "tanh_not_sigmoid"), ("g[t]", "sigmoid_not_tanh"),  # tanh and sigmoid swapped
                ("c[t]", "no_forget"),  # c_t = i * g
                ("h[t]", "no_tanh"),  # h_t = o * c_t
                ("c[t]", "h_for_c"), ("df[t]", "h_for_c"),  # c_{t-1} replaced by h_{t-1}
                ("a_i[t]", "gate_order"), ("dh_prev[t]", "gate_order")}  # the gate order mixed up
    assert required <= lstm
    gru = {(r.pattern, m.mistake.id) for r in RULES["gru"] for m in r.mutations}
    assert {("a_n[t]", "reset_after_matmul"), ("h[t]", "update_flipped"), ("dn[t]", "update_flipped")} <= gru


def _independent(inst, qid: str, mistake: str):
    """What a learner making `mistake` would type, computed here from the true values without the engine."""
    v, c = inst.values, inst.ctx
    m = re.fullmatch(r"(.+)\[(\d+)\]", qid)
    name, t = m.group(1), int(m.group(2))
    H, p = c.H, c.params
    gates = "ifgo" if inst.network == "lstm" else "zrn"

    def blk(M, g):
        n = gates.index(g)
        return M[n * H:(n + 1) * H]
    x, hp = v[f"x[{t}]"], v[f"h[{t - 1}]"]
    sig = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731

    def pre(g, use=None, bias=True, rec=True, state=None):
        use = use or g
        state = hp if state is None else state
        return blk(p.W_x, use) @ x + (blk(p.W_h, use) @ state if rec else 0) + (blk(p.b, use) if bias else 0)
    if name.startswith("a_") and not (inst.network == "gru" and name == "a_n"):
        g = name[2]
        partner = {"i": "f", "f": "i", "g": "o", "o": "g", "z": "r", "r": "z"}[g]
        return {"no_bias": lambda: pre(g, bias=False), "no_recurrent": lambda: pre(g, rec=False),
                "gate_order": lambda: pre(g, use=partner), "c_for_h": lambda: pre(g, state=v.get(f"c[{t - 1}]"))}[
            mistake]()
    d = lambda k: v[f"{k}[{t}]"]  # noqa: E731
    table = {
        ("i", "tanh_not_sigmoid"): lambda: np.tanh(d("a_i")), ("i", "sigmoid_sign"): lambda: 1 - d("i"),
        ("f", "tanh_not_sigmoid"): lambda: np.tanh(d("a_f")), ("f", "sigmoid_sign"): lambda: 1 - d("f"),
        ("o", "tanh_not_sigmoid"): lambda: np.tanh(d("a_o")), ("o", "sigmoid_sign"): lambda: 1 - d("o"),
        ("z", "tanh_not_sigmoid"): lambda: np.tanh(d("a_z")), ("z", "sigmoid_sign"): lambda: 1 - d("z"),
        ("r", "tanh_not_sigmoid"): lambda: np.tanh(d("a_r")), ("r", "sigmoid_sign"): lambda: 1 - d("r"),
        ("g", "sigmoid_not_tanh"): lambda: sig(d("a_g")), ("g", "no_tanh"): lambda: d("a_g"),
        ("n", "sigmoid_not_tanh"): lambda: sig(d("a_n")), ("n", "no_tanh"): lambda: d("a_n"),
    }
    if inst.network == "lstm":
        cp = v[f"c[{t - 1}]"]
        table |= {
            ("c", "no_forget"): lambda: d("i") * d("g"), ("c", "h_for_c"): lambda: d("f") * hp + d("i") * d("g"),
            ("c", "gates_swapped"): lambda: d("i") * cp + d("f") * d("g"),
            ("h", "no_tanh"): lambda: d("o") * d("c"), ("h", "sigmoid_not_tanh"): lambda: d("o") * sig(d("c")),
            ("do", "no_tanh"): lambda: d("dh") * d("c"), ("do", "own_factor"): lambda: d("dh") * d("o"),
            ("dc", "no_dc_in"): lambda: d("dh") * d("o") * (1 - np.tanh(d("c")) ** 2),
            ("dc", "no_h_path"): lambda: d("dc_in"), ("dc", "no_derivative"): lambda: d("dc_in") + d("dh") * d("o"),
            ("di", "own_factor"): lambda: d("dc") * d("i"), ("dg", "own_factor"): lambda: d("dc") * d("g"),
            ("df", "h_for_c"): lambda: d("dc") * hp, ("df", "c_t_not_prev"): lambda: d("dc") * d("c"),
            ("dc_prev", "dc_in_only"): lambda: d("dc_in") * d("f"), ("dc_prev", "no_forget"): lambda: d("dc"),
            ("dh_prev", "gate_order"): lambda: p.W_h.T @ np.concatenate([d("da_i"), d("da_f"), d("da_o"), d("da_g")]),
            ("dh_prev", "c_path_added"): lambda: d("dh_prev") + d("dc") * d("f"),
        }
        for g, dg in (("i", "di"), ("f", "df"), ("o", "do")):
            table |= {(f"da_{g}", "tanh_derivative"): lambda g=g, dg=dg: d(dg) * (1 - d(g) ** 2),
                      (f"da_{g}", "pre_activation"): lambda g=g, dg=dg: d(dg) * d(f"a_{g}") * (1 - d(f"a_{g}")),
                      (f"da_{g}", "no_derivative"): lambda dg=dg: d(dg)}
        table |= {("da_g", "sigmoid_derivative"): lambda: d("dg") * d("g") * (1 - d("g")),
                  ("da_g", "pre_activation"): lambda: d("dg") * (1 - d("a_g") ** 2),
                  ("da_g", "no_derivative"): lambda: d("dg")}
    else:
        Whn = blk(p.W_h, "n")
        xn = blk(p.W_x, "n") @ x
        table |= {
            ("a_n", "reset_after_matmul"): lambda: xn + d("r") * (Whn @ hp) + blk(p.b, "n"),
            ("a_n", "no_reset"): lambda: xn + Whn @ hp + blk(p.b, "n"),
            ("a_n", "z_for_r"): lambda: xn + Whn @ (d("z") * hp) + blk(p.b, "n"),
            ("a_n", "no_bias"): lambda: xn + Whn @ (d("r") * hp),
            ("h", "update_flipped"): lambda: (1 - d("z")) * hp + d("z") * d("n"),
            ("h", "no_one_minus"): lambda: d("z") * hp + d("n"),
            ("h", "r_for_z"): lambda: d("r") * hp + (1 - d("r")) * d("n"),
            ("dn", "update_flipped"): lambda: d("dh") * d("z"),
            ("dz", "sign_flipped"): lambda: d("dh") * (d("n") - hp), ("dz", "one_term_only"): lambda: d("dh") * hp,
            ("da_n", "sigmoid_derivative"): lambda: d("dn") * d("n") * (1 - d("n")),
            ("da_n", "pre_activation"): lambda: d("dn") * (1 - d("a_n") ** 2),
            ("da_n", "no_derivative"): lambda: d("dn"),
            ("drh", "W_not_transposed"): lambda: Whn @ d("da_n"), ("drh", "dn_not_da_n"): lambda: Whn.T @ d("dn"),
            ("dr", "own_factor"): lambda: d("drh") * d("r"),
            ("dh_prev", "no_direct_path"): lambda: d("dh_prev") - d("z") * d("dh"),
            ("dh_prev", "no_reset_path"): lambda: d("dh_prev") - d("r") * d("drh"),
            ("dh_prev", "reset_unmasked"): lambda: d("dh_prev") - d("r") * d("drh") + d("drh"),
        }
        for g, dg in (("z", "dz"), ("r", "dr")):
            table |= {(f"da_{g}", "tanh_derivative"): lambda g=g, dg=dg: d(dg) * (1 - d(g) ** 2),
                      (f"da_{g}", "pre_activation"): lambda g=g, dg=dg: d(dg) * d(f"a_{g}") * (1 - d(f"a_{g}")),
                      (f"da_{g}", "no_derivative"): lambda dg=dg: d(dg)}
    return table[(name, mistake)]()


@pytest.mark.parametrize("name", ["lstm_step", "gru_step"])
@pytest.mark.parametrize("hidden", [2, 3])
def test_every_mistake_is_diagnosed_from_an_independent_recomputation(name, hidden):
    d = DEFS[name]
    seen = set()
    for start in (0, 100, 200):
        inst = make_instance(d, vetted_seed(d, start, hidden=hidden), hidden=hidden)
        for q in inst.quantities:
            for m in q.mistakes:
                wrong = _independent(inst, q.id, m.id)
                np.testing.assert_allclose(inst.mistake_value(q.id, m.id), wrong, rtol=1e-12, atol=1e-14,
                                           err_msg=f"{q.id} {m.id}")
                fb = grade_one(inst, q.id, format_value(wrong, digits=6))
                assert fb.status == "mistake" and fb.mistake.id == m.id, (q.id, m.id, fb.status, fb.message)
                assert m.name in fb.message and fb.mistake.lesson in ("lstm-step", "gru-step")
                seen.add((q.id.split("[")[0], m.id))
    rules = {(r.pattern.split("[")[0], m.mistake.id) for r in RULES[d.network] for m in r.mutations}
    assert seen == rules  # every mutation of the network is checked somewhere


def test_an_lstm_learner_s_wrong_memory_is_carried_forward():
    d = DEFS["lstm_step"]
    inst = make_instance(d, d.textbook_seed)
    c1 = inst.mistake_value("c[1]", "gates_swapped")  # f * g instead of i * g
    h1 = inst.values["o[1]"] * np.tanh(c1)
    f2, i2, g2 = inst.values["f[2]"], inst.values["i[2]"], inst.values["g[2]"]
    answers = {"c[1]": format_value(c1), "h[1]": format_value(h1), "c[2]": format_value(f2 * c1 + i2 * g2)}
    fb = grade(inst, answers)
    assert fb["c[1]"].status == "mistake" and fb["c[1]"].mistake.id == "gates_swapped"
    assert fb["h[1]"].status == "ecf" and fb["h[1]"].credit == pytest.approx(ECF_CREDIT)
    assert fb["c[2]"].status == "ecf" and fb["c[2]"].first_wrong == "c[1]"
    assert "input and forget gates swapped" in fb["c[2]"].message.lower()
    # the backward part reads the learner's own c_2: the tanh of their value, times the given dh
    do = inst.values["dh[2]"] * np.tanh(f2 * c1 + i2 * g2)
    assert grade_one(inst, "do[2]", format_value(do), answers).status == "ecf"


def test_a_gru_learner_s_flipped_update_is_named_and_carried_forward():
    d = DEFS["gru_step"]
    inst = make_instance(d, d.textbook_seed)
    h1 = inst.mistake_value("h[1]", "update_flipped")
    fb = grade_one(inst, "h[1]", format_value(h1))
    assert fb.status == "mistake" and "convention" in fb.message and "keeps" in fb.message
    a_z2 = inst.ctx.W_x("z") @ inst.values["x[2]"] + inst.ctx.W_h("z") @ h1 + inst.ctx.b("z")
    fb = grade_one(inst, "a_z[2]", format_value(a_z2), {"h[1]": format_value(h1)})
    assert fb.status == "ecf" and fb.first_wrong == "h[1]"


def test_gated_parameters_have_the_playground_s_shapes():
    for name, cls, G in (("lstm_step", LSTMParams, 4), ("gru_step", GRUParams, 3)):
        for hidden in (2, 3):
            inst = make_instance(DEFS[name], 0, hidden)
            assert isinstance(inst.params, cls)
            assert inst.params.W_x.shape == (G * hidden, 4) and inst.params.W_h.shape == (G * hidden, hidden)
