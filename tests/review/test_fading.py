"""Faded worked examples: which values are blank at each stage, and how the fade moves."""
from __future__ import annotations

from core.review.fading import BlankResult, blanks, done, next_stage, stages

GROUPS = [["a1", "b1", "c1"], ["a2", "b2", "c2"], ["total"]]


def test_stage_zero_is_a_full_worked_example_and_the_last_stage_the_whole_exercise():
    assert stages(GROUPS) == 3
    assert blanks(GROUPS, 0) == []
    assert blanks(GROUPS, 1) == ["c1", "c2", "total"]  # the last value of each step
    assert blanks(GROUPS, 2) == ["b1", "c1", "b2", "c2", "total"]
    assert blanks(GROUPS, 3) == ["a1", "b1", "c1", "a2", "b2", "c2", "total"]
    assert blanks(GROUPS, 9) == blanks(GROUPS, 3)


def right(**kw):
    return BlankResult(**{"status": "correct", "attempts": 1, "hints": 0, "revealed": False, **kw})


def test_the_fade_sequence():
    last = 8
    assert next_stage(0, last, []) == 1  # after reading the worked example
    assert next_stage(1, last, [right(), right()]) == 3  # all right at the first try: faster
    assert next_stage(3, last, [right(), right(hints=1)]) == 4  # a hint: one stage
    assert next_stage(4, last, [right(), right(attempts=2)]) == 5  # a second try: one stage
    assert next_stage(5, last, [right(), right(status="ecf")]) == 6
    assert next_stage(6, last, [right(), right(attempts=2, mistakes=1)]) == 6  # a diagnosed mistake: again
    assert next_stage(6, last, [right(), right(revealed=True, status="revealed")]) == 6
    assert next_stage(7, last, [right()]) == 8 and next_stage(8, last, [right()]) == 8  # no stage past the last


def test_a_network_is_done_when_every_blank_is_settled():
    assert done([right(), right(status="ecf"), right(status="revealed", revealed=True)])
    assert not done([right(), right(status="mistake")])
