"""The rating rule, case by case (core/review/rating.py's table), and how several values of one skill combine."""
from __future__ import annotations

import pytest
from fsrs import Rating

from core.review.rating import combine, rate


@pytest.mark.parametrize(("status", "kw", "expected"), [
    ("blank", {}, None),
    ("invalid", {}, None),
    ("revealed", {}, Rating.Again),
    ("mistake", {"seconds": 5}, Rating.Again),
    ("wrong", {}, Rating.Again),
    ("close", {"seconds": 5}, Rating.Hard),
    ("ecf", {"seconds": 5}, Rating.Hard),
    ("correct", {"hints_used": 1, "seconds": 5}, Rating.Hard),
    ("correct", {"first_try": False, "seconds": 5}, Rating.Hard),
    ("correct", {"seconds": 20, "easy_s": 30}, Rating.Easy),
    ("correct", {"seconds": 31, "easy_s": 30}, Rating.Good),
    ("correct", {"seconds": None}, Rating.Good),  # time not known: never Easy
    ("correct", {}, Rating.Good),
])
def test_the_rating_rule(status, kw, expected):
    assert rate(status, **kw) == expected


def test_an_unknown_status_is_an_error_not_a_rating():
    with pytest.raises(ValueError, match="unknown status"):
        rate("partial")


def test_several_values_of_one_skill_in_one_check_rate_it_once_with_the_lowest():
    assert combine([Rating.Easy, Rating.Good, None]) == Rating.Good
    assert combine([Rating.Good, Rating.Again]) == Rating.Again
    assert combine([None, None]) is None


def test_a_check_rates_each_skill_it_touched_once_and_quiz_questions_not_at_all():
    from core.review.rating import reviews_of_check
    from core.review.skills import load_skills

    skills = load_skills()
    checked = [("W_xh_x[2]", "correct"), ("W_hh_h_prev[2]", "mistake"), ("z[2]", "ecf"), ("h[2]", "correct")]
    got = {r.skill_id: r.rating for r in reviews_of_check(
        skills, "forward_hello", checked, hints={"h[2]": 1}, first_try={"W_xh_x[2]": True},
        seconds={"W_xh_x[2]": 10.0}, at="2026-11-01T09:00:00+00:00")}
    assert got == {"input-term": Rating.Easy, "recurrent-term": Rating.Again, "pre-activation": Rating.Hard,
                   "hidden-state": Rating.Hard}
    both = reviews_of_check(skills, "bptt_hello", [("db_y", "correct"), ("db_h", "revealed")])
    assert [(r.skill_id, r.rating) for r in both] == [("bias-gradients", Rating.Again)]
    assert reviews_of_check(skills, "quiz:tanh", [("tanh-half", "correct")]) == []
    assert reviews_of_check(skills, "forward_hello", [("z[1]", "blank")]) == []
    second = reviews_of_check(skills, "forward_hello", [("z[3]", "correct")], first_try={"z[3]": False})
    assert second == []  # a second try on a value is practice: its retrieval was rated at the first
