"""Numbers, vectors and matrices as LaTeX and short text, for lessons, worked solutions and screens."""
from __future__ import annotations

import re

import numpy as np


def fmt(x: float, decimals: int = 3) -> str:
    """A number rounded for display, with -0 shown as 0 and a real minus sign for LaTeX."""
    v = round(float(x), decimals)
    if v == 0:
        v = 0.0
    return f"{v:.{decimals}f}"


def bmatrix(a, decimals: int = 3, marked=()) -> str:
    """LaTeX bmatrix of a scalar, a vector (shown as a column) or a matrix; `marked` indices drawn in red."""
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 0:
        return fmt(a, decimals)
    marked = {tuple(i) for i in marked}
    if a.ndim == 1:
        marked = {(i[0], 0) for i in marked}
        a = a[:, None]  # column-vector convention

    def cell(i, j):
        text = fmt(a[i, j], decimals)
        return rf"\color{{#B91C1C}}{{\boxed{{{text}}}}}" if (i, j) in marked else text
    rows = [" & ".join(cell(i, j) for j in range(a.shape[1])) for i in range(a.shape[0])]
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"


def plain(a, decimals: int = 3) -> str:
    """A value as a learner would type it: 0.25, [0.1, -0.2] or [[1, 2], [3, 4]]."""
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 0:
        return fmt(a, decimals)
    if a.ndim == 1:
        return "[" + ", ".join(fmt(v, decimals) for v in a) + "]"
    return "[" + ", ".join(plain(r, decimals) for r in a) + "]"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|$:<>~])")


def md_escape(text: str) -> str:
    """Text shown literally inside Markdown: every character Markdown, LaTeX or Streamlit could read is escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)
