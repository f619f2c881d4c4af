"""Faded worked examples: the first network fully worked, then ever more of each step left to the learner.

A fade has stages 0..N, N the size of the exercise's largest group (a step of the forward pass has eight
values). At stage k the last k values of every group are blank and the learner computes them; the others
are shown worked out (equation and numbers substituted). Stage 0 is a complete worked example, stage N the
whole exercise. Every stage is a fresh network.

How the fade moves when the learner finishes a network (`next_stage`), from the blanks' verdicts:
- every blank right at the first try, without hints or a revealed solution: two stages on (faster);
- every blank right or following from the learner's own values (ecf), with hints or after a try that was
  off: one stage on;
- a diagnosed mistake on the way, or a solution revealed: the same stage again, on a new network (slower);
- at stage 0 (nothing to fill) the learner moves on by reading it.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class BlankResult:
    """How the learner did on one blank of a network."""

    status: str  # the verdict's status of the last check ("correct", "ecf", "mistake", ...)
    attempts: int  # checks that counted
    hints: int
    revealed: bool
    mistakes: int = 0  # diagnosed mistakes made on it along the way


def stages(groups: Sequence[Sequence[str]]) -> int:
    """The last stage (everything blank) of an exercise whose groups hold these quantity ids."""
    return max((len(g) for g in groups), default=0)


def blanks(groups: Sequence[Sequence[str]], stage: int) -> list[str]:
    """The quantity ids the learner fills at `stage`: the last `stage` of every group, in exercise order."""
    stage = max(0, int(stage))
    out = []
    for g in groups:
        out += list(g[max(0, len(g) - stage):]) if stage else []
    return out


def done(results: Iterable[BlankResult]) -> bool:
    """True when every blank is settled: right, ecf, or its solution revealed."""
    return all(r.revealed or r.status in ("correct", "ecf") for r in results)


def next_stage(stage: int, last: int, results: Sequence[BlankResult]) -> int:
    """The stage after a finished network at `stage` (0..last), by the rule in the module docstring."""
    if stage <= 0:
        return min(1, last)
    if any(r.revealed or r.mistakes > 0 for r in results):
        return stage
    clean = all(r.status == "correct" and r.attempts <= 1 and r.hints == 0 for r in results)
    return min(last, stage + (2 if clean else 1))
