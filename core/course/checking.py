"""Checking a learner's numbers against the true ones: tolerance, per-element marks, structural diagnosis.

A number counts as right when it is within a relative tolerance of the true value, or within an absolute
floor for numbers near zero, whichever is looser:

    |answer - truth| <= max(abs, rel * |truth|)           element by element

The defaults (1% or 0.001) suit a learner with a calculator who keeps three or four significant digits.
Vectors and matrices are marked element by element, so a vector with one slip still earns credit for the
rest. When an answer is wrong, `compare` looks for a simple structural explanation before giving up:
transposed, the wrong shape, every sign flipped, every number scaled by one constant, two rows (or two
elements, or two columns) swapped, or the same numbers in another order. It also notices when the learner
typed too few significant digits for the tolerance, which is a rounding problem, not a maths one, and
when every number that is off is the true value rounded (or cut off) to those few digits it says so
(`rounded_to`), so the learner is told to type more digits rather than to look for a mistake.

Public API (stable):
    Tolerance(rel=0.01, abs=0.001)      .width(truth), .within(value, truth), .describe(), .digits_needed()
    DEFAULT_TOLERANCE, CLOSE_FACTOR, TOLERANCE_HELP (Markdown for the UI)
    compare(value, truth, tol=DEFAULT_TOLERANCE, digits=None) -> Comparison
    Comparison(ok, shape_ok, element_ok, wrong_elements, credit, close, structure, structure_message,
               scale, digits_warning, max_rel_error, rounded_to)
    too_few_digits_message(k, tol, some=False), TOO_FEW_DIGITS: the message for an answer that is the truth
               rounded to too few significant digits (Comparison.rounded_to)
    STRUCTURES: structure id -> short description
    round_sig(x, d), format_index(idx, ndim)
Indices in `wrong_elements` are 0-based NumPy index tuples; messages count from 1 as people do.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.formatting import shape_words

EXACT_DIGITS = 17  # digits credited to a number typed exactly (0, or computed by arithmetic): never warned about


@dataclass(frozen=True)
class Tolerance:
    """|answer - truth| <= max(abs, rel * |truth|), element by element."""

    rel: float = 1e-2  # 1%: three significant digits always suffice
    abs: float = 1e-3  # floor near zero, where 1% of the value is finer than calculator rounding

    def __post_init__(self):
        for name in ("rel", "abs"):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v) or not 0 < v < 1:
                raise ValueError(f"tolerance {name} must be a number between 0 and 1 (got {v!r})")

    def width(self, truth) -> np.ndarray:
        """Allowed error for each element of `truth` (same shape)."""
        return np.maximum(self.abs, self.rel * np.abs(truth))

    def within(self, value, truth) -> np.ndarray:
        """Element-wise: is `value` within tolerance of `truth` (same shapes)?"""
        return np.abs(np.asarray(value) - truth) <= self.width(truth)

    def digits_needed(self) -> int:
        """Significant digits that keep rounding inside `rel`: half a unit in the last place, at worst 0.5*10^(1-d)."""
        return max(1, math.ceil(1 - math.log10(2 * self.rel) - 1e-12))

    def describe(self) -> str:
        """The tolerance in words, e.g. 'within 1% of the true value, or within 0.001 of it'."""
        return f"within {_pct(self.rel)} of the true value or within {_num(self.abs)} of it, whichever is looser"


def _pct(r: float) -> str:
    return f"{r * 100:g}%"


def _num(x: float) -> str:
    return f"{x:g}"


DEFAULT_TOLERANCE = Tolerance()
CLOSE_FACTOR = 5.0  # within 5 tolerances of the truth counts as "close": usually rounding, not a wrong formula

TOLERANCE_HELP = (
    f"**How answers are checked.** Each number counts as correct when it is {DEFAULT_TOLERANCE.describe()}: "
    f"for example 0.4321 accepts anything from 0.4278 to 0.4364, and 0.0004 accepts anything from -0.0006 "
    f"to 0.0014. So {DEFAULT_TOLERANCE.digits_needed()} significant digits are always enough. "
    "Keep 4 or more digits in intermediate results, so that rounding errors do not pile up along the chain. "
    "Vectors and matrices are marked number by number, and the numbers that are off are listed."
)

STRUCTURES = {
    "transposed": "the transpose of the expected matrix",
    "wrong_shape": "a different shape from the one expected",
    "sign_flipped": "the expected values with every sign flipped",
    "scaled": "the expected values all multiplied by one constant",
    "rows_swapped": "the expected values with two rows swapped",
    "columns_swapped": "the expected values with two columns swapped",
    "reordered": "the expected numbers in a different order",
}


@dataclass(frozen=True, eq=False)
class Comparison:
    """The result of checking one answer against one true value."""

    ok: bool  # every element within tolerance and the shape right
    shape_ok: bool
    element_ok: np.ndarray | None  # bool, truth's shape; None when the shapes differ
    wrong_elements: list[tuple[int, ...]]  # 0-based indices of the elements that are off
    credit: float  # fraction of elements within tolerance (0 when the shape is wrong)
    close: bool  # not ok, but every element within CLOSE_FACTOR tolerances
    structure: str | None = None  # a key of STRUCTURES, when the wrong answer has a structural explanation
    structure_message: str | None = None
    scale: float | None = None  # the constant, for structure == "scaled"
    digits_warning: str | None = None
    max_rel_error: float = 0.0  # largest |error| / max(|truth|, abs floor), over elements
    rounded_to: int | None = None  # every element that is off is the truth rounded to this few digits (or fewer)


def round_sig(x, d: int) -> np.ndarray:
    """Round each element of x to d significant digits (d >= 1)."""
    x = np.asarray(x, dtype=np.float64)
    out = np.zeros_like(x)
    nz = x != 0
    mag = np.floor(np.log10(np.abs(x[nz])))  # decimal exponent of each nonzero element
    factor = 10.0 ** (d - 1 - mag)
    out[nz] = np.round(x[nz] * factor) / factor
    return out


def format_index(idx: tuple[int, ...], ndim: int) -> str:
    """'element 2' or 'row 1, column 3', counting from 1."""
    if ndim <= 1:
        return f"element {idx[0] + 1}" if idx else "the number"
    return f"row {idx[0] + 1}, column {idx[1] + 1}"


def _all_within(value, truth, tol: Tolerance) -> bool:
    return bool(np.all(tol.within(value, truth)))


def _structure(value: np.ndarray, truth: np.ndarray, tol: Tolerance):
    """(structure id, message, scale) explaining a wrong answer of the right shape, or (None, None, None)."""
    significant = np.abs(truth) > tol.width(truth)  # elements big enough for a flip or a swap to show
    if truth.ndim == 2 and truth.shape[0] == truth.shape[1] and _all_within(value.T, truth, tol):
        return "transposed", "It is the transpose of the expected matrix: check which index is the row.", None
    if significant.any() and _all_within(-value, truth, tol):
        return "sign_flipped", "Every sign is flipped: check the order of a subtraction or a missing minus.", None
    if truth.ndim >= 1 and truth.shape[0] >= 2:
        for i in range(truth.shape[0]):
            for j in range(i + 1, truth.shape[0]):
                swapped = value.copy()
                swapped[[i, j]] = swapped[[j, i]]
                if _all_within(swapped, truth, tol):
                    what = "elements" if truth.ndim == 1 else "rows"
                    return ("rows_swapped", f"{what.capitalize()} {i + 1} and {j + 1} look swapped: "
                            "check the order (of the vocabulary, or of the hidden units).", None)
    if truth.ndim == 2 and truth.shape[1] >= 2:
        for i in range(truth.shape[1]):
            for j in range(i + 1, truth.shape[1]):
                swapped = value.copy()
                swapped[:, [i, j]] = swapped[:, [j, i]]
                if _all_within(swapped, truth, tol):
                    return ("columns_swapped", f"Columns {i + 1} and {j + 1} look swapped: check the order "
                            "of the vocabulary, or which vector goes on the right of the outer product.", None)
    if truth.ndim == 1 and truth.size >= 3 and _all_within(np.sort(value), np.sort(truth), tol):
        return ("reordered", "These are the right numbers in a different order: check the order of the "
                "elements (in this course, vectors over characters follow the vocabulary, in order of first "
                "appearance).", None)
    tt = float(np.sum(truth * truth))
    if truth.size >= 2 and np.count_nonzero(significant) >= 2 and tt > 0:
        c = float(np.sum(value * truth)) / tt  # least-squares constant
        if (c != 0 and abs(c - 1) > 0.02 and abs(c + 1) > 0.02 and _all_within(value, c * truth, tol)):
            return ("scaled", f"Every number is about {c:.3g} times the expected one: look for a constant "
                    "factor that should not be there, or one that is missing.", c)
    return None, None, None


def _digits_warning(truth: np.ndarray, digits, tol: Tolerance) -> str | None:
    """A warning when the learner typed so few significant digits that even correct rounding fails."""
    if digits is None:
        return None
    d = np.broadcast_to(np.asarray(digits), truth.shape)
    few = d < EXACT_DIGITS
    if not few.any():
        return None
    for k in sorted(set(int(v) for v in d[few])):
        mask = few & (d == k)
        rounded = round_sig(truth[mask], k)
        if not np.all(tol.within(rounded, truth[mask])):
            need = tol.digits_needed()
            unit = "digit" if k == 1 else "digits"
            return (f"Some numbers were typed with only {k} significant {unit}: rounding that much can move a "
                    f"value outside the tolerance ({tol.describe()}). Type at least {need} significant digits.")
    return None


def _to_digits(x: np.ndarray, k: np.ndarray) -> list[np.ndarray]:
    """x rounded to k significant digits (element by element) the ways people do it: half up, half down, cut off."""
    mag = np.floor(np.log10(np.abs(x)))  # x has no zeros here
    factor = 10.0 ** (k - 1 - mag)
    scaled = np.abs(x) * factor
    return [np.sign(x) * np.floor(scaled + 0.5) / factor, np.sign(x) * np.ceil(scaled - 0.5) / factor,
            np.sign(x) * np.floor(scaled) / factor]


def _rounded_to(value: np.ndarray, truth: np.ndarray, digits, tol: Tolerance, element_ok: np.ndarray) -> int | None:
    """The fewest significant digits typed, when every element that is off is the true value rounded (or cut off)
    to the digits typed for it, fewer than the tolerance needs: the working is right, the rounding is not."""
    if digits is None:
        return None
    d = np.broadcast_to(np.asarray(digits), truth.shape)
    off = ~element_ok
    if not off.any() or np.any(d[off] >= tol.digits_needed()) or np.any(truth[off] == 0):
        return None  # enough digits (or typed exactly), or a true 0 that no rounding turns into another number
    v, t, k = value[off], truth[off], d[off].astype(np.float64)
    ways = _to_digits(t, k)
    match = np.zeros(v.shape, dtype=bool)
    for r in ways:
        match |= np.abs(v - r) <= 1e-9 * np.abs(r)
    return int(k.min()) if match.all() else None


TOO_FEW_DIGITS = "Too few digits"  # how a rounded-too-much answer's message starts (the UI keys on it)


def too_few_digits_message(k: int, tol: Tolerance, some: bool = False) -> str:
    """The primary message for an answer that is the true value rounded to k significant digits, too few."""
    need = tol.digits_needed()
    unit = "digit" if k == 1 else "digits"
    which, it = (("The numbers that are off are the true values", "them") if some
                 else ("Your answer is the true value", "it"))
    return (f"{TOO_FEW_DIGITS}: give at least {need} significant digits. {which} rounded to {k} significant {unit}, "
            f"and rounding that much moves {it} outside the tolerance ({tol.describe()}). Your working looks right: "
            f"type the same numbers with {need} or more significant digits.")


def compare(value, truth, tol: Tolerance = DEFAULT_TOLERANCE, digits=None, diagnose: bool = True) -> Comparison:
    """Check `value` against `truth` element by element; diagnose the structure of a wrong answer.

    value, truth: arrays of shape (), (n,) or (r, c). digits: the significant digits the learner typed,
    one int or one per element of `value` (EXACT_DIGITS for exact numbers); None skips the digits check.
    diagnose=False skips the structural story and the digits warning (when only right/wrong is needed).
    """
    value = np.asarray(value, dtype=np.float64)
    truth = np.asarray(truth, dtype=np.float64)
    if value.shape != truth.shape:
        if (value.ndim == 2 and value.shape == truth.shape[::-1] and truth.ndim == 2
                and _all_within(value.T, truth, tol)):
            return Comparison(False, False, None, [], 0.0, False, "transposed",
                              f"It is the transpose of the expected matrix: you gave {shape_words(value.shape)}, "
                              f"the answer is {shape_words(truth.shape)}. Check which index is the row.")
        return Comparison(False, False, None, [], 0.0, False, "wrong_shape",
                          f"The answer should be {shape_words(truth.shape)}; you gave {shape_words(value.shape)}.")
    err = np.abs(value - truth)
    width = tol.width(truth)
    element_ok = err <= width  # (truth shape) bool
    ok = bool(np.all(element_ok))
    wrong = [tuple(int(i) for i in idx) for idx in np.argwhere(~element_ok)] if not ok else []
    if truth.ndim == 0:
        wrong = [()] if not ok else []
    credit = float(np.mean(element_ok)) if truth.size else 1.0
    max_rel = float(np.max(err / np.maximum(np.abs(truth), tol.abs))) if truth.size else 0.0
    if ok:
        return Comparison(True, True, element_ok, [], 1.0, False, max_rel_error=max_rel)
    close = bool(np.all(err <= CLOSE_FACTOR * width))
    if not diagnose:
        return Comparison(False, True, element_ok, wrong, credit, close, max_rel_error=max_rel)
    rounded = _rounded_to(value, truth, digits, tol, element_ok)
    structure, message, scale = (None, None, None) if close or rounded is not None else _structure(value, truth, tol)
    return Comparison(False, True, element_ok, wrong, credit, close, structure, message, scale,
                      _digits_warning(truth, digits, tol), max_rel, rounded)


def describe_wrong(cmp: Comparison, ndim: int) -> str:
    """'Elements 2, 4 are off; the other 2 are right.' for a vector or matrix answer (counting from 1)."""
    if not cmp.shape_ok or ndim == 0 or cmp.element_ok is None:
        return ""
    n_wrong, n = len(cmp.wrong_elements), cmp.element_ok.size
    if n_wrong == n:  # after a structural diagnosis ("in a different order", ...) this would only contradict it
        return "" if cmp.structure else "All of the numbers are off."
    rest = n - n_wrong
    tail = f"; the other {rest} {'is' if rest == 1 else 'are'} right."
    shown = cmp.wrong_elements[:6]
    more = f" and {n_wrong - 6} more" if n_wrong > 6 else ""
    if ndim == 1:
        if n_wrong == 1:
            return f"Element {shown[0][0] + 1} is off" + tail
        return "Elements " + ", ".join(str(i[0] + 1) for i in shown) + more + " are off" + tail
    if n_wrong == 1:
        return f"The entry in row {shown[0][0] + 1}, column {shown[0][1] + 1} is off" + tail
    where = ", ".join(f"({i + 1}, {j + 1})" for i, j in shown)
    return f"The entries at (row, column) {where}{more} are off" + tail
