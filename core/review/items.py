"""A review question: one skill asked again on a network the learner has not seen.

Retrieval, not recognition: every review of a skill is a fresh variant (another vetted seed, and a hidden
size the exercise offers for practice), one value at a time, graded by the same engine with the same
diagnoses, hints and worked solutions. The item is a pure function of (learner, skill, how many times it
was reviewed, the seeds already seen), so a reload shows the same question and the next review a new one.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from core.course.definitions import Definition
from core.course.instance import Instance, make_instance
from core.course.tanh_prime import EXERCISE_ID as TANH_PRIME
from core.course.vetting import vetting_problems
from core.review.skills import Skill, template_of

MAX_SEED = 2**31 - 1
_TRIES = 200


@dataclass(frozen=True)
class ReviewItem:
    """Which value to ask: `qid` of exercise `exercise_id` on variant (seed, hidden); hidden None for tanh′."""

    skill_id: str
    exercise_id: str
    qid: str
    seed: int
    hidden: int | None


def _stable(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _nontrivial(q) -> bool:
    """Worth asking: not a value that is zero by construction (W_hh·h_0 at step 1)."""
    if isinstance(q.truth, str):
        return True
    return bool(np.any(np.abs(np.asarray(q.truth, dtype=float)) > 1e-12))


def fresh_variant(definition: Definition, hidden: int, start: int, seen: set[tuple[str, int]],
                  build: Callable[[str, int, int], Instance], accept: Callable[[Instance], bool] | None = None,
                  ) -> Instance:
    """The first vetted network from seed `start` on, at `hidden`, that is not the textbook's, not one the
    learner has answered on (`seen`), and that `accept` takes; ValueError when none is near."""
    for seed in range(start, start + _TRIES):
        if (definition.id, seed) in seen or seed == definition.textbook_seed:
            continue
        inst = build(definition.id, seed, hidden)
        if not vetting_problems(inst) and (accept is None or accept(inst)):
            return inst
    raise ValueError(f"no clear network of {definition.id!r} from seed {start} (hidden size {hidden})")


def start_seed(*parts) -> int:
    """A start seed drawn from `parts` (learner, skill or exercise, a counter): stable across processes."""
    return int(np.random.default_rng([_stable(str(p)) for p in parts]).integers(0, 1_000_000))


def review_item(skill: Skill, definitions: dict[str, Definition], learner_key: str, n: int,
                seen: Iterable[tuple[str, int]] = (),
                instance: Callable[[str, int, int], Instance] | None = None) -> ReviewItem:
    """The n-th review of `skill` for this learner, on a vetted variant whose seed is not in `seen`
    ((exercise id, seed) pairs the learner has answered on). `instance(exercise_id, seed, hidden)` builds
    instances (default: make_instance; a screen passes its cached builder)."""
    seen = set(seen)
    rng = np.random.default_rng([_stable(learner_key), _stable(skill.id), int(n)])
    exercise, template = skill.values[int(rng.integers(len(skill.values)))]
    start = int(rng.integers(0, 1_000_000))
    if exercise == TANH_PRIME:
        seed = next(s for s in range(start, start + len(seen) + 2) if (exercise, s) not in seen)
        return ReviewItem(skill.id, exercise, "tanh_prime", seed, None)
    definition = definitions[exercise]
    hidden = int(rng.choice(definition.practice_hidden))  # the sizes its practice networks use
    build = instance or (lambda eid, s, h: make_instance(definitions[eid], s, hidden=h))

    def options(inst: Instance) -> list:
        return [q for q in inst.quantities if template_of(q.id, q.step_var) == template and _nontrivial(q)]
    inst = fresh_variant(definition, hidden, start, seen, build, accept=lambda i: bool(options(i)))
    choices = options(inst)
    q = choices[int(rng.integers(len(choices)))]
    return ReviewItem(skill.id, exercise, q.id, inst.seed, hidden)
