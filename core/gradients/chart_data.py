"""The decay curves as the columns the gradients screen charts: thinned, capped for a log axis, with notes.

Values beyond 1e±300 cannot be drawn on a log axis; they are drawn at the edge and their note (a
tooltip) gives the true size. Long curves are thinned to at most MAX_POINTS distances per line.
"""
from __future__ import annotations

import numpy as np

from core.gradients.captions import display, sci
from core.gradients.decay import LABELS, CellCurves

MAX_POINTS = 400  # per line: beyond this, every n-th distance is drawn (the first 50 always)
SERIES = ["gradient ‖∂E_T/∂s_k‖", "spectral norm ‖∂s_T/∂s_k‖₂", "bound (γ·σ_max)^(T−k)",
          "gradient after norm clipping"]


def thin(n: int) -> np.ndarray:
    """Indices of the distances drawn: all of them up to MAX_POINTS, else the first 50 and an even spread."""
    if n <= MAX_POINTS:
        return np.arange(n)
    return np.unique(np.r_[np.arange(50), np.linspace(0, n - 1, MAX_POINTS - 50).round().astype(int)])


def capped_notes(log10: np.ndarray, capped: np.ndarray) -> np.ndarray:
    """Tooltip notes: empty, except for values drawn at the chart's edge, which get their true size."""
    notes = np.full(len(log10), "", dtype=object)
    for i in np.flatnonzero(capped):
        notes[i] = f"capped for the chart; true value {sci(float(log10[i]))}"
    return notes


def curve_columns(c: CellCurves) -> dict[str, np.ndarray]:
    """Long-table columns (distance, k, series, value, note) of one cell's lines, capped for the log axis."""
    idx = thin(c.T_run)
    series = {SERIES[0]: c.grad_log10, SERIES[1]: c.jac_log10}
    if c.bound_log10 is not None:
        series[SERIES[2]] = c.bound_log10
    if c.clip_log10 < 0:
        series[SERIES[3]] = c.grad_log10 + c.clip_log10
    cols: dict[str, list] = {"distance": [], "k": [], "series": [], "value": [], "note": []}
    for name, log10 in series.items():
        lg = log10[idx]
        value, capped = display(lg)
        cols["distance"].append(idx)
        cols["k"].append(c.T_run - idx)
        cols["series"].append(np.full(len(idx), name, dtype=object))
        cols["value"].append(value)
        cols["note"].append(capped_notes(lg, capped))
    return {k: np.concatenate(v) for k, v in cols.items()}


def first_step_columns(curves: dict[str, CellCurves]) -> dict[str, np.ndarray]:
    """Columns (L, model, value, note) of the gradient reaching step 1 for each sequence length L."""
    cols: dict[str, list] = {"L": [], "model": [], "value": [], "note": []}
    for m, c in curves.items():
        value, capped = display(c.first_log10)
        cols["L"].append(c.first_lengths)
        cols["model"].append(np.full(len(value), LABELS[m], dtype=object))
        cols["value"].append(value)
        cols["note"].append(capped_notes(c.first_log10, capped))
    return {k: np.concatenate(v) for k, v in cols.items()}


def parameter_norms(curves: dict[str, CellCurves]) -> dict[str, tuple[str, str]]:
    """{cell: (norm of the parameter gradient, the same after norm clipping)}, as short numbers."""
    return {m: (sci(c.param_grad_log10), sci(c.param_grad_log10 + c.clip_log10)) for m, c in curves.items()}
