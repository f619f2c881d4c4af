"""Gradient clipping by hand, on the truncated gradient g = dE/dW_hh the learner computed (core.rnn.train).

    element-wise (min-char-rnn):      clip(g, -a, a), entry by entry: the size is bounded, the direction turns
    by the norm (Pascanu et al. 2013): g * min(1, b / ||g||): the same direction, a bounded length

Either way every term of the sum g = sum_t (contribution of step t) is scaled alike (norm) or the sum as a
whole is cut (element-wise): clipping bounds the size of a step, it cannot give the distant steps back the
share of the gradient that vanished on the way.
"""
from __future__ import annotations

import numpy as np

from core.course.rules.base import Ctx, Env, Rule, _ro, mut, shape_scalar
from core.rnn.model import Grads
from core.rnn.train import clip_gradients

LESSON = "truncation-clipping"


def _g(c: Ctx) -> np.ndarray:
    return c.truncated.grads.W_hh  # the true truncated gradient, for `when` and the truths


def clipped(g: np.ndarray, mode: str, bound: float) -> tuple[np.ndarray, float]:
    """(g clipped, its norm before) by core.rnn.train.clip_gradients, with g as the only nonzero gradient."""
    H = g.shape[0]
    grads = Grads(np.zeros((H, 1)), np.array(g, dtype=np.float64), np.zeros((1, H)), np.zeros(H), np.zeros(1))
    out, norm = clip_gradients(grads, mode, bound)
    return out.W_hh, norm


def clipping_truths(c: Ctx) -> Env:
    """The true values of the clipping quantities: training's own clip_gradients applied to g."""
    a, b = c.clip
    g = _g(c)
    elem, norm = clipped(g, "elementwise", a)
    by_norm, _ = clipped(g, "norm", b)
    cos = float(np.sum(g * elem) / (np.linalg.norm(g) * np.linalg.norm(elem)))
    return {"clip_element_bound": _ro(a), "clip_norm_bound": _ro(b), "grad_norm": _ro(norm),
            "clip_elementwise": _ro(elem), "clip_scale": _ro(min(1.0, b / norm)), "clip_norm": _ro(by_norm),
            "clip_cosine": _ro(cos), "clip_dot": _ro(np.sum(g * elem)), "clip_elem_norm": _ro(np.linalg.norm(elem))}


def _norm(a) -> np.ndarray:
    return np.array(np.sqrt(np.sum(np.square(a))))


def _shape(c: Ctx) -> tuple:
    return (c.H, c.H)


_grad_norm = Rule(
    "grad_norm", None, "number", shape_scalar, lambda c, t: ("dW_hh_trunc",),
    lambda c, e, t: _norm(e["dW_hh_trunc"]),  # Frobenius: sqrt of the sum of squares
    (
        mut("no_sqrt", "Square root left out", LESSON,
            r"The norm is $\lVert g\rVert = \sqrt{\sum_{ij} g_{ij}^2}$: you stopped at the sum of squares.",
            lambda c, e, t: np.array(np.sum(np.square(e["dW_hh_trunc"])))),
        mut("largest_entry", "Largest entry instead of the norm", LESSON,
            r"Norm clipping looks at the length of the whole gradient, $\sqrt{\sum_{ij} g_{ij}^2}$, not at its "
            r"largest entry (that is what element-wise clipping bounds).",
            lambda c, e, t: np.array(np.max(np.abs(e["dW_hh_trunc"])))),
        mut("sum_abs", "Sum of absolute values", LESSON,
            r"$\sum_{ij} |g_{ij}|$ is another norm (L1); clipping uses the Euclidean (Frobenius) one, "
            r"$\sqrt{\sum_{ij} g_{ij}^2}$.",
            lambda c, e, t: np.array(np.sum(np.abs(e["dW_hh_trunc"])))),
    ),
    needs="clipping",
)


def _any_above(c: Ctx, s: int) -> bool:
    return bool(np.any(np.abs(_g(c)) > c.clip[0]))


def _both_sides(c: Ctx, s: int) -> bool:
    g, a = _g(c), c.clip[0]
    return bool(np.any(g < -a) and np.any(g > a))  # else clipping one side is all there is to do, or nothing


