"""The decay curves as the tables the gradients screen charts: thinned, capped for a log axis, with notes.

One long table holds every line of the main chart (cell x series), another the first-step chart. Values
beyond 1e±300 cannot be drawn on a log axis: they sit at the edge and their note (a tooltip) gives the
true size. Exact zeros (log10 = -inf) are not drawn at all: a log axis has no place for them, and they are
mostly float64 giving up (a softmax saturated to the last bit, tanh' rounded to 0), so the caption names
them instead. A cell whose run float64 cannot resolve (CellCurves.resolved) keeps its lines, marked
`resolved = False` (drawn faded) with a note saying why.
"""
from __future__ import annotations

import math

import numpy as np

from core.gradients.captions import CAP_LOG10, display, sci
from core.gradients.decay import LABELS, CellCurves

MAX_POINTS = 300  # per line: beyond this, every n-th distance is drawn (the first 50 always)
SERIES = {"gradient": "gradient ‖∂E_T/∂s_k‖", "spectral": "spectral norm ‖∂s_T/∂s_k‖₂",
          "bound": "bound (γ·σ_max)^(T−k)", "clipped": "gradient after norm clipping"}
EXTRAS = ("spectral", "bound", "clipped")  # the lines a learner may add to the gradient
TICK_STEPS = (1, 2, 3, 6, 10, 20, 30, 50, 100)  # decades between the y axis' labels
MAX_TICKS = 9


def thin(n: int) -> np.ndarray:
    """Indices of the distances drawn: all of them up to MAX_POINTS, else the first 50 and an even spread."""
    if n <= MAX_POINTS:
        return np.arange(n)
    return np.unique(np.r_[np.arange(50), np.linspace(0, n - 1, MAX_POINTS - 50).round().astype(int)])


def unresolved_note(c: CellCurves) -> str:
    """The tooltip of a run float64 cannot resolve (empty when it can)."""
    if c.resolved:
        return ""
    return (f"float64 cannot resolve this run: rounding in its early steps grows to about {sci(c.rounding_log10)} "
            "of its last state, so these digits are rounding noise")


def _notes(log10: np.ndarray, capped: np.ndarray, base: str) -> np.ndarray:
    notes = np.full(len(log10), base, dtype=object)
    for i in np.flatnonzero(capped):
        notes[i] = "; ".join(x for x in (f"beyond the chart: true value {sci(float(log10[i]))}", base) if x)
    return notes


def _series(c: CellCurves, extras) -> dict[str, np.ndarray]:
    lines = {"gradient": c.grad_log10}
    if "spectral" in extras:
        lines["spectral"] = c.jac_log10
    if "bound" in extras and c.bound_log10 is not None:
        lines["bound"] = c.bound_log10
    if "clipped" in extras and c.clip_log10 < 0:
        lines["clipped"] = c.grad_log10 + c.clip_log10
    return lines


def decay_columns(curves: dict[str, CellCurves], extras=()) -> dict[str, np.ndarray]:
    """Columns (distance, k, cell, series, value, note, resolved) of every line of the main chart.

    The gradient of each cell, plus the extra series asked for; exact zeros are left out (not drawn)."""
    cols: dict[str, list] = {k: [] for k in ("distance", "k", "cell", "series", "value", "note", "resolved")}
    for m, c in curves.items():
        idx = thin(c.T_run)
        base = unresolved_note(c)
        for name, log10 in _series(c, extras).items():
            i = idx[np.isfinite(log10[idx])]  # an exact 0 (-inf) is not drawn
            lg = log10[i]
            value, capped = display(lg)
            cols["distance"].append(i)
            cols["k"].append(c.T_run - i)
            cols["cell"].append(np.full(len(i), LABELS[m], dtype=object))
            cols["series"].append(np.full(len(i), SERIES[name], dtype=object))
            cols["value"].append(value)
            cols["note"].append(_notes(lg, capped, base))
            cols["resolved"].append(np.full(len(i), c.resolved))
    return {k: np.concatenate(v) if v else np.array([]) for k, v in cols.items()}


def first_step_columns(curves: dict[str, CellCurves]) -> dict[str, np.ndarray]:
    """Columns (L, cell, value, note, resolved) of the gradient reaching step 1 for each length L (no zeros)."""
    cols: dict[str, list] = {k: [] for k in ("L", "cell", "value", "note", "resolved")}
    for m, c in curves.items():
        keep = np.isfinite(c.first_log10)
        lg = c.first_log10[keep]
        value, capped = display(lg)
        cols["L"].append(c.first_lengths[keep])
        cols["cell"].append(np.full(len(lg), LABELS[m], dtype=object))
        cols["value"].append(value)
        cols["note"].append(_notes(lg, capped, unresolved_note(c)))
        cols["resolved"].append(np.full(len(lg), c.resolved))
    return {k: np.concatenate(v) for k, v in cols.items()}


def log_ticks(lo_log10: float, hi_log10: float) -> list[int]:
    """Decades for the y axis' labels: multiples of a round step, at most MAX_TICKS, covering [lo, hi]."""
    lo, hi = math.floor(max(lo_log10, -CAP_LOG10)), math.ceil(min(hi_log10, CAP_LOG10))
    for step in TICK_STEPS:
        first, last = math.floor(lo / step) * step, math.ceil(hi / step) * step
        if (last - first) // step + 1 <= MAX_TICKS:
            return list(range(first, last + 1, step))
    return list(range(-300, 301, 100))


def parameter_norms(curves: dict[str, CellCurves]) -> dict[str, tuple[str, str]]:
    """{cell: (norm of the whole parameter gradient, the same after norm clipping)}, as short numbers."""
    return {m: (sci(c.param_grad_log10), sci(c.param_grad_log10 + c.clip_log10)) for m, c in curves.items()}
