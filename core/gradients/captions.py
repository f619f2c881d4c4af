"""The decay curves in words and numbers a learner reads: the page's caption, short numbers, capped values.

Everything here reads the computed curves (core.gradients.decay.CellCurves); nothing is recomputed.
"""
from __future__ import annotations

import math

import numpy as np

from core.gradients.decay import IN_TEXT, CellCurves, DecayConfig
from core.gradients.forward import STATE_CAP

CAP_LOG10 = 300.0  # values beyond 1e300 (or below 1e-300) are capped for display and flagged


def display(log10: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(value, capped): 10**log10 clipped to [1e-300, 1e300], and whether it was (exact zeros included)."""
    log10 = np.asarray(log10, dtype=np.float64)
    capped = (log10 > CAP_LOG10) | (log10 < -CAP_LOG10)
    return 10.0 ** np.clip(log10, -CAP_LOG10, CAP_LOG10), capped


def sci(log10: float) -> str:
    """A number given by its log10, short: 0.25, 340, 1.3e-7, 2e+45, 10^512.3 beyond float range, or 0."""
    if log10 == -math.inf:
        return "0"
    if abs(log10) > CAP_LOG10:
        return f"10^{log10:.1f}"
    x = 10.0 ** log10
    if -3 <= log10 < 4:
        return f"{x:.2g}" if x < 100 else f"{x:.0f}"
    return f"{x:.2g}".replace("e-0", "e-").replace("e+0", "e+")


def _why_below_bound(activation: str, gap_log10: float) -> str:
    """Why the computed product sits under the bound, in words (nothing when it is close to it)."""
    if gap_log10 <= 2:
        return "."
    if activation in ("tanh", "sigmoid"):
        return ": the activation's derivatives pull the product well under it."
    relu = " and ReLU switches some units off" if activation == "relu" else ""
    return (": powers of W_hh grow like its spectral radius ρ^n, which is below σ_max^n when W_hh is not "
            f"symmetric{relu}.")


def _ratio(c: CellCurves, D: int) -> float | None:
    """log10 of ||dE_T/ds_(T-D)|| / ||dE_T/ds_T||, or None when the loss sends back nothing at all."""
    last = float(c.grad_log10[0])
    return None if last == -math.inf else float(c.grad_log10[min(D, c.T_run - 1)]) - last


def _how(r: float) -> str:
    if r < -6:
        return "vanishing: below 1e-6"
    if r > 6:
        return "exploding: above 1e6"
    return "neither vanishing nor exploding yet"


def _share(r: float) -> str:
    return f"{sci(r)} of" if r <= 0 else f"{sci(r)} times"


def _vanilla_sentences(v: CellCurves, cfg: DecayConfig, D: int, back: str) -> list[str]:
    """The vanilla RNN's gradient over D steps, and the bound (gamma sigma_max)^D beside the actual product."""
    out = []
    r = _ratio(v, D)
    if r is not None:
        out.append(f"With σ_max(W_hh) = {v.sigma_max:.2f} and {cfg.activation}, the vanilla RNN's gradient from "
                   f"{back} is {_share(r)} the last step's ({_how(r)}).")
    if v.bound_log10 is not None:
        b = float(v.bound_log10[D])
        gap = b - float(v.jac_log10[D])
        out.append(f"The bound (γ·σ_max)^{D} = ({v.gamma:g}·{v.sigma_max:.2f})^{D} = {sci(b)} "
                   + ("equals" if gap < 1e-6 else "sits above")
                   + f" the actual ‖∂h_T/∂h_(T−{D})‖ = {sci(float(v.jac_log10[D]))}"
                   + _why_below_bound(cfg.activation, gap))
    return out


def _gated_sentence(curves: dict[str, CellCurves], D: int, back: str, after_vanilla: bool) -> list[str]:
    """The LSTM's and the GRU's gradient over the same distance."""
    others = [(IN_TEXT[m], _ratio(curves[m], D)) for m in ("lstm", "gru") if m in curves]
    others = [(name, r) for name, r in others if r is not None]
    if not others:
        return []
    if after_vanilla:
        parts = [f"the {name} {'keeps' if r <= 0 else 'multiplies it by'} {sci(r)}" for name, r in others]
        return ["Over the same distance " + " and ".join(parts) + "."]
    parts = [f"the {name}'s gradient is {_share(r)} the last step's" for name, r in others]
    return [f"From {back}, " + " and ".join(parts) + "."]


def describe(curves: dict[str, CellCurves], cfg: DecayConfig) -> list[str]:
    """Sentences that read the current picture in words (the page's caption), from the computed curves."""
    v = curves.get("vanilla")
    first = v or next(iter(curves.values()))
    D = min(50, first.T_run - 1)
    if D < 1:
        return ["With a single step there is no distance to travel: set T to 2 or more."]
    back = f"{D} step{'s' if D != 1 else ''} back"
    out = _vanilla_sentences(v, cfg, D, back) if v is not None else []
    out += _gated_sentence(curves, D, back, after_vanilla=v is not None and _ratio(v, D) is not None)
    silent = [IN_TEXT[m] for m, c in curves.items() if _ratio(c, D) is None]
    if silent:
        out.append(f"For the {' and the '.join(silent)} the loss sends back nothing: its softmax is saturated and "
                   "predicts the target with probability 1, so ∂E_T/∂h_T = 0 exactly.")
    clipped = [(IN_TEXT[m], c) for m, c in curves.items() if c.clip_log10 < 0]
    if clipped:
        name, c = max(clipped, key=lambda x: x[1].param_grad_log10)
        out.append(f"Norm clipping at {cfg.clip:g}: the {name}'s whole gradient has norm {sci(c.param_grad_log10)}, "
                   f"so every gradient is multiplied by {sci(c.clip_log10)}. The update stays finite, but near and "
                   "far steps keep the same proportions: clipping fixes the size, not the balance.")
    for m, c in curves.items():
        if c.overflow_step is not None:
            out.append(f"The {IN_TEXT[m]}'s hidden state passed {STATE_CAP:.0e} at step {c.overflow_step}, so its "
                       f"curves stop at T = {c.T_run}: the forward pass itself exploded.")
    return out
