"""Altair charts of the playground screens, compiled once and refilled with data on every rerun.

Each chart is written with Altair against named datasets. Altair's compile-and-validate step costs about
20 ms per chart, too much to repeat on every slider move, so `show` compiles each chart once per server
process (st.cache_resource) and only puts the new data frames into a copy of the compiled Vega-Lite spec.
"""
from __future__ import annotations

import copy

import altair as alt
import pandas as pd
import streamlit as st

from core.gradients.chart_data import SERIES

VANISH, EXPLODE = 1e-6, 1e6  # the shaded thresholds

# Streamlit's colour names, not hex: st.vega_lite_chart puts the theme's own red, blue, ... in their place (in
# encoding.color values and scale ranges), so a line stays legible on the light and on the dark background.
SERIES_COLORS = ["blue", "orange", "gray", "green"]
MODEL_NAMES = ["Vanilla RNN", "LSTM", "GRU"]
MODEL_COLORS = ["red", "blue", "green"]


def _regions(y_title: str) -> list[alt.Chart]:
    """Shaded vanishing and exploding bands (data "regions": y, y2, region, label) spanning the full width."""
    base = alt.Chart(alt.Data(name="regions"))
    bands = []
    for region, color in (("vanishing", "blue"), ("exploding", "red")):
        bands.append(base.mark_rect(opacity=0.15).encode(
            y=alt.Y("y:Q", scale=alt.Scale(type="log"), title=y_title),
            y2="y2:Q",
            color=alt.value(color),
            tooltip=[alt.Tooltip("label:N", title="region")],
        ).transform_filter(alt.datum.region == region))
    return bands


def _decay_chart() -> alt.LayerChart:
    curves = alt.Chart(alt.Data(name="curves"))
    color = alt.Color("series:N", scale=alt.Scale(domain=SERIES, range=SERIES_COLORS),
                      legend=alt.Legend(orient="bottom", columns=1, title=None, labelLimit=260))
    dash = alt.StrokeDash("series:N", scale=alt.Scale(domain=SERIES, range=[[1, 0], [6, 2], [3, 3], [1, 3]]),
                          legend=None)
    tips = [alt.Tooltip("series:N"), alt.Tooltip("k:Q", title="k"), alt.Tooltip("distance:Q", title="T − k"),
            alt.Tooltip("value:Q", title="value", format=".3~g"), alt.Tooltip("note:N", title="note")]
    lines = curves.mark_line(strokeWidth=2).encode(
        x=alt.X("distance:Q", title="T − k (steps back from the loss)"),
        y=alt.Y("value:Q", scale=alt.Scale(type="log")), color=color, strokeDash=dash, tooltip=tips)
    # aria=False: this layer is usually empty, and Vega would still give it an unnamed graphics-symbol role
    capped = curves.mark_point(shape="triangle-up", size=50, filled=True, aria=False).encode(
        x="distance:Q", y="value:Q", color=color, tooltip=tips).transform_filter(alt.datum.note != "")
    return alt.layer(*_regions("norm (log scale)"), lines, capped).properties(height=320)


def _first_chart() -> alt.LayerChart:
    pts = alt.Chart(alt.Data(name="first"))
    color = alt.Color("model:N", scale=alt.Scale(domain=MODEL_NAMES, range=MODEL_COLORS),
                      legend=alt.Legend(orient="bottom", title=None))
    tips = [alt.Tooltip("model:N"), alt.Tooltip("L:Q", title="sequence length"),
            alt.Tooltip("value:Q", title="‖∂E_L/∂s_1‖", format=".3~g"), alt.Tooltip("note:N", title="note")]
    line = pts.mark_line(point=True).encode(
        x=alt.X("L:Q", title="sequence length L (the loss sits on step L)"),
        y=alt.Y("value:Q", scale=alt.Scale(type="log")), color=color, tooltip=tips)
    return alt.layer(*_regions("gradient reaching step 1 (log scale)"), line).properties(height=300)


ACT_DOMAIN = ["tanh", "sigmoid", "ReLU", "1 − z² (the lecture, x read as z)"]
ACT_COLORS = ["blue", "orange", "green", "red"]


