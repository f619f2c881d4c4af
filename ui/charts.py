"""Altair charts of the playground screens and the class view, compiled once and refilled with data on every rerun.

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
from core.progress.class_view import BUCKETS

VANISH, EXPLODE = 1e-6, 1e6  # the shaded thresholds

# Streamlit replaces these colour names (in encoding.color values and scale ranges) with its theme's palette, so
# the lines stay legible on a dark background too; hex colours would not follow the theme.
CELL_NAMES = ["Vanilla RNN", "LSTM", "GRU"]
CELL_COLORS = ["orange", "violet", "green"]
# Drawn in this order, widest first: where two cells' lines coincide the one beneath shows as a border.
CELL_WIDTHS = {"LSTM": 6.0, "Vanilla RNN": 3.5, "GRU": 2.0}
SERIES_NAMES = list(SERIES.values())
SERIES_DASH = [[1, 0], [7, 3], [2, 2], [1, 3]]  # gradient solid; spectral dashed; bound dotted; clipped sparse dots
SUPERSCRIPT = dict(zip("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹", strict=True))


def _pow10_label() -> str:
    """A Vega expression that labels 1e-6 as 10⁻⁶: the exponent with each character swapped for its superscript."""
    expr = "toString(round(log(datum.value) / LN10))"
    for plain, sup in SUPERSCRIPT.items():
        expr = f"replace({expr}, regexp('{plain}', 'g'), '{sup}')"
    return "'10' + " + expr


POW10 = _pow10_label()


def _log_y(title: str | None = None) -> alt.Y:
    return alt.Y("value:Q", scale=alt.Scale(type="log"), title=title, axis=alt.Axis(labelExpr=POW10))


def _regions(y_title: str) -> list[alt.Chart]:
    """Shaded vanishing and exploding bands (data "regions": y, y2, region, label) spanning the full width."""
    base = alt.Chart(alt.Data(name="regions"))
    bands = []
    for region, color in (("vanishing", "blue"), ("exploding", "red")):
        bands.append(base.mark_rect(opacity=0.15, clip=True, aria=False).encode(
            y=alt.Y("y:Q", scale=alt.Scale(type="log"), title=y_title, axis=alt.Axis(labelExpr=POW10)),
            y2="y2:Q",
            color=alt.value(color),
            tooltip=[alt.Tooltip("label:N", title="region")],
        ).transform_filter(alt.datum.region == region))
    return bands


def _cell_color(legend: bool = True):
    return alt.Color("cell:N", scale=alt.Scale(domain=CELL_NAMES, range=CELL_COLORS),
                     legend=alt.Legend(orient="top", title=None, symbolStrokeWidth=4) if legend else None)


def _per_cell(base: alt.Chart, width_scale: float = 1.0, point: bool = False, **encoding) -> list[alt.Chart]:
    """One line layer per cell, widest first, so lines that run together stay distinguishable."""
    return [base.mark_line(strokeWidth=w * width_scale, clip=True, aria=False, point=point)
            .encode(**encoding).transform_filter(alt.datum.cell == cell) for cell, w in CELL_WIDTHS.items()]


def _faded():
    """Lines of a run float64 cannot resolve are drawn faded (their note says why)."""
    return alt.condition(alt.datum.resolved, alt.value(1.0), alt.value(0.35))


def _decay_chart() -> alt.LayerChart:
    """One chart for the three cells: the gradients on top (solid, wide), the extra lines beneath them (thin,
    dashed or dotted), so a gradient that runs along the spectral norm or the bound never hides it."""
    curves = alt.Chart(alt.Data(name="curves"))
    dash = alt.StrokeDash("series:N", scale=alt.Scale(domain=SERIES_NAMES, range=SERIES_DASH),
                          legend=alt.Legend(orient="bottom", title=None, labelLimit=260, symbolStrokeWidth=2))
    tips = [alt.Tooltip("cell:N"), alt.Tooltip("series:N"), alt.Tooltip("k:Q", title="k"),
            alt.Tooltip("distance:Q", title="T − k"), alt.Tooltip("value:Q", title="value", format=".2~g"),
            alt.Tooltip("note:N", title="note")]
    enc = dict(x=alt.X("distance:Q", title="T − k (steps back from the loss)"), y=_log_y(), strokeDash=dash,
               opacity=_faded(), tooltip=tips)
    gradient, bound = alt.datum.series == SERIES["gradient"], alt.datum.series == SERIES["bound"]
    bound_line = curves.mark_line(strokeWidth=1.5, clip=True, aria=False).encode(
        color=alt.value("gray"), **enc).transform_filter(bound)
    extras = curves.mark_line(strokeWidth=1.5, clip=True, aria=False).encode(
        color=_cell_color(), **enc).transform_filter(~gradient & ~bound)
    lines = [c.transform_filter(gradient) for c in _per_cell(curves, color=_cell_color(), **enc)]
    capped = curves.mark_point(shape="triangle-up", size=50, filled=True, aria=False).encode(
        x="distance:Q", y="value:Q", color=_cell_color(), tooltip=tips).transform_filter(alt.datum.note != "")
    return alt.layer(*_regions("norm (log scale)"), bound_line, extras, *lines, capped).properties(height=420)


def _first_chart() -> alt.LayerChart:
    pts = alt.Chart(alt.Data(name="first"))
    tips = [alt.Tooltip("cell:N"), alt.Tooltip("L:Q", title="sequence length"),
            alt.Tooltip("value:Q", title="‖∂E_L/∂s_1‖", format=".2~g"), alt.Tooltip("note:N", title="note")]
    lines = _per_cell(pts, width_scale=0.7, point=True, x=alt.X("L:Q", title="sequence length L (the loss sits on "
                      "step L)"), y=_log_y(), color=_cell_color(), opacity=_faded(), tooltip=tips)
    return alt.layer(*_regions("gradient reaching step 1 (log scale)"), *lines).properties(height=300)


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


BUCKET_COLORS = ["green", "blue", "orange", "red", "gray"]  # right ... revealed, theme colour names


def _class_values_chart() -> alt.Chart:
    """Per value, the learners whose latest answer is in each bucket, stacked (data "values": value, order,
    bucket, rank, learners), one bar per value in exercise order."""
    return alt.Chart(alt.Data(name="values")).mark_bar().encode(
        y=alt.Y("value:N", sort=alt.EncodingSortField("order", op="min"), title=None,
                axis=alt.Axis(labelOverlap=False, labelLimit=200)),  # every value named, none skipped
        x=alt.X("learners:Q", stack=True, title="learners, by their latest answer", axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("bucket:N", scale=alt.Scale(domain=list(BUCKETS), range=BUCKET_COLORS),
                        legend=alt.Legend(orient="bottom", title=None)),
        order=alt.Order("rank:Q"),
        tooltip=[alt.Tooltip("value:N"), alt.Tooltip("bucket:N", title="latest answer"), alt.Tooltip("learners:Q")],
    ).properties(height=alt.Step(18))


def _class_mistakes_chart() -> alt.Chart:
    """The named mistakes most learners made (data "mistakes": what, mistake, value, learners)."""
    return alt.Chart(alt.Data(name="mistakes")).mark_bar().encode(
        color=alt.value("red"),
        y=alt.Y("what:N", sort="-x", title=None, axis=alt.Axis(labelLimit=360, labelOverlap=False)),
        x=alt.X("learners:Q", title="learners who made it at least once", axis=alt.Axis(tickMinStep=1)),
        tooltip=[alt.Tooltip("mistake:N"), alt.Tooltip("value:N"), alt.Tooltip("learners:Q")],
    ).properties(height=alt.Step(20))


BUILDERS = {"decay": _decay_chart, "first": _first_chart,
            "functions": lambda: _activation_chart("function"), "derivatives": lambda: _activation_chart("derivative"),
            "products": _product_chart, "loss": _loss_chart, "probs": _prob_chart,
            "class_values": _class_values_chart, "class_mistakes": _class_mistakes_chart}


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
    "class_values": "Stacked bar chart: for each value of the exercise, how many learners' latest answer to it is "
                    "right, right by method, close, wrong or revealed.",
    "class_mistakes": "Bar chart: the named mistakes most learners made, with how many learners made each at least "
                      "once.",
}


def _set_log_axis(spec: dict, ticks: list[int]) -> None:
    """Put the y axis' labels at these decades and its scale from the first to the last, in every layer."""
    values, domain = [10.0 ** k for k in ticks], [10.0 ** ticks[0], 10.0 ** ticks[-1]]
    for layer in spec.get("layer", [spec]):
        y = layer.get("encoding", {}).get("y")
        if y is not None:
            y.setdefault("axis", {})["values"] = values
            y.setdefault("scale", {})["domain"] = domain


