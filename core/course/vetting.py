"""Vetting variants: a seed is vetted when every named mistake can be told from the truth and from every other.

A mistake's value must differ from the true value and from every other mistake's value by VET_MARGIN
tolerances, at every step where that mistake is meaningful, so a diagnosis is never ambiguous.
"""
from __future__ import annotations

import numpy as np

from core.course.checking import Tolerance
from core.course.definitions import Definition
from core.course.instance import Instance, make_instance, safe_compute

VET_MARGIN = 2.0  # a mistake must differ from the truth and every other mistake by this many tolerances



def _distinct(a, b, tol: Tolerance) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return a != b
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return True
    width = np.maximum(tol.abs, tol.rel * np.maximum(np.abs(a), np.abs(b)))
    return bool(np.any(np.abs(a - b) > VET_MARGIN * width))


def vetting_problems(instance: Instance) -> list[str]:
    """Every place where a mistake's value coincides with the truth or with another mistake's value."""
    out = []
    for q in instance.quantities:
        seen: list[tuple[str, object]] = [("the true value", q.truth)]
        for m in q.mutations:
            v = safe_compute(m.compute, instance.ctx, instance.values, q.t)
            if v is None:
                continue  # no valid value (a shape that does not fit): nothing a learner could type
            for name, other in seen:
                if not _distinct(v, other, q.tolerance):
                    out.append(f"at {q.id}, mistake '{m.mistake.id}' gives {name}")
            seen.append((f"mistake '{m.mistake.id}'", v))
    return out


def is_vetted(definition: Definition, seed: int, hidden: int | None = None, text: str | None = None,
              hand_friendly: bool = True) -> bool:
    """True when every mistake is distinguishable at every step where it is meaningful."""
    return not vetting_problems(make_instance(definition, seed, hidden, text, hand_friendly))


def vetted_seed(definition: Definition, start_seed: int, hidden: int | None = None, text: str | None = None,
                hand_friendly: bool = True, max_tries: int = 5000) -> int:
    """The first vetted seed >= start_seed; ValueError if none within max_tries."""
    for seed in range(int(start_seed), int(start_seed) + max_tries):
        if is_vetted(definition, seed, hidden, text, hand_friendly):
            return seed
    raise ValueError(f"no vetted seed in {start_seed}..{start_seed + max_tries - 1} for {definition.id} "
                     f"(hidden={hidden}, text={text!r}): try other settings")
