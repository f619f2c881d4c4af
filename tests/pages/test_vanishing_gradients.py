"""AppTest of the gradient playground: each control changes the charts' data the way the maths says, and the
numbers the caption quotes are the values the chart draws."""
from __future__ import annotations

import io
import json
import math
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st

from core.gradients.captions import sci

PAGE = "pages/vanishing_gradients.py"
GRAD, SPEC, BOUND, CLIPPED = ("gradient ‖∂E_T/∂s_k‖", "spectral norm ‖∂s_T/∂s_k‖₂", "bound (γ·σ_max)^(T−k)",
                              "gradient after norm clipping")
CELLS = ("Vanilla RNN", "LSTM", "GRU")
NUM = r"(10\^-?\d+\.\d|\d+(?:\.\d+)?(?:e[-+]\d+)?)"  # a number as captions.sci writes it


def charts(at) -> dict[str, dict]:
    """{"decay" | "first": {"spec": the Vega-Lite spec, "alt": its text alternative, dataset name: frame}}."""
    out = {}
    for el in at.get("vega_lite_chart"):
        frames = {ds.name: pa.ipc.open_stream(io.BytesIO(ds.data.data)).read_all().to_pandas()
                  for ds in el.proto.datasets}
        name = "decay" if "curves" in frames else "first"
        out[name] = {"spec": json.loads(el.proto.spec), "alt": el.proto.alt, **frames}
    return out


def line(at, cell: str, series: str) -> pd.Series:
    c = charts(at)["decay"]["curves"]
    c = c[(c.cell == cell) & (c.series == series)]
    return pd.Series(c.value.to_numpy(), index=c.distance.to_numpy())


def caption(at) -> str:
    return " ".join(i.value for i in at.info)


def show_lines(at, *extras):
    at.segmented_control(key="vg_lines").set_value(list(extras)).run()
    assert not at.exception


def test_default_view_draws_one_chart_of_three_cells_and_reads_the_picture(app):
    at = app(PAGE)
    assert not at.exception
    c = charts(at)
    assert set(c) == {"decay", "first"}
    curves = c["decay"]["curves"]
    assert set(curves.cell) == set(CELLS)
    assert set(curves.series) == {GRAD, BOUND}, "by default the gradients and the vanilla RNN's bound"
    assert set(curves[curves.series == BOUND].cell) == {"Vanilla RNN"}
    assert sorted(set(curves.distance)) == list(range(100))
    regions = c["decay"]["regions"]
    assert list(regions.region) == ["vanishing", "exploding"] and regions.y2[0] == 1e-6 and regions.y[1] == 1e6
    text = caption(at)
    assert "σ_max(W_hh) = 0.80 and tanh" in text and "50 steps back" in text
    bound = line(at, "Vanilla RNN", BOUND)  # (gamma sigma)^(T-k) = 0.8^(T-k) at the default settings
    np.testing.assert_allclose(bound.to_numpy(), 0.8 ** bound.index.to_numpy(), rtol=1e-9)
    assert set(c["first"]["first"].cell) == set(CELLS)
    assert not at.metric[0].value == "", "the parameter gradient is shown"


def test_extra_lines_come_and_go_with_the_segmented_control(app):
    at = app(PAGE)
    show_lines(at, "spectral", "clipped")
    curves = charts(at)["decay"]["curves"]
    assert BOUND not in set(curves.series) and SPEC in set(curves.series)
    assert np.all(line(at, "Vanilla RNN", SPEC) <= 0.8 ** line(at, "Vanilla RNN", SPEC).index * (1 + 1e-9))
    show_lines(at)
    assert set(charts(at)["decay"]["curves"].series) == {GRAD}
    assert "The bound" not in caption(at), "the caption quotes only lines that are drawn"


def test_the_y_axis_is_labelled_in_powers_of_ten_at_round_decades(app):
    at = app(PAGE)
    spec = charts(at)["decay"]["spec"]
    ys = [layer["encoding"]["y"] for layer in spec["layer"] if "y" in layer.get("encoding", {})]
    values = ys[0]["axis"]["values"]
    exps = [round(math.log10(v)) for v in values]
    steps = set(np.diff(exps))
    assert len(steps) == 1 and steps.pop() in (1, 2, 3, 6, 10, 20, 30, 50, 100) and len(values) <= 9
    assert all(y["axis"]["values"] == values for y in ys) and ys[0]["scale"]["domain"] == [values[0], values[-1]]
    assert "'10' + " in ys[0]["axis"]["labelExpr"] and "⁻" in ys[0]["axis"]["labelExpr"]  # 10⁻⁶, not 1e-6
    lo, hi = np.log10(charts(at)["decay"]["curves"].value.agg(["min", "max"]))
    assert exps[0] <= lo and exps[-1] >= hi, "every plotted value is inside the axis"


