"""Numbers, vectors and matrices as text and as LaTeX, and shapes in words: one home for every format.

- `num_text(x, digits)`: a number to `digits` significant digits, as plain text (0.25, -1.5e-7, 0).
- `format_value(value, digits)`: a value as a learner types it ([0.1, -0.2], [[1, 2], [3, 4]]), which the
  answer reader (core.course.answers) reads back to the same value.
- `latex_num(x, digits)`: a number for LaTeX, powers of ten written out (1.2\\times 10^{-5}).
- `fmt(x, decimals)`: fixed decimals for tables and metrics, with -0 shown as 0.
- `latex_array(a, cell, env, marked)`: the one vector/matrix-to-LaTeX; vectors are columns (the course's
  convention) and `marked` elements are drawn boxed in red. `bmatrix` is it with fixed decimals.
- `shape_words(shape)`: "a single number", "a vector of 3", "a 2×3 matrix".
- `md_escape(text)`: text shown literally inside Markdown.
"""
from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np


def num_text(x: float, digits: int = 6) -> str:
    """`x` to `digits` significant digits as plain text; exponents without padding (1.5e-7, not 1.5e-07)."""
    x = float(x)
    if x == 0:
        return "0"
    s = f"{x:.{digits}g}"
    if "e" in s:
        mantissa, exponent = s.split("e")
        s = f"{mantissa}e{int(exponent)}"
    return s


def format_value(value, digits: int = 6) -> str:
    """A number, vector or matrix as a learner would type it; the answer reader reads it back exactly."""
    a = np.asarray(value, dtype=np.float64)
    if a.ndim == 0:
        return num_text(a, digits)
    if a.ndim == 1:
        return "[" + ", ".join(num_text(x, digits) for x in a) + "]"
    return "[" + ", ".join(format_value(row, digits) for row in a) + "]"


def latex_num(x: float, digits: int = 4) -> str:
    """A number for LaTeX to `digits` significant digits; a power of ten written as \\times 10^{n}."""
    s = num_text(x, digits)
    if "e" in s:
        mantissa, exponent = s.split("e")
        return rf"{mantissa}\times 10^{{{int(exponent)}}}"
    return s


def fmt(x: float, decimals: int = 3) -> str:
    """A number rounded to fixed decimals for display, with -0 shown as 0."""
    v = round(float(x), decimals)
    if v == 0:
        v = 0.0
    return f"{v:.{decimals}f}"


def latex_array(a, cell: Callable[[float], str] = latex_num, env: str = "pmatrix", marked=()) -> str:
    """LaTeX of a scalar, a vector (as a column) or a matrix in environment `env`; `marked` indices in red."""
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 0:
        return cell(a)
    marked = {tuple(i) for i in marked}
    if a.ndim == 1:
        marked = {(i[0], 0) for i in marked}
        a = a[:, None]  # column-vector convention: (n,) -> (n, 1)

    def entry(i: int, j: int) -> str:
        text = cell(a[i, j])
        return rf"\color{{#B91C1C}}{{\boxed{{{text}}}}}" if (i, j) in marked else text
    rows = [" & ".join(entry(i, j) for j in range(a.shape[1])) for i in range(a.shape[0])]
    return rf"\begin{{{env}}}" + r" \\ ".join(rows) + rf"\end{{{env}}}"


def bmatrix(a, decimals: int = 3, marked=()) -> str:
    """latex_array with fixed decimals in square brackets, as the screens draw parameters and answers."""
    return latex_array(a, lambda x: fmt(x, decimals), "bmatrix", marked)


def shape_words(shape: tuple[int, ...], typed: bool = False) -> str:
    """A shape as a learner reads it: 'a single number', 'a vector of 3', 'a 2×3 matrix'.

    typed=True describes what a learner typed, where a flat list is a count, not yet a vector: '2 numbers'.
    """
    if len(shape) == 0:
        return "a single number"
    if len(shape) == 1:
        return f"{shape[0]} number{'s' if shape[0] != 1 else ''}" if typed else f"a vector of {shape[0]}"
    return f"a {shape[0]}×{shape[1]} matrix"


EXAMPLE_FULL = 16  # numbers up to which an example answer is written out in full


def example_answer(shape: tuple[int, ...]) -> str:
    """A made-up answer of this shape, as a format example for an empty answer box: "0.25" for a number,
    "[0.1, -0.2, 0.3]" for a vector of 3, "[[0.1, -0.2], [0.3, 0.4]]" for a 2×2 matrix. A large one is
    abbreviated with its size in words."""
    def numbers(start: int, n: int) -> list[str]:
        return [f"{'-' if (start + i) % 3 == 1 else ''}0.{(start + i) % 9 + 1}" for i in range(n)]

    if len(shape) == 0:
        return "0.25"
    if len(shape) == 1:
        (n,) = shape
        if n <= EXAMPLE_FULL:
            return "[" + ", ".join(numbers(0, n)) + "]"
        return "[" + ", ".join(numbers(0, 2)) + f", …]: {n} numbers"
    rows, cols = shape[0], shape[1]
    if rows * cols <= EXAMPLE_FULL:
        return "[" + ", ".join("[" + ", ".join(numbers(r * cols, cols)) + "]" for r in range(rows)) + "]"
    return ("[" + ", ".join("[" + ", ".join(numbers(r * cols, 2)) + ", …]" for r in range(2))
            + f", …]: {rows} rows of {cols} numbers")


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|$:<>~])")


def md_escape(text: str) -> str:
    """Text shown literally inside Markdown: every character Markdown, LaTeX or Streamlit could read is escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)
