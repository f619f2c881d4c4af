"""Review questions: a fresh vetted network the learner has not seen, the same one on a reload, a new one at
the next review, never a value that is zero by construction."""
from __future__ import annotations

import numpy as np
import pytest

from core.course.engine import grade_one, load_all, make_instance
from core.course.vetting import vetting_problems
from core.review.items import review_item
from core.review.skills import load_skills, template_of

DEFS = load_all()
SKILLS = load_skills()


@pytest.mark.parametrize("skill", list(SKILLS), ids=lambda s: s.id)
def test_every_skill_gets_a_clear_fresh_question_whose_answer_the_engine_accepts(skill):
    item = review_item(skill, DEFS, "profile:ana", 0)
    assert review_item(skill, DEFS, "profile:ana", 0) == item  # a reload shows the same question
    if item.hidden is None:
        assert (item.exercise_id, item.qid) == ("activations_tanh_prime", "tanh_prime")
        return  # the tanh′ exercise: one number
    definition = DEFS[item.exercise_id]
    assert item.hidden in definition.practice_hidden and item.seed != definition.textbook_seed
    inst = make_instance(definition, item.seed, hidden=item.hidden)
    assert vetting_problems(inst) == []
    q = inst.quantity(item.qid)
    assert SKILLS.of(item.exercise_id, template_of(q.id, q.step_var)) == skill
    assert isinstance(q.truth, str) or np.any(np.abs(q.truth) > 1e-12)
    assert grade_one(inst, item.qid, inst.answer_text(item.qid)).status == "correct"


def test_a_review_avoids_the_networks_the_learner_has_answered_on():
    skill = SKILLS.get("pre-activation")
    first = review_item(skill, DEFS, "ana", 3)
    seen = {(first.exercise_id, first.seed)}
    other = review_item(skill, DEFS, "ana", 3, seen=seen)
    assert (other.exercise_id, other.seed) not in seen


def test_each_review_and_each_learner_gets_another_network():
    skill = SKILLS.get("hidden-state")
    seeds = {review_item(skill, DEFS, "ana", n).seed for n in range(6)}
    assert len(seeds) == 6
    assert review_item(skill, DEFS, "bo", 0).seed != review_item(skill, DEFS, "ana", 0).seed


def test_the_recurrent_term_is_never_asked_at_step_one_where_it_is_zero():
    skill = SKILLS.get("recurrent-term")
    asked = {review_item(skill, DEFS, "ana", n).qid for n in range(12)}
    assert "W_hh_h_prev[1]" not in asked and len(asked) >= 2