def test_caption_numbers_are_the_plotted_values_at_those_distances(app):
    at = app(PAGE)
    show_lines(at, "spectral", "bound")
    for scale in (0.8, 1.3):
        at.slider(key="vg_scale").set_value(scale).run()
        text = caption(at)
        checked = 0
        for who, cell in (("the vanilla RNN's gradient ‖∂E_T/∂h_k‖", "Vanilla RNN"), ("the LSTM's", "LSTM"),
                          ("the GRU's", "GRU")):
            m = re.search(re.escape(who) + r"(?: goes)? from " + NUM + " at the last step to " + NUM, text)
            assert m, f"no numbers for {cell} in: {text}"
            g = line(at, cell, GRAD)
            assert m.group(1) == sci(math.log10(g[0])), f"{cell} at the last step"
            assert m.group(2) == sci(math.log10(g[50])), f"{cell} at 50 steps back"
            checked += 1
        b = re.search(r"\(γ·σ_max\)\^50 = \([\d.]+·([\d.]+)\)\^50 = " + NUM + r" .*?‖∂h_T/∂h_\(T−50\)‖₂ = " + NUM,
                      text)
        assert b, text
        assert b.group(2) == sci(math.log10(line(at, "Vanilla RNN", BOUND)[50]))
        assert b.group(3) == sci(math.log10(line(at, "Vanilla RNN", SPEC)[50]))
        assert checked == 3


def test_charts_have_text_alternatives_that_quote_the_chart(app):
    at = app(PAGE)
    c = charts(at)
    assert c["decay"]["alt"].startswith("Line chart, log scale") and "bound" in c["decay"]["alt"]
    for cell in CELLS:
        assert f"{cell} {sci(math.log10(line(at, cell, GRAD)[50]))}" in c["decay"]["alt"]
    first = c["first"]["first"]
    for cell in CELLS:
        value = first[first.cell == cell].sort_values("L").value.iloc[-1]
        assert f"{cell} {sci(math.log10(value))} at L = 100" in c["first"]["alt"]


def test_sequence_length_sets_the_distances_and_lengths(app):
    at = app(PAGE)
    at.slider(key="vg_T").set_value(240).run()
    assert not at.exception
    c = charts(at)
    for cell in CELLS:
        assert c["decay"]["curves"][c["decay"]["curves"].cell == cell].distance.max() == 239
    assert c["first"]["first"].L.max() == 240


def test_scale_moves_the_bound_and_the_gradient(app):
    at = app(PAGE)
    far_before = line(at, "Vanilla RNN", GRAD)[60]
    at.slider(key="vg_scale").set_value(1.6).run()
    assert not at.exception
    assert math.isclose(line(at, "Vanilla RNN", BOUND)[60], 1.6 ** 60, rel_tol=1e-9)
    assert line(at, "Vanilla RNN", GRAD)[60] > far_before * 1e3, "a larger W_hh carries more gradient back"


def test_sigmoid_bound_uses_gamma_a_quarter(app):
    at = app(PAGE)
    at.selectbox(key="vg_act").set_value("sigmoid").run()
    bound = line(at, "Vanilla RNN", BOUND)
    np.testing.assert_allclose(bound.to_numpy(), 0.2 ** bound.index.to_numpy(), rtol=1e-9)  # (0.25 * 0.8)^d
    assert "and sigmoid" in caption(at)


def test_linear_identity_network_shows_rho_to_the_distance(app):
    at = app(PAGE)
    at.selectbox(key="vg_act").set_value("identity")
    at.selectbox(key="vg_init").set_value("identity")
    at.slider(key="vg_H").set_value(4)
    at.slider(key="vg_scale").set_value(0.9)
    show_lines(at, "spectral")
    spec = line(at, "Vanilla RNN", SPEC)
    np.testing.assert_allclose(spec.to_numpy(), 0.9 ** spec.index.to_numpy(), rtol=1e-9)


def test_radius_or_singular_value_changes_sigma_max(app):
    at = app(PAGE)
    at.radio(key="vg_norm").set_value("radius").run()
    assert not at.exception
    sigma = line(at, "Vanilla RNN", BOUND)[1]
    assert sigma > 0.8 * 1.2, "for a Gaussian matrix the largest singular value exceeds the spectral radius"
    assert f"σ_max(W_hh) = {sigma:.2f}" in caption(at)


