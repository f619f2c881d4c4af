"""The decay curves in words and numbers a learner reads: the page's caption, chart descriptions, short numbers.

Everything here reads the computed curves (core.gradients.decay.CellCurves); nothing is recomputed. Every
number a caption quotes is a value the chart draws (a line at a distance, a metric), formatted by `sci`
exactly as the chart's tooltip shows it, so a learner can find it on the chart; tests check this.
"""
from __future__ import annotations

import math

import numpy as np

from core.gradients.decay import IN_TEXT, LABELS, CellCurves, DecayConfig
from core.gradients.forward import STATE_CAP

CAP_LOG10 = 300.0  # values beyond 1e300 (or below 1e-300) are capped for display and flagged
VANISH_LOG10, EXPLODE_LOG10 = -6.0, 6.0  # the chart's shaded bands


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


def band(log10: float) -> str:
    """Where a plotted value sits: in the vanishing band, the exploding band, or between them."""
    if log10 < VANISH_LOG10:
        return "inside the vanishing band (below 1e-6)"
    if log10 > EXPLODE_LOG10:
        return "inside the exploding band (above 1e6)"
    return "between the bands"


def _why_below_bound(activation: str, gap_log10: float) -> str:
    """Why the computed product sits under the bound, in words (nothing when it is close to it)."""
    if gap_log10 <= 2:
        return "."
    if activation in ("tanh", "sigmoid"):
        return ": the activation's derivatives pull the product well under it."
    relu = " and ReLU switches some units off" if activation == "relu" else ""
    return (": powers of W_hh grow like its spectral radius ρ^n, which is below σ_max^n when W_hh is not "
            f"symmetric{relu}.")


def _drawn(c: CellCurves, D: int) -> bool:
    """The gradient is drawn at the last step and at distance D (neither is an exact 0)."""
    return D < c.T_run and math.isfinite(c.grad_log10[0]) and math.isfinite(c.grad_log10[D])


def _fall(c: CellCurves, D: int) -> str:
    return f"from {sci(float(c.grad_log10[0]))} at the last step to {sci(float(c.grad_log10[D]))}"


def _vanilla_sentences(v: CellCurves, cfg: DecayConfig, D: int, extras) -> list[str]:
    """The vanilla RNN's gradient over D steps, and the bound (gamma sigma_max)^D beside the actual product."""
    out = []
    if _drawn(v, D):
        out.append(f"With σ_max(W_hh) = {v.sigma_max:.2f} and {cfg.activation}, the vanilla RNN's gradient "
                   f"‖∂E_T/∂h_k‖ goes {_fall(v, D)} at {D} steps back, {band(float(v.grad_log10[D]))}.")
    if v.bound_log10 is not None and "bound" in extras:
        b, actual = float(v.bound_log10[D]), float(v.jac_log10[D])
        text = f"The bound (γ·σ_max)^{D} = ({v.gamma:g}·{v.sigma_max:.2f})^{D} = {sci(b)}"
        if "spectral" in extras:
            text += (f" {'equals' if b - actual < 1e-6 else 'sits above'} the actual ‖∂h_T/∂h_(T−{D})‖₂ = "
                     f"{sci(actual)}" + _why_below_bound(cfg.activation, b - actual))
        else:
            text += "."
        out.append(text)
    return out


def _gated_sentence(curves: dict[str, CellCurves], D: int, after_vanilla: bool) -> list[str]:
    """The LSTM's and the GRU's gradient over the same distance."""
    parts = [f"the {IN_TEXT[m]}'s {_fall(curves[m], D)}" for m in ("lstm", "gru")
             if m in curves and _drawn(curves[m], D)]
    if not parts:
        return []
    lead = "Over the same distance" if after_vanilla else f"At {D} steps back"
    return [f"{lead}, " + " and ".join(parts) + "."]


def _zero_sentences(curves: dict[str, CellCurves], D: int) -> list[str]:
    """Exact zeros, which the chart leaves out: a saturated softmax, or a derivative that is 0 in float64."""
    out = []
    silent = [IN_TEXT[m] for m, c in curves.items() if c.grad_log10[0] == -math.inf]
    if silent:
        out.append(f"For the {' and the '.join(silent)} the loss sends back nothing (no line): its softmax predicts "
                   "the target with probability 1 to the last bit, so ∂E_T/∂h_T is exactly 0 in float64.")
    for m, c in curves.items():
        if c.grad_log10[0] == -math.inf:
            continue
        zero = np.flatnonzero(c.grad_log10 == -math.inf)
        if len(zero):
            out.append(f"From T − k = {int(zero[0])} on, the {IN_TEXT[m]}'s gradient is exactly 0 in float64 (not "
                       "drawn): a derivative on the way back is 0 (ReLU off, or tanh or σ saturated to 1 exactly).")
    return out


