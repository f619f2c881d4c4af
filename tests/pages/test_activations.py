"""AppTest of the activations screen: curves, the lecture's slip, the bound table and the tanh'(z) exercise."""
from __future__ import annotations

import io
import math

import pandas as pd
import pyarrow as pa

from core.course import tanh_prime as am
from core.progress import Store, resolve_url
from tests.conftest import session_learner

PAGE = "pages/activations.py"


def data(at, dataset: str) -> pd.DataFrame:
    for el in at.get("vega_lite_chart"):
        for ds in el.proto.datasets:
            if ds.name == dataset:
                return pa.ipc.open_stream(io.BytesIO(ds.data.data)).read_all().to_pandas()
    raise AssertionError(f"no chart reads {dataset!r}")


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_default_view_plots_three_activations_and_the_lecture_formula(app):
    at = app(PAGE)
    assert not at.exception
    curves = data(at, "curves")
    assert set(curves.curve) == {"tanh(z)", "tanh′(z) = 1 − tanh²(z)", "σ(z)", "σ′(z) = σ(z)(1 − σ(z))", "ReLU(z)",
                                 "ReLU′(z): 0 or 1", "1 − z² (the lecture, x read as z)"}
    assert curves.x.min() == -4 and curves.x.max() == 4
    assert metric(at, "1 − h² (correct)") == f"{am.tanh_prime(2.0):.4f}"
    assert metric(at, "1 − z² (input read as x)") == "-3.0000"
    assert any("cannot be negative" in w.value for w in at.warning)


def test_controls_change_the_chart_and_the_numbers(app):
    at = app(PAGE)
    at.pills(key="act_names").set_value(["tanh"])
    at.slider(key="act_range").set_value(2.0)
    at.toggle(key="act_lecture").set_value(False).run()
    curves = data(at, "curves")
    assert set(curves.curve) == {"tanh(z)", "tanh′(z) = 1 − tanh²(z)"} and curves.x.max() == 2
    at.slider(key="act_z").set_value(0.1).run()
    assert metric(at, "h = tanh(z)") == f"{math.tanh(0.1):.4f}"
    assert not at.warning and any("almost agree" in c.value for c in at.caption)


def test_bound_chart_and_sentences_follow_sigma(app):
    at = app(PAGE)
    bounds = data(at, "bounds")
    sig = bounds[bounds.activation.str.startswith("sigmoid")].set_index("n").value
    assert set(bounds.activation) == {"tanh and ReLU (γ = 1)", "sigmoid (γ = 1/4)"}
    assert math.isclose(sig[10], 0.25 ** 10, rel_tol=1e-12)
    text = " ".join(m.value for m in at.markdown)
    assert "after **10 steps**" in text and "never forces" in text  # sigmoid vanishes; tanh with sigma 1 need not
    at.slider(key="act_sigma").set_value(0.5).run()
    bounds = data(at, "bounds")
    tanh = bounds[bounds.activation.str.startswith("tanh")].set_index("n").value
    assert math.isclose(tanh[20], 0.5 ** 20, rel_tol=1e-12)
    assert "after **20 steps**" in " ".join(m.value for m in at.markdown)  # 0.5^20 = 9.5e-7
    at.slider(key="act_n").set_value(120).run()
    assert data(at, "bounds").n.max() == 120


def test_the_step_count_is_strict_where_the_bound_lands_on_1e_minus_6(app):
    """At sigma = 0.1, tanh's bound is 0.1^n and 0.1^6 is exactly 1e-6, so the gradient is below it after 7 steps."""
    at = app(PAGE)
    at.slider(key="act_sigma").set_value(0.1).run()
    text = " ".join(m.value for m in at.markdown)
    assert "**tanh**: γ·σ_max = 0.1, so after **7 steps**" in text and "(γ·σ_max)^6 is exactly 1e-6, not below" in text
    assert "**sigmoid**: γ·σ_max = 0.025, so after **4 steps**" in text  # 0.025^4 = 3.9e-7 < 1e-6 < 0.025^3
    at.slider(key="act_sigma").set_value(0.4).run()
    text = " ".join(m.value for m in at.markdown)
    assert "**sigmoid**: γ·σ_max = 0.1, so after **7 steps**" in text
    assert not at.exception


def test_exercise_is_checked_by_the_engine_and_saved(app):
    at = app(PAGE)
    z = am.exercise_z(0)
    at.text_input(key="act_answer").set_value(f"{1 - z * z:.4f}")
    at.button[0].click().run()  # the form's Check button
    assert any("1 − z²" in e.value for e in at.error), "the lecture's slip is named"
    at.text_input(key="act_answer").set_value("0,52")
    at.button[0].click().run()
    assert any("comma always separates numbers" in w.value for w in at.warning)
    at.text_input(key="act_answer").set_value(f"{am.tanh_prime(z):.4f}")
    at.button[0].click().run()
    assert not at.exception
    assert any(s.value.startswith("Right") for s in at.success)
    saved = Store(resolve_url()[0]).attempts(session_learner(at), "activations_tanh_prime")
    assert [a.status for a in saved] == ["mistake", "correct"]  # the unreadable answer is not an attempt
    assert saved[0].diagnosis == "1 − z² instead of 1 − tanh²(z)" and saved[0].lesson == "tanh"
    assert not any("could not be saved" in w.value for w in at.warning)
    at.button(key="act_new").click().run()
    assert f"z = {am.exercise_z(1):g}" in " ".join(m.value for m in at.markdown)
    assert not at.success
    assert at.text_input(key="act_answer").value == ""  # the old answer belonged to the old z
