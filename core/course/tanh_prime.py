"""The maths of the activations screen: curves, the lecture's tanh' slip, derivative bounds, a tanh'(z) exercise.

The lecture says the derivative of tanh is "1 - x squared". That is right when x is the *output*
h = tanh(z): d tanh(z)/dz = 1 - tanh(z)^2 = 1 - h^2, which is why BPTT code writes (1 - h*h). Read with
x as the input z it is wrong: 1 - z^2 even turns negative for |z| > 1, while tanh only ever increases.

Bounds: |tanh'| <= 1 and |sigmoid'| <= 1/4 (both at z = 0), so a product of n Jacobians
diag(f'(z_j)) W_hh has norm at most (gamma sigma_max(W_hh))^n: with sigmoid, 4^-n before W_hh even counts.
The exercise is checked by the course's exercise engine (core.course.answers reads, core.course.checking compares).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.course.answers import parse_answer
from core.course.checking import DEFAULT_TOLERANCE, compare
from core.rnn.activations import ACTIVATIONS, sigmoid

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


def tanh_prime(z: float) -> float:
    """d tanh(z)/dz = 1 - tanh(z)^2: the correct derivative, in terms of the output."""
    return 1.0 - math.tanh(z) ** 2


def lecture_literal(z: float) -> float:
    """The lecture's '1 - x^2' with x read as the input z: wrong unless z is tiny (then tanh z ~ z)."""
    return 1.0 - z * z


def product_bound_log10(gamma: float, sigma: float, n: np.ndarray) -> np.ndarray:
    """log10 of (gamma * sigma)^n: the most a product of n step Jacobians can stretch a vector."""
    return np.asarray(n, dtype=np.float64) * math.log10(gamma * sigma)


def steps_to_vanish(gamma: float, sigma: float, threshold: float = 1e-6) -> int | None:
    """Fewest steps after which the bound is below `threshold` (None if the bound never falls)."""
    g = gamma * sigma
    if g >= 1:
        return None
    return math.ceil(math.log(threshold) / math.log(g))


# ------------------------------------------------------------------------------------------- exercise


def exercise_z(seed: int) -> float:
    """The z of exercise variant `seed`: 2 decimals, 0.5 <= |z| <= 2.5, where 1 - z^2 and 1 - tanh^2 z differ."""
    rng = np.random.default_rng((seed, 11))
    return round(float(rng.choice([-1, 1]) * rng.uniform(0.5, 2.5)), 2)


# Wrong answers that come from a recognisable slip, with what to say (z is the given input).
SLIPS = [  # (short id saved with the attempt, the slip as a function of z, what to tell the learner)
    ("input_squared", lecture_literal,
     "That is 1 − z²: the lecture's '1 − x²' with x taken as the input. In that formula x is the output tanh(z); "
     "square tanh(z), not z."),
    ("tanh_itself", lambda z: math.tanh(z), "That is tanh(z) itself, not its derivative. Use tanh′(z) = 1 − tanh²(z)."),
    ("tanh_not_squared", lambda z: 1.0 - math.tanh(z), "That is 1 − tanh(z): square tanh(z) before subtracting it "
                                                       "from 1."),
    ("tanh_squared", lambda z: math.tanh(z) ** 2, "That is tanh²(z): the derivative is 1 minus that."),
    ("tanh_of_z_squared", lambda z: 1.0 - math.tanh(z * z), "That is 1 − tanh(z²): square tanh(z), not z."),
    ("second_derivative", lambda z: -2 * math.tanh(z) * tanh_prime(z),
     "That is the second derivative, −2 tanh(z)(1 − tanh²(z))."),
    ("sigmoid_derivative", lambda z: float(sigmoid(z) * (1 - sigmoid(z))),
     "That is the sigmoid's derivative σ(z)(1 − σ(z)); the question is about tanh."),
    ("degrees", lambda z: 1.0 - math.tanh(math.radians(z)) ** 2, "Your calculator seems to be in degrees: use "
                                                                  "radians."),
]


@dataclass(frozen=True)
class Check:
    """The verdict on one typed answer."""

    status: str  # "correct", "close", "mistake", "wrong" or "invalid"
    message: str
    read_as: str
    credit: float
    truth: float
    slip: str | None = None  # the id of the recognised slip, for status "mistake"


def check_tanh_prime(text: str, z: float) -> Check:
    """Read `text` with the engine's reader, compare it with 1 - tanh(z)^2, and name a recognisable slip."""
    truth = tanh_prime(z)
    parsed = parse_answer(text, ())
    if not parsed.ok:
        return Check("invalid", parsed.message or "This answer could not be read.", parsed.read_as, 0.0, truth)
    value = float(parsed.value)
    cmp = compare(value, truth, DEFAULT_TOLERANCE, digits=parsed.digits)
    if cmp.ok:
        h = math.tanh(z)
        shown = f"({h:.4f})" if h < 0 else f"{h:.4f}"
        return Check("correct", f"Right: 1 − tanh²({z:g}) = 1 − {shown}² = {truth:.4f}.",
                     parsed.read_as, 1.0, truth)
    for slip_id, slip, message in SLIPS:
        other = slip(z)
        if abs(other - truth) > DEFAULT_TOLERANCE.width(truth) and compare(value, other, diagnose=False).ok:
            return Check("mistake", message, parsed.read_as, 0.0, truth, slip_id)
    if cmp.close:
        extra = f" {cmp.digits_warning}" if cmp.digits_warning else " Keep four significant digits of tanh(z)."
        return Check("close", "Close, but outside the tolerance (" + DEFAULT_TOLERANCE.describe() + ")." + extra,
                     parsed.read_as, 0.0, truth)
    if cmp.structure_message:
        return Check("wrong", cmp.structure_message, parsed.read_as, 0.0, truth)
    hint = " A derivative of an increasing function cannot be negative." if value < 0 else ""
    if value > 1:
        hint = " tanh′ is at most 1 (at z = 0)."
    return Check("wrong", "Not this one. Compute h = tanh(z) first, then 1 − h²." + hint, parsed.read_as, 0.0, truth)
