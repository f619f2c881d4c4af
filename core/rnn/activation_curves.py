"""The activations as curves for the activations screen: f(z) and f'(z) of tanh, sigmoid and ReLU, labelled."""
from __future__ import annotations

import numpy as np

from core.rnn.activations import ACTIVATIONS

SHOWN = ("tanh", "sigmoid", "relu")


LABELS = {"tanh": "tanh", "sigmoid": "σ", "relu": "ReLU"}
DERIVATIVE_NAMES = {"tanh": "tanh′(z) = 1 − tanh²(z)", "sigmoid": "σ′(z) = σ(z)(1 − σ(z))", "relu": "ReLU′(z): 0 or 1"}


def curve_table(z: np.ndarray, names=SHOWN) -> dict[str, np.ndarray]:
    """Columns x, y, curve, kind ("function" or "derivative") and activation of f(z) and f'(z), for charts."""
    xs, ys, curves, kinds, acts = [], [], [], [], []
    for name in names:
        act = ACTIVATIONS[name]
        a = act.f(z)  # (n,)
        d = act.df(z, a)  # (n,) computed from the output where that is the formula (tanh: 1 - a^2)
        for values, curve, kind in ((a, f"{LABELS[name]}(z)", "function"), (d, DERIVATIVE_NAMES[name], "derivative")):
            xs.append(z)
            ys.append(values)
            curves.append(np.full(len(z), curve))
            kinds.append(np.full(len(z), kind))
            acts.append(np.full(len(z), {"relu": "ReLU"}.get(name, name)))
    return {"x": np.concatenate(xs), "y": np.concatenate(ys), "curve": np.concatenate(curves),
            "kind": np.concatenate(kinds), "activation": np.concatenate(acts)}