def _activation_chart(kind: str) -> alt.Chart:
    """f(z) or f'(z) of the chosen activations (data "curves": x, y, curve, kind, activation)."""
    data = alt.Chart(alt.Data(name="curves"))
    y = (alt.Y("y:Q", title="f′(z)", scale=alt.Scale(domain=[-1.05, 1.15])) if kind == "derivative"
         else alt.Y("y:Q", title="f(z)"))
    return data.mark_line(strokeWidth=2, clip=True).encode(
        x=alt.X("x:Q", title="z"), y=y,
        color=alt.Color("activation:N", scale=alt.Scale(domain=ACT_DOMAIN, range=ACT_COLORS),
                        legend=alt.Legend(orient="bottom", title=None, labelLimit=260)),
        strokeDash=alt.condition(alt.datum.kind == "lecture", alt.value([6, 3]), alt.value([1, 0])),
        detail="curve:N",
        tooltip=[alt.Tooltip("curve:N"), alt.Tooltip("x:Q", format=".2f", title="z"),
                 alt.Tooltip("y:Q", format=".4f", title="value")],
    ).transform_filter(alt.datum.kind == kind if kind == "function"
                       else (alt.datum.kind == "derivative") | (alt.datum.kind == "lecture")).properties(height=280)


def _lines(dataset: str, x, y, color, tooltip: list, point: bool = False) -> alt.Chart:
    """A line chart of one named dataset, coloured by one field, legend below, the playgrounds' height."""
    return alt.Chart(alt.Data(name=dataset)).mark_line(point=point).encode(
        x=x, y=y, color=color, tooltip=tooltip).properties(height=260)


def _product_chart() -> alt.Chart:
    return _lines("bounds", alt.X("n:Q", title="number of steps n"),
                  alt.Y("value:Q", scale=alt.Scale(type="log"), title="bound on the product (log scale)"),
                  alt.Color("activation:N", legend=alt.Legend(orient="bottom", title=None)),
                  [alt.Tooltip("activation:N"), alt.Tooltip("n:Q"), alt.Tooltip("shown:N", title="bound")], point=True)


def _loss_chart() -> alt.Chart:
    return _lines("loss", alt.X("iteration:Q", title="iteration"), alt.Y("loss:Q", title="loss per character (nats)"),
                  alt.Color("curve:N", legend=alt.Legend(orient="bottom", title=None)),
                  [alt.Tooltip("curve:N"), alt.Tooltip("iteration:Q"), alt.Tooltip("loss:Q", format=".4f")])


def _prob_chart() -> alt.Chart:
    return _lines("probs", alt.X("iteration:Q", title="iteration"),
                  alt.Y("p:Q", title="p(next | context)", scale=alt.Scale(domain=[0, 1])),
                  alt.Color("character:N", legend=alt.Legend(orient="bottom", title="next character")),
                  [alt.Tooltip("character:N"), alt.Tooltip("iteration:Q"), alt.Tooltip("p:Q", format=".3f")])


BUILDERS = {"decay": _decay_chart, "first": _first_chart,
            "functions": lambda: _activation_chart("function"), "derivatives": lambda: _activation_chart("derivative"),
            "products": _product_chart, "loss": _loss_chart, "probs": _prob_chart}


@st.cache_resource(show_spinner=False)
def _compiled(name: str) -> dict:
    return BUILDERS[name]().to_dict()


# What each chart shows, in words: its name for screen readers (st.vega_lite_chart's alt becomes the aria-label
# of the chart). A caller with the numbers at hand passes a more specific text.
ALT = {
    "decay": "Line chart, log scale: the gradient's norm against the number of steps back from the loss, with the "
             "vanishing (below 1e-6) and exploding (above 1e6) bands shaded.",
    "first": "Line chart, log scale: the gradient that reaches the first step against the sequence length, one line "
             "per model, with the vanishing and exploding bands shaded.",
    "functions": "Line chart: the chosen activation functions f(z) against z.",
    "derivatives": "Line chart: the derivatives f′(z) of the chosen activations against z (tanh′ is at most 1, "
                   "σ′ at most 1/4, ReLU′ is 0 or 1).",
    "products": "Line chart, log scale: the bound on a product of n Jacobians against n, one line per activation.",
    "loss": "Line chart: the loss per character against the training iteration, with its running average.",
    "probs": "Line chart: the probability of each next character after the context, against the training iteration.",
}


def show(name: str, datasets: dict[str, pd.DataFrame], title: str | None = None, key: str | None = None,
         alt: str | None = None) -> None:
    """Draw chart `name` with these data frames (one per named dataset it reads); `alt` says what it shows."""
    spec = copy.deepcopy(_compiled(name))
    spec["datasets"] = dict(datasets)
    spec.setdefault("config", {})["background"] = "transparent"
    if title:
        spec["title"] = title
    st.vega_lite_chart(spec=spec, width="stretch", key=key, alt=alt or ALT.get(name))


def regions(lo: float, hi: float) -> pd.DataFrame:
    """The two shaded bands from the chart's lowest value to 1e-6 and from 1e6 to its highest."""
    lo, hi = min(lo, VANISH / 100), max(hi, EXPLODE * 100)
    return pd.DataFrame({"y": [lo, EXPLODE], "y2": [VANISH, hi], "region": ["vanishing", "exploding"],
                         "label": ["vanishing: below 1e-6", "exploding: above 1e6"]})