def _set_legend_values(spec: dict, channel: str, values: list) -> None:
    for layer in spec.get("layer", [spec]):
        enc = layer.get("encoding", {}).get(channel)
        if enc is not None and enc.get("legend") is not None:
            enc["legend"]["values"] = values


def show(name: str, datasets: dict[str, pd.DataFrame], title: str | None = None, key: str | None = None,
         alt_text: str | None = None, log_ticks: list[int] | None = None) -> None:
    """Draw chart `name` with these data frames (one per named dataset it reads).

    alt_text is what a screen reader says for the chart; log_ticks (decades) fix a log y axis' labels and
    range. Text columns go as categories, so a label repeated on every row is sent once."""
    spec = copy.deepcopy(_compiled(name))
    spec["datasets"] = {k: df.astype({c: "category" for c in df.columns if pd.api.types.is_string_dtype(df[c])})
                        for k, df in datasets.items()}
    spec.setdefault("config", {})["background"] = "transparent"
    if title:
        spec["title"] = title
    if log_ticks:
        _set_log_axis(spec, log_ticks)
    for df in datasets.values():
        if "series" in df.columns:  # the dash legend lists the lines drawn, not every line there could be
            drawn = set(df["series"].unique())
            _set_legend_values(spec, "strokeDash", [x for x in SERIES_NAMES if x in drawn])
    st.vega_lite_chart(spec=spec, width="stretch", key=key, alt=alt_text or ALT.get(name))


def regions(ticks: list[int]) -> pd.DataFrame:
    """The two shaded bands, from the axis' lowest decade to 1e-6 and from 1e6 to its highest."""
    lo, hi = 10.0 ** ticks[0], 10.0 ** ticks[-1]
    return pd.DataFrame({"y": [lo, EXPLODE], "y2": [VANISH, hi], "region": ["vanishing", "exploding"],
                         "label": ["vanishing: below 1e-6", "exploding: above 1e6"]})
