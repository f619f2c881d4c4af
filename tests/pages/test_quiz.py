"""Concept quiz screen: answers are checked and explained, invalid input costs nothing, results are stored
and survive page switches, and a retry reorders the questions."""
from __future__ import annotations

from core.course.content import load_content
from core.progress import Store
from core.progress.summary import quiz_exercise
from tests.conftest import session_learner

CONTENT = load_content()


def open_quiz(app, lesson="tanh"):
    at = app("pages/quiz.py")
    at.selectbox(key="quiz_pick").set_value(lesson).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def question_order(at, lesson):
    prompts = {q.prompt: q.id for q in CONTENT.quiz(lesson)}
    return [prompts[m.value] for m in at.markdown if m.value in prompts]


def answered(at, lesson):
    return Store().attempts(session_learner(at), exercise_id=quiz_exercise(lesson))


def test_a_numeric_answer_is_checked_explained_and_stored(app):
    at = open_quiz(app)
    at.text_input(key="quiz_tanh_0_tanh-half").input("tanh(0.5)")
    at.button(key="quiz_tanh_0_tanh-half_check").click().run()
    assert not at.exception
    assert any(s.value == "Correct." for s in at.success)
    assert any("tanh(0.5) → 0.462117" in c.value for c in at.caption)  # the engine's "read as" echo
    why = next(q for q in CONTENT.quiz("tanh") if q.id == "tanh-half").explanation
    assert any(why in i.value for i in at.info)
    (stored,) = answered(at, "tanh")
    assert (stored.quantity_id, stored.status, stored.credit, stored.lesson) == ("tanh-half", "correct", 1.0, "tanh")
    assert stored.answer_text == "tanh(0.5)"
    assert at.text_input(key="quiz_tanh_0_tanh-half").disabled  # answered once per round


def test_a_wrong_choice_shows_the_right_answer_and_why(app):
    at = open_quiz(app)
    q = next(q for q in CONTENT.quiz("tanh") if q.id == "slip-tanh-derivative")
    radio = at.radio(key="quiz_tanh_0_slip-tanh-derivative")
    wrong = next(i for i, text in enumerate(q.choices) if i != q.answer)
    radio.set_value(radio.options.index(q.choices[wrong])).run()
    at.button(key="quiz_tanh_0_slip-tanh-derivative_check").click().run()
    assert any(q.choices[q.answer] in e.value and e.value.startswith("Not quite") for e in at.error)
    assert any(q.explanation in i.value for i in at.info)
    assert any(q.quote in m.value for m in at.markdown)  # the lecture's words are quoted
    (stored,) = answered(at, "tanh")
    assert stored.status == "wrong" and stored.credit == 0.0


def test_an_unreadable_number_costs_nothing(app):
    at = open_quiz(app)
    at.text_input(key="quiz_tanh_0_tanh-half").input("0,46 and a bit")
    at.button(key="quiz_tanh_0_tanh-half_check").click().run()
    assert any("not a number" in w.value or "Expected" in w.value or "comma" in w.value for w in at.warning), \
        [w.value for w in at.warning]
    assert answered(at, "tanh") == []
    assert not at.text_input(key="quiz_tanh_0_tanh-half").disabled  # still open for a real answer


def test_a_multiple_choice_answer_earns_partial_credit(app):
    at = open_quiz(app)
    q = next(q for q in CONTENT.quiz("tanh") if q.id == "why-tanh")
    boxes = [c for c in at.checkbox if c.key and c.key.startswith("quiz_tanh_0_why-tanh_")]
    for box in boxes:
        if box.label in (q.choices[0], q.choices[1]):
            box.check()
    at.run()
    at.button(key="quiz_tanh_0_why-tanh_check").click().run()
    assert any(w.value.startswith("Partly right") for w in at.warning)
    (stored,) = answered(at, "tanh")
    assert stored.status == "partial" and abs(stored.credit - 2 / 3) < 1e-9


def test_results_survive_a_page_switch(app):
    at = open_quiz(app)
    at.text_input(key="quiz_tanh_0_tanh-half").input("0.4621")
    at.button(key="quiz_tanh_0_tanh-half_check").click().run()
    at.switch_page("pages/lessons.py").run()
    at.switch_page("pages/quiz.py").run()
    assert not at.exception
    assert at.selectbox(key="quiz_pick").value == "tanh"
    assert any(s.value == "Correct." for s in at.success)
    assert any("1 of 6 answered" in (p.proto.text or "") for p in at.get("progress"))


def test_retry_draws_a_new_order_and_opens_every_question_again(app):
    at = open_quiz(app, "softmax")
    first = question_order(at, "softmax")
    assert sorted(first) == sorted(q.id for q in CONTENT.quiz("softmax"))
    at.text_input(key="quiz_softmax_0_softmax-vector").input("0.1 0.2 0.3 0.4")
    at.button(key="quiz_softmax_0_softmax-vector_check").click().run()
    at.button(key="quiz_retry").click().run()
    assert not at.exception
    second = question_order(at, "softmax")
    assert sorted(second) == sorted(first) and second != first
    assert not at.text_input(key="quiz_softmax_1_softmax-vector").disabled
    assert not at.success  # the new round starts unanswered
    assert len(answered(at, "softmax")) == 1  # the first round's answer stays in the history


def test_a_returning_learner_sees_their_latest_result(app):
    at = app("pages/quiz.py")
    at.query_params["learner"] = "Ana"  # a profile, as a bookmark carries it
    at.run()
    at.selectbox(key="quiz_pick").set_value("tanh").run()
    at.text_input(key="quiz_tanh_0_tanh-half").input("0.4621")
    at.button(key="quiz_tanh_0_tanh-half_check").click().run()
    later = app("pages/quiz.py")  # a new session on the same progress file, as after a restart
    later.query_params["learner"] = "Ana"
    later.run()
    later.selectbox(key="quiz_pick").set_value("tanh").run()
    assert any("1 of 6 questions right in your latest answers" in c.value for c in later.caption)
    assert not later.text_input(key="quiz_tanh_0_tanh-half").disabled  # a new round to answer
    stranger = open_quiz(app)  # a guest in another session sees nothing of Ana's
    assert not any("questions right in your latest answers" in c.value for c in stranger.caption)


def test_a_typed_or_picked_answer_survives_a_page_switch(app):
    at = open_quiz(app)
    at.text_input(key="quiz_tanh_0_tanh-derivative-from-h").input("0.64").run()
    q = next(q for q in CONTENT.quiz("tanh") if q.id == "slip-tanh-derivative")
    radio = at.radio(key="quiz_tanh_0_slip-tanh-derivative")
    radio.set_value(radio.options.index(q.choices[q.answer])).run()
    at.button(key="quiz_tanh_0_slip-tanh-derivative_check").click().run()
    at.switch_page("pages/dashboard.py").run()
    at.switch_page("pages/quiz.py").run()
    assert not at.exception and not at.warning
    assert at.text_input(key="quiz_tanh_0_tanh-derivative-from-h").value == "0.64"  # the draft, still unchecked
    answered_radio = at.radio(key="quiz_tanh_0_slip-tanh-derivative")
    assert answered_radio.disabled and answered_radio.value == answered_radio.options.index(q.choices[q.answer])
    at.button(key="quiz_tanh_0_tanh-derivative-from-h_check").click().run()
    assert len([s for s in at.success if s.value == "Correct."]) == 2
