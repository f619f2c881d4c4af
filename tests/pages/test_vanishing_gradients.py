"""AppTest of the gradient playground: each control changes the charts' data the way the maths says."""
from __future__ import annotations

import io
import json
import math

import numpy as np
import pandas as pd
import pyarrow as pa

PAGE = "pages/vanishing_gradients.py"
GRAD, SPEC, BOUND, CLIPPED = ("gradient ‖∂E_T/∂s_k‖", "spectral norm ‖∂s_T/∂s_k‖₂", "bound (γ·σ_max)^(T−k)",
                              "gradient after norm clipping")


def charts(at) -> dict[str, dict[str, pd.DataFrame]]:
    """{chart title or 'first': {dataset name: frame}} for every chart on the page."""
    out = {}
    for el in at.get("vega_lite_chart"):
        spec = json.loads(el.proto.spec)
        frames = {ds.name: pa.ipc.open_stream(io.BytesIO(ds.data.data)).read_all().to_pandas()
                  for ds in el.proto.datasets}
        out[spec.get("title") or "first"] = frames
    return out


def line(at, model: str, series: str) -> pd.Series:
    c = charts(at)[model]["curves"]
    c = c[c.series == series]
    return pd.Series(c.value.to_numpy(), index=c.distance.to_numpy())


def caption(at) -> str:
    return " ".join(i.value for i in at.info)


def test_default_view_draws_three_cells_and_reads_the_picture(app):
    at = app(PAGE)
    assert not at.exception
    c = charts(at)
    assert set(c) == {"Vanilla RNN", "LSTM", "GRU", "first"}
    v = c["Vanilla RNN"]["curves"]
    assert set(v.series) == {GRAD, SPEC, BOUND} | ({CLIPPED} if CLIPPED in set(v.series) else set())
    assert sorted(set(v.distance)) == list(range(100))
    assert set(c["LSTM"]["curves"].series) >= {GRAD, SPEC} and BOUND not in set(c["LSTM"]["curves"].series)
    regions = c["Vanilla RNN"]["regions"]
    assert list(regions.region) == ["vanishing", "exploding"] and regions.y2[0] == 1e-6 and regions.y[1] == 1e6
    text = caption(at)
    assert "σ_max(W_hh) = 0.80 and tanh" in text and "50 steps back" in text
    # the bound line is (gamma sigma)^(T-k) = 0.8^(T-k) at the default settings
    bound = line(at, "Vanilla RNN", BOUND)
    np.testing.assert_allclose(bound.to_numpy(), 0.8 ** bound.index.to_numpy(), rtol=1e-9)
    assert np.all(line(at, "Vanilla RNN", SPEC) <= bound * (1 + 1e-9))
    assert set(c["first"]["first"].model) == {"Vanilla RNN", "LSTM", "GRU"}


def test_sequence_length_sets_the_distances_and_lengths(app):
    at = app(PAGE)
    at.slider(key="vg_T").set_value(240).run()
    assert not at.exception
    c = charts(at)
    for model in ("Vanilla RNN", "LSTM", "GRU"):
        assert c[model]["curves"].distance.max() == 239
    assert c["first"]["first"].L.max() == 240


def test_scale_moves_the_bound_and_the_gradient(app):
    at = app(PAGE)
    far_before = line(at, "Vanilla RNN", GRAD)[60]
    at.slider(key="vg_scale").set_value(1.6).run()
    assert not at.exception
    bound = line(at, "Vanilla RNN", BOUND)
    assert math.isclose(bound[60], 1.6 ** 60, rel_tol=1e-9)
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
    at.slider(key="vg_scale").set_value(0.9).run()
    assert not at.exception
    spec = line(at, "Vanilla RNN", SPEC)
    np.testing.assert_allclose(spec.to_numpy(), 0.9 ** spec.index.to_numpy(), rtol=1e-9)


def test_radius_or_singular_value_changes_sigma_max(app):
    at = app(PAGE)
    at.radio(key="vg_norm").set_value("radius").run()
    assert not at.exception
    bound = line(at, "Vanilla RNN", BOUND)
    sigma = bound[1]
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


def test_clipping_threshold_scales_the_clipped_line(app):
    at = app(PAGE)
    at.select_slider(key="vg_clip").set_value(0.01).run()
    assert not at.exception
    grad, clipped = line(at, "Vanilla RNN", GRAD), line(at, "Vanilla RNN", CLIPPED)
    ratio = (clipped / grad).to_numpy()
    assert np.allclose(ratio, ratio[0]) and ratio[0] < 1, "clipping scales every gradient by the same factor"
    assert "clipping at 0.01" in caption(at)


def test_extreme_settings_give_no_exception_and_no_nan(app):
    at = app(PAGE)
    at.slider(key="vg_T").set_value(1000)
    at.slider(key="vg_scale").set_value(3.0)
    at.radio(key="vg_norm").set_value("radius")
    at.slider(key="vg_H").set_value(64)
    at.selectbox(key="vg_act").set_value("relu").run()
    assert not at.exception
    for frames in charts(at).values():
        for df in frames.values():
            nums = df.select_dtypes("number").to_numpy()
            assert np.all(np.isfinite(nums)), "NaN or inf reached the chart"
    text = caption(at)
    assert "exploding" in text and "clipping" in text
    assert any("passed 1e+100" in w.value for w in at.warning), "the exploding forward pass is flagged"
    for model in ("Vanilla RNN", "LSTM", "GRU"):
        df = charts(at)[model]["curves"]
        assert df.value.between(1e-300, 1e300).all()
        edge = (df.value >= 1e300) | (df.value <= 1e-300)  # beyond 1e±300: drawn at the edge, flagged
        assert ((df.note != "") == edge).all()
        assert df.note[edge].str.contains("true value").all()


def test_settings_survive_a_trip_to_another_page(app):
    at = app(PAGE)
    at.slider(key="vg_T").set_value(321).run()
    at.switch_page("pages/home.py").run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert at.slider(key="vg_T").value == 321
