"""The lecture's second notation (U, W, V, s_t) for labels written in the app's (W_xh, W_hh, W_hy, h_t)."""
from __future__ import annotations

import re

_NOT_WORD = r"(?<![A-Za-z\\])"
_RULES = [  # applied in order; each later rule only sees what earlier ones left
    (re.compile(r"W_\{xh\}"), "U"),
    (re.compile(r"W_\{hh\}"), "W"),
    (re.compile(r"W_\{hy\}"), "V"),
    (re.compile(_NOT_WORD + r"dh_\{\\mathrm\{raw\},\s*([^}]*?)\s*\}"),
     r"\\tfrac{\\partial E}{\\partial\\,\\mathrm{net}_{\1}}"),
    (re.compile(_NOT_WORD + r"dh_\{\\mathrm\{next\}\}"), r"\\delta_{\\mathrm{next}}"),
    (re.compile(_NOT_WORD + r"dh_\{\s*([^}]*?)\s*\}"), r"\\tfrac{\\partial E}{\\partial s_{\1}}"),
    (re.compile(_NOT_WORD + r"dy_\{\s*([^}]*?)\s*\}"), r"(\\hat y_{\1} - y_{\1})"),
    (re.compile(r"\\partial y_\{\s*([^}]*?)\s*\}"), r"\\partial (V s_{\1})"),
    (re.compile(_NOT_WORD + r"h_\{"), "s_{"),
]


def lecture_label(latex: str) -> str:
    """A LaTeX label in the lecture's notation: W_xh -> U, W_hh -> W, W_hy -> V, h_t -> s_t, dy_t -> ŷ_t - y_t.

    The app's y_t are the scores before the softmax; the lecture's ŷ_t is the softmax output and y_t the
    one-hot target, so dE/dy_t becomes dE/d(V s_t) and dy_t = p_t - onehot becomes ŷ_t - y_t.
    """
    out = latex
    for pattern, repl in _RULES:
        out = pattern.sub(repl, out)
    return out
