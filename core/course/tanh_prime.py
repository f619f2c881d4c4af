"""The tanh'(z) exercise of the activations screen, and the lecture's slip it is about.

The lecture says the derivative of tanh is "1 - x squared". That is right when x is the *output*
h = tanh(z): d tanh(z)/dz = 1 - tanh(z)^2 = 1 - h^2, which is why BPTT code writes (1 - h*h). Read with
x as the input z it is wrong: 1 - z^2 even turns negative for |z| > 1, while tanh only ever increases.

The exercise is checked by the course's exercise engine (core.course.answers reads, core.course.checking compares).
"""
from __future__ import annotations

import math

import numpy as np

from core.course.answers import parse_answer
from core.course.checking import DEFAULT_TOLERANCE, compare, too_few_digits_message
from core.course.verdict import Mistake, Verdict
from core.rnn.activations import sigmoid

EXERCISE_ID = "activations_tanh_prime"  # the exercise id its answers are saved under
NOTHING_TYPED = "Nothing was typed: type your value of tanh′(z), then press Check."


def tanh_prime(z: float) -> float:
    """d tanh(z)/dz = 1 - tanh(z)^2: the correct derivative, in terms of the output."""
    return 1.0 - math.tanh(z) ** 2


def lecture_literal(z: float) -> float:
    """The lecture's '1 - x^2' with x read as the input z: wrong unless z is tiny (then tanh z ~ z)."""
    return 1.0 - z * z


# ------------------------------------------------------------------------------------------- exercise


def exercise_z(seed: int) -> float:
    """The z of exercise variant `seed`: 2 decimals, 0.5 <= |z| <= 2.5, where 1 - z^2 and 1 - tanh^2 z differ."""
    rng = np.random.default_rng((seed, 11))
    return round(float(rng.choice([-1, 1]) * rng.uniform(0.5, 2.5)), 2)


def _slip(mid: str, name: str, explanation: str, compute) -> tuple[Mistake, object]:
    return Mistake(mid, name, explanation, "tanh"), compute


# Wrong answers that come from a recognisable slip: the mistake to name, and its value as a function of z.
SLIPS = [
    _slip("input_squared", "1 − z² instead of 1 − tanh²(z)",
          "That is 1 − z²: the lecture's '1 − x²' with x taken as the input. In that formula x is the output "
          "tanh(z); square tanh(z), not z.", lecture_literal),
    _slip("tanh_itself", "tanh instead of its derivative",
          "That is tanh(z) itself, not its derivative. Use tanh′(z) = 1 − tanh²(z).", math.tanh),
    _slip("tanh_not_squared", "tanh not squared", "That is 1 − tanh(z): square tanh(z) before subtracting it "
          "from 1.", lambda z: 1.0 - math.tanh(z)),
    _slip("tanh_squared", "tanh² without the 1 −", "That is tanh²(z): the derivative is 1 minus that.",
          lambda z: math.tanh(z) ** 2),
    _slip("tanh_of_z_squared", "tanh of z²", "That is 1 − tanh(z²): square tanh(z), not z.",
          lambda z: 1.0 - math.tanh(z * z)),
    _slip("second_derivative", "Second derivative", "That is the second derivative, −2 tanh(z)(1 − tanh²(z)).",
          lambda z: -2 * math.tanh(z) * tanh_prime(z)),
    _slip("sigmoid_derivative", "The sigmoid's derivative",
          "That is the sigmoid's derivative σ(z)(1 − σ(z)); the question is about tanh.",
          lambda z: float(sigmoid(z) * (1 - sigmoid(z)))),
    _slip("degrees", "Calculator in degrees", "Your calculator seems to be in degrees: use radians.",
          lambda z: 1.0 - math.tanh(math.radians(z)) ** 2),
]


def check_tanh_prime(text: str, z: float) -> Verdict:
    """Read `text` with the engine's reader, compare it with 1 - tanh(z)^2, and name a recognisable slip."""
    truth = tanh_prime(z)
    parsed = parse_answer(text, ())
    if not parsed.ok:
        if parsed.blank:
            return Verdict("blank", 0.0, NOTHING_TYPED, text)
        return Verdict("invalid", 0.0, parsed.message or "This answer could not be read.", text)
    value = float(parsed.value)
    cmp = compare(value, truth, DEFAULT_TOLERANCE, digits=parsed.digits)
    answer = dict(answer_text=text.strip(), read_as=parsed.read_as, value=parsed.value)
    if cmp.ok:
        h = math.tanh(z)
        shown = f"({h:.4f})" if h < 0 else f"{h:.4f}"
        return Verdict("correct", 1.0, f"Right: 1 − tanh²({z:g}) = 1 − {shown}² = {truth:.4f}.", **answer)
    for mistake, slip in SLIPS:
        other = slip(z)
        if abs(other - truth) > DEFAULT_TOLERANCE.width(truth) and compare(value, other, diagnose=False).ok:
            return Verdict("mistake", 0.0, mistake.explanation, mistake=mistake, **answer)
    if cmp.rounded_to is not None:  # 1 − tanh²(z) rounded to too few digits: the method is fine
        return Verdict("close", 0.0, too_few_digits_message(cmp.rounded_to, DEFAULT_TOLERANCE),
                       digits_warning=cmp.digits_warning, **answer)
    if cmp.close:
        extra = f" {cmp.digits_warning}" if cmp.digits_warning else " Keep four significant digits of tanh(z)."
        return Verdict("close", 0.0, "Close, but outside the tolerance (" + DEFAULT_TOLERANCE.describe() + ")."
                       + extra, digits_warning=cmp.digits_warning, **answer)
    if cmp.structure_message:
        return Verdict("wrong", 0.0, cmp.structure_message, structure=cmp.structure, **answer)
    hint = " A derivative of an increasing function cannot be negative." if value < 0 else ""
    if value > 1:
        hint = " tanh′ is at most 1 (at z = 0)."
    return Verdict("wrong", 0.0, "Not this one. Compute h = tanh(z) first, then 1 − h²." + hint, **answer)