def _first_zero_sentences(curves: dict[str, CellCurves]) -> list[str]:
    out = []
    for m, c in curves.items():
        zero = ~np.isfinite(c.first_log10)
        if not zero.any():
            continue
        Ls = ", ".join(str(int(L)) for L in c.first_lengths[zero])
        why = ("its softmax at step L predicts the target with probability 1 to the last bit"
               if c.first_saturated is not None and c.first_saturated[zero].all()
               else "a derivative on the way back is 0 in float64")
        out.append(f"The {IN_TEXT[m]}'s gradient reaching step 1 is exactly 0 at L = {Ls} (not drawn): {why}.")
    return out


def _resolution_sentences(curves: dict[str, CellCurves]) -> list[str]:
    bad = [(IN_TEXT[m], c) for m, c in curves.items() if not c.resolved]
    return [f"The {name}'s run is beyond float64: rounding errors of its early steps grow to about "
            f"{sci(c.rounding_log10)} of its last state, so its lines (faded) show what float64 computed, not digits "
            "to trust." for name, c in bad]


def describe(curves: dict[str, CellCurves], cfg: DecayConfig, extras=("spectral", "bound")) -> list[str]:
    """Sentences that read the current picture in words (the page's caption), from the computed curves.

    `extras` are the lines on the chart besides the gradients; a sentence quotes a line only when it is drawn."""
    v = curves.get("vanilla")
    first = v or next(iter(curves.values()))
    D = min(50, first.T_run - 1)
    if D < 1:
        return ["With a single step there is no distance to travel: set T to 2 or more."]
    out = _vanilla_sentences(v, cfg, D, extras) if v is not None else []
    out += _gated_sentence(curves, D, after_vanilla=v is not None and _drawn(v, D))
    out += _zero_sentences(curves, D)
    clipped = [(IN_TEXT[m], c) for m, c in curves.items() if c.clip_log10 < 0]
    if clipped:
        name, c = max(clipped, key=lambda x: x[1].param_grad_log10)
        out.append(f"Norm clipping at {cfg.clip:g}: the {name}'s whole gradient ‖∂E_T/∂θ‖ = {sci(c.param_grad_log10)} "
                   f"is rescaled to {cfg.clip:g}. The update stays finite, but every line of it moves down by the same "
                   "factor: clipping fixes the size, not the balance between near and far steps.")
    for m, c in curves.items():
        if c.overflow_step is not None:
            out.append(f"The {IN_TEXT[m]}'s hidden state passed {STATE_CAP:.0e} at step {c.overflow_step}, so its "
                       f"curves stop at T = {c.T_run}: the forward pass itself exploded.")
    return out + _resolution_sentences(curves)


def first_step_notes(curves: dict[str, CellCurves]) -> list[str]:
    """Sentences under the first-step chart: exact zeros it leaves out, and runs float64 cannot resolve."""
    return _first_zero_sentences(curves) + _resolution_sentences(curves)


EXTRA_WORDS = {"spectral": "the spectral norm ‖∂s_T/∂s_k‖₂", "bound": "the bound (γ·σ_max)^(T−k) of the vanilla RNN",
               "clipped": "the gradient after norm clipping"}


def decay_alt(curves: dict[str, CellCurves], extras=()) -> str:
    """Text alternative of the main chart: what it plots and where each cell's gradient ends up."""
    D = min(50, max(c.T_run for c in curves.values()) - 1)
    parts = [f"{LABELS[m]} {sci(float(c.grad_log10[min(D, c.T_run - 1)]))}" for m, c in curves.items()]
    also = f" Also drawn: {', '.join(EXTRA_WORDS[e] for e in extras)}." if extras else ""
    return ("Line chart, log scale: the gradient norm ‖∂E_T/∂s_k‖ of a vanilla RNN, an LSTM and a GRU against the "
            f"number of steps back from the loss, 0 to {max(c.T_run for c in curves.values()) - 1}.{also} "
            f"At {D} steps back: " + ", ".join(parts) + ". Shaded bands: vanishing below 1e-6, exploding above 1e6.")


def first_alt(curves: dict[str, CellCurves]) -> str:
    """Text alternative of the first-step chart."""
    parts = [f"{LABELS[m]} {sci(float(c.first_log10[-1]))} at L = {int(c.first_lengths[-1])}"
             for m, c in curves.items()]
    return ("Line chart, log scale: the gradient reaching the first step, ‖∂E_L/∂s_1‖, against the sequence length L "
            "for the three cells. Longest sequence: " + ", ".join(parts) + ".")