_elementwise = Rule(
    "clip_elementwise", None, "matrix", _shape, lambda c, t: ("dW_hh_trunc",),
    lambda c, e, t: np.clip(e["dW_hh_trunc"], -c.clip[0], c.clip[0]),  # each entry into [-a, a]
    (
        mut("not_clipped", "Nothing clipped", LESSON,
            r"Every entry larger than the bound in size is cut to $\pm a$; entries inside $[-a, a]$ stay.",
            lambda c, e, t: np.array(e["dW_hh_trunc"], dtype=np.float64), _any_above),
        mut("one_sided", "Only the positive side clipped", LESSON,
            r"Clipping bounds both sides: an entry below $-a$ becomes $-a$, as one above $a$ becomes $a$.",
            lambda c, e, t: np.minimum(e["dW_hh_trunc"], c.clip[0]), _both_sides),
        mut("rescaled", "Rescaled instead of clipped", LESSON,
            r"That rescales the whole matrix to norm $a$ (norm clipping); element-wise clipping cuts each "
            r"entry to $[-a, a]$ on its own.",
            lambda c, e, t: e["dW_hh_trunc"] * (c.clip[0] / _norm(e["dW_hh_trunc"]))),
    ),
    needs="clipping",
)

_scale = Rule(
    "clip_scale", None, "number", shape_scalar, lambda c, t: ("grad_norm",),
    lambda c, e, t: np.array(min(1.0, c.clip[1] / float(e["grad_norm"]))) if float(e["grad_norm"]) > 0 else None,
    (
        mut("inverted", "Norm over bound instead of bound over norm", LESSON,
            r"The factor shrinks the gradient to the bound: $b / \lVert g\rVert$ (at most 1), not "
            r"$\lVert g\rVert / b$.",
            lambda c, e, t: np.array(float(e["grad_norm"]) / c.clip[1])),
        mut("element_bound", "The element bound used for the norm", LESSON,
            r"Norm clipping has its own bound $b$ (the largest allowed length), not the element-wise bound $a$.",
            lambda c, e, t: (np.array(min(1.0, c.clip[0] / float(e["grad_norm"])))
                             if float(e["grad_norm"]) > 0 else None), lambda c, s: c.clip[0] != c.clip[1]),
    ),
    needs="clipping",
)


def _longer_than_bound(c: Ctx, s: int) -> bool:
    return float(np.linalg.norm(_g(c))) > c.clip[1]


def _any_above_norm_bound(c: Ctx, s: int) -> bool:
    return bool(np.any(np.abs(_g(c)) > c.clip[1]))


_by_norm = Rule(
    "clip_norm", None, "matrix", _shape, lambda c, t: ("dW_hh_trunc", "clip_scale"),
    lambda c, e, t: e["clip_scale"] * e["dW_hh_trunc"],  # the same direction, length min(||g||, b)
    (
        mut("not_clipped", "Nothing clipped", LESSON,
            r"The gradient is longer than the bound, so every entry is multiplied by $b/\lVert g\rVert$.",
            lambda c, e, t: np.array(e["dW_hh_trunc"], dtype=np.float64), _longer_than_bound),
        mut("unit_vector", "Divided by the norm only", LESSON,
            r"Dividing by $\lVert g\rVert$ gives length 1; multiply by the bound as well: "
            r"$g\cdot b/\lVert g\rVert$.",
            lambda c, e, t: e["dW_hh_trunc"] / _norm(e["dW_hh_trunc"])),
        mut("elementwise_instead", "Element-wise instead of by the norm", LESSON,
            r"Norm clipping scales every entry by the same factor; cutting entries to $[-b, b]$ one by one is "
            r"element-wise clipping.",
            lambda c, e, t: np.clip(e["dW_hh_trunc"], -c.clip[1], c.clip[1]), _any_above_norm_bound),
    ),
    needs="clipping",
)

_cosine = Rule(
    "clip_cosine", None, "number", shape_scalar, lambda c, t: ("dW_hh_trunc", "clip_elementwise"),
    lambda c, e, t: np.array(np.sum(e["dW_hh_trunc"] * e["clip_elementwise"])
                             / (_norm(e["dW_hh_trunc"]) * _norm(e["clip_elementwise"]))),
    (
        mut("not_normalised", "Dot product not normalised", LESSON,
            r"The cosine divides the dot product by both lengths: $\langle g, \hat g\rangle / "
            r"(\lVert g\rVert\,\lVert\hat g\rVert)$.",
            lambda c, e, t: np.array(np.sum(e["dW_hh_trunc"] * e["clip_elementwise"]))),
    ),
    needs="clipping",
)

CLIPPING_RULES: tuple[Rule, ...] = (_grad_norm, _elementwise, _scale, _by_norm, _cosine)