def test_input_scale_seed_and_hidden_size_change_the_curves(app):
    at = app(PAGE)
    base = line(at, "GRU", GRAD).to_numpy()
    for key, value in (("vg_input", 3.0), ("vg_H", 12)):
        at.slider(key=key).set_value(value).run()
        assert not at.exception
        now = line(at, "GRU", GRAD).to_numpy()
        assert not np.allclose(now, base), f"moving {key} did not change the GRU's gradient"
        base = now
    at.number_input(key="vg_seed").set_value(5).run()
    assert not np.allclose(line(at, "GRU", GRAD).to_numpy(), base)


def test_memory_gate_bias_changes_lstm_and_gru_not_the_vanilla_rnn(app):
    at = app(PAGE)
    vanilla, lstm = line(at, "Vanilla RNN", GRAD), line(at, "LSTM", GRAD)
    at.slider(key="vg_gate").set_value(5.0).run()
    assert not at.exception
    pd.testing.assert_series_equal(line(at, "Vanilla RNN", GRAD), vanilla)
    assert line(at, "LSTM", GRAD)[80] > lstm[80] * 100, "a forget gate near 1 keeps the gradient alive"


def test_clipping_threshold_scales_the_clipped_line_and_the_caption_quotes_the_metric(app):
    at = app(PAGE)
    show_lines(at, "clipped")
    at.select_slider(key="vg_clip").set_value(0.01).run()
    assert not at.exception
    grad, clipped = line(at, "Vanilla RNN", GRAD), line(at, "Vanilla RNN", CLIPPED)
    ratio = (clipped / grad).to_numpy()
    assert np.allclose(ratio, ratio[0]) and ratio[0] < 1, "clipping scales every gradient by the same factor"
    text = caption(at)
    m = re.search(r"Norm clipping at 0\.01: the (.+?)'s whole gradient ‖∂E_T/∂θ‖ = " + NUM + r" is rescaled to 0\.01",
                  text)
    assert m, text
    metrics = {mt.label: mt.value for mt in at.metric}
    assert m.group(2) in [mt.value for mt in at.metric if mt.label == "‖∂E_T/∂θ‖"]
    assert metrics["after clipping to 0.01"] == "0.01"


def test_extreme_settings_give_no_exception_no_nan_and_flag_what_float64_cannot_resolve(app):
    at = app(PAGE)
    at.slider(key="vg_T").set_value(1000)
    at.slider(key="vg_scale").set_value(3.0)
    at.radio(key="vg_norm").set_value("radius")
    at.slider(key="vg_H").set_value(64)
    at.selectbox(key="vg_act").set_value("relu").run()
    assert not at.exception
    for frames in charts(at).values():
        for name, df in frames.items():
            if isinstance(df, pd.DataFrame):
                assert np.all(np.isfinite(df.select_dtypes("number").to_numpy())), f"NaN or inf reached {name}"
    text = caption(at)
    assert "exploding" in text
    assert any("passed 1e+100" in w.value for w in at.warning), "the exploding forward pass is flagged"
    df = charts(at)["decay"]["curves"]
    assert df.value.between(1e-300, 1e300).all()
    edge = (df.value >= 1e300) | (df.value <= 1e-300)  # beyond 1e±300: drawn at the edge, flagged
    assert df.note[edge].str.contains("true value").all()
    gru = df[df.cell == "GRU"]
    assert not gru.resolved.any() and gru.note.str.contains("float64 cannot resolve").all()
    assert "The GRU's run is beyond float64" in text


def test_settings_survive_a_trip_to_another_page(app):
    at = app(PAGE)
    at.slider(key="vg_T").set_value(321).run()
    at.switch_page("pages/home.py").run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert at.slider(key="vg_T").value == 321


def test_while_the_compiled_loops_are_being_prepared_the_page_draws_from_numpy_and_says_so(app, monkeypatch):
    from core.gradients import jit

    default = charts(app(PAGE))["decay"]["curves"]
    assert not any("being prepared" in c.value for c in app(PAGE).caption), "no note once they are ready"
    # As on a fresh install: the compile has started (in a thread of its own) and is not done.
    monkeypatch.setattr(jit, "_state", {"thread": object()})
    st.cache_data.clear()  # the curves are computed again, not read from the cache
    at = app(PAGE)
    assert not at.exception
    assert any("being prepared" in c.value and "20 seconds" in c.value for c in at.caption)
    during = charts(at)["decay"]["curves"]
    assert len(during) == len(default)
    np.testing.assert_allclose(during.value.to_numpy(), default.value.to_numpy(), rtol=1e-9)
