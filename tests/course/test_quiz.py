"""Quiz drawing and grading: seeded reorders that never repeat, choice credit, numeric answers through the
exercise engine, and every question of the bank graded right for its answer and wrong for the others."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from core.course.checking import Tolerance
from core.course.content import load_content
from core.course.questions import Question
from core.course.quiz import draw, grade, grade_choice, grade_numeric, quiz_seed, score
from core.formatting import format_value

BANK = load_content().questions


def q_single(**kw) -> Question:
    base = dict(id="q", lesson="tanh", kind="single", prompt="P", explanation="E", choices=("a", "b", "c", "d"),
                answer=2, feedback=("no a", "no b", "yes c", "no d"))
    base.update(kw)
    return Question(**base)


def test_a_seed_gives_one_order_and_a_retry_another():
    qs = load_content().quiz("softmax")
    one = draw(qs, np.random.default_rng(quiz_seed("softmax", 0)))
    same = draw(qs, np.random.default_rng(quiz_seed("softmax", 0)))
    assert [d.question.id for d in one] == [d.question.id for d in same]
    assert [d.order for d in one] == [d.order for d in same]
    assert sorted(d.question.id for d in one) == sorted(q.id for q in qs)
    for d in one:
        assert sorted(d.order) == list(range(len(d.question.choices)))
    previous = [d.question.id for d in one]
    for round_no in range(1, 60):  # whatever the seed, a retry never shows the previous order again
        nxt = draw(qs, np.random.default_rng(quiz_seed("softmax", round_no)), previous=previous)
        ids = [d.question.id for d in nxt]
        assert ids != previous
        previous = ids


def test_even_two_questions_are_reordered_on_retry():
    qs = [q_single(id="one"), q_single(id="two")]
    for seed in range(30):
        first = [d.question.id for d in draw(qs, np.random.default_rng(seed))]
        second = [d.question.id for d in draw(qs, np.random.default_rng(seed + 1000), previous=first)]
        assert second == first[::-1]


def test_choices_are_shuffled_unless_the_question_says_not():
    q = q_single()
    orders = {draw([q], np.random.default_rng(s))[0].order for s in range(40)}
    assert len(orders) > 5
    fixed = replace(q, shuffle=False)
    assert {draw([fixed], np.random.default_rng(s))[0].order for s in range(10)} == {(0, 1, 2, 3)}
    shown = draw([q], np.random.default_rng(3))[0]
    assert shown.choices == [q.choices[i] for i in shown.order]


def test_single_choice_grading():
    q = q_single()
    right = grade(q, 2)
    assert (right.status, right.credit, right.notes) == ("correct", 1.0, ("yes c",)) and right.answer_text == "c"
    wrong = grade(q, [1])
    assert wrong.status == "wrong" and wrong.credit == 0 and "c" in wrong.message and wrong.notes == ("no b",)
    for empty in (None, []):
        assert grade(q, empty).status == "invalid" and not grade(q, empty).counts
    assert grade_choice(q, [0, 2]).status == "invalid"
    assert grade_choice(q, [7]).status == "invalid"


def test_multiple_choice_credit():
    q = q_single(kind="multiple", answer=(0, 1, 3))
    assert grade(q, [0, 1, 3]).credit == 1.0 and grade(q, [3, 1, 0]).status == "correct"
    two = grade(q, [0, 1])
    assert two.status == "partial" and two.credit == pytest.approx(2 / 3) and "missed 1" in two.message
    with_wrong = grade(q, [0, 1, 2])
    assert with_wrong.credit == pytest.approx(1 / 3) and "picked 1 wrong one" in with_wrong.message
    assert grade(q, [2]).status == "wrong" and grade(q, [2]).credit == 0
    assert grade(q, [0, 2]).credit == 0  # one right, one wrong: no credit


def test_numeric_grading_goes_through_the_engine():
    q = Question(id="n", lesson="tanh", kind="numeric", prompt="P", explanation="E", answer=(0.1, -0.8, 0.3, 0.4))
    assert grade(q, "[0.1, -0.8, 0.3, 0.4]").status == "correct"
    assert grade(q, "0.1 -0.8 0.3 0.4").status == "correct"
    assert grade(q, "0.1, 0.2-1, 0.3, 0.4").status == "correct"  # arithmetic is read, never eval'd
    partial = grade(q, "[0.1, 0.8, 0.3, 0.4]")
    assert partial.status == "partial" and partial.credit == 0.75 and "Element 2" in partial.message
    flipped = grade(q, "[-0.1, 0.8, -0.3, -0.4]")
    assert flipped.status == "wrong" and flipped.structure == "sign_flipped"
    for bad in ("abc", "[0.1, 0.2]", "__import__('os')"):
        out = grade_numeric(q, bad)
        assert out.status == "invalid" and not out.counts and out.message
    for empty in ("", "   "):
        out = grade_numeric(q, empty)
        assert out.status == "blank" and not out.counts and "Nothing was typed" in out.message


def test_a_question_tolerance_overrides_the_default():
    loose = Question(id="n", lesson="tanh", kind="numeric", prompt="P", explanation="E", answer=40.0)
    assert grade(loose, "40.3").status == "correct"  # the default 1% accepts it
    exact = replace(loose, tolerance=Tolerance(rel=1e-9, abs=1e-9))
    assert grade(exact, "40.3").status in ("close", "wrong") and grade(exact, "12+9+12+3+4").status == "correct"


def test_every_bank_question_accepts_its_answer_and_rejects_the_others():
    for q in BANK:
        if q.kind == "numeric":
            truth = np.asarray(q.answer, dtype=float)
            assert grade(q, format_value(truth, 8)).status == "correct", q.id
            off = truth * 1.5 + 1.0  # wrong in every element
            assert grade(q, format_value(off, 8)).credit == 0, q.id
        else:
            right = sorted(q.correct)
            assert grade(q, right).status == "correct", q.id
            for i in range(len(q.choices)):
                if i not in q.correct:
                    assert grade(q, [i]).credit == 0, (q.id, i)


def test_score_counts_only_answered_questions():
    q = q_single()
    outcomes = [grade(q, 2), grade(q, 1), grade(q, None)]
    assert score(outcomes) == (1.0, 2)
