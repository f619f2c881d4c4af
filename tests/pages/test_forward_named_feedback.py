"""AppTest of what a new learner met on the textbook network: mistakes that now have names, an answer rounded too
much, a Check pressed on an empty form, and the step-1 call-out, which must agree with the form it sits above.

Mistaken values are computed from the engine's instance of the same seed with NumPy, and the names and messages
expected are the engine's own, never hard-coded numbers.
"""
import re

import numpy as np

from core.course.checking import TOO_FEW_DIGITS
from core.course.engine import load_all, make_instance
from core.formatting import format_value
from ui.exercise import widget_key
from ui.exercise_work import NOTHING_TYPED

PAGE = "pages/forward_exercise.py"
DEF = load_all()["forward_hello"]


def textbook():
    return make_instance(DEF, DEF.textbook_seed, hidden=DEF.hidden)


def check(at, inst, answers: dict[str, str]):
    for qid, text in answers.items():
        at.text_input(key=widget_key(inst, qid)).set_value(text)
    at.button(key=next(b.key for b in at.button if b.label == "Check")).click()
    return at.run()


def on_step(app, step: int):
    at = app(PAGE)
    at.radio(key="forward_group").set_value(step - 1).run()
    assert not at.exception
    return at


def mistake(inst, qid: str, mistake_id: str):
    return next(m for m in inst.quantity(qid).mistakes if m.id == mistake_id)


def assert_diagnosed(at, inst, qid: str, mistake_id: str):
    m = mistake(inst, qid, mistake_id)
    errors = [e.value for e in at.error]
    assert any(m.name in e and m.explanation in e for e in errors), errors
    assert not any("All of the numbers are off" in e for e in errors), errors


def test_step_2_with_the_previous_state_forgotten_is_named(app):
    at = on_step(app, 2)
    inst = textbook()
    check(at, inst, {"W_hh_h_prev[2]": format_value(np.zeros(inst.hidden))})
    assert_diagnosed(at, inst, "W_hh_h_prev[2]", "state_forgotten")


def test_step_1_with_the_bias_typed_as_the_recurrent_term_is_named(app):
    at = on_step(app, 1)
    inst = textbook()
    check(at, inst, {"W_hh_h_prev[1]": format_value(inst.params.b_h)})
    assert_diagnosed(at, inst, "W_hh_h_prev[1]", "bias_in_recurrent")


def test_probabilities_as_scores_over_their_sum_are_named(app):
    at = on_step(app, 2)
    inst = textbook()
    y = inst.values["y[2]"]
    check(at, inst, {"y[2]": format_value(y, 4), "p[2]": format_value(y / np.sum(y), 4)})
    assert_diagnosed(at, inst, "p[2]", "no_exp")


def test_h1_rounded_to_one_digit_is_told_to_type_more_digits(app):
    at = on_step(app, 1)
    inst = textbook()
    h1 = inst.values["h[1]"]
    check(at, inst, {"h[1]": "[" + ", ".join(f"{x:.1g}" for x in h1) + "]"})
    warnings = [w.value for w in at.warning]
    assert any(w.startswith(f"{TOO_FEW_DIGITS}: give at least 3 significant digits") for w in warnings), warnings
    assert not at.error, [e.value for e in at.error]  # no "Not quite", no method box
    assert not any("Some numbers were typed" in c.value for c in at.caption)  # said once, in the message


def test_check_on_an_empty_form_says_nothing_was_typed(app):
    at = on_step(app, 1)
    inst = textbook()
    assert not any(NOTHING_TYPED in w.value for w in at.warning)
    check(at, inst, {})
    assert not at.exception
    assert any(w.value == NOTHING_TYPED for w in at.warning), [w.value for w in at.warning]
    assert next(m.value for m in at.metric if m.label == "Attempts used") == "0"
    check(at, inst, {"W_xh_x[1]": inst.answer_text("W_xh_x[1]")})
    assert not any(NOTHING_TYPED in w.value for w in at.warning)  # something was typed: the notice goes
    assert any("Correct" in s.value for s in at.success)


def test_the_bptt_form_says_nothing_was_typed_too(app):
    at = app("pages/bptt_exercise.py")
    at.button(key=next(b.key for b in at.button if b.label == "Check")).click().run()
    assert not at.exception
    assert any(w.value == NOTHING_TYPED for w in at.warning), [w.value for w in at.warning]


def test_the_tanh_prime_form_and_the_quiz_say_nothing_was_typed(app):
    at = app("pages/activations.py")
    at.button[0].click().run()  # the tanh'(z) form's Check, with nothing typed
    assert any(w.value.startswith("Nothing was typed") for w in at.warning), [w.value for w in at.warning]
    at = app("pages/quiz.py")
    at.selectbox(key="quiz_pick").set_value("tanh").run()
    at.button(key="quiz_tanh_0_tanh-half_check").click().run()
    assert any(w.value.startswith("Nothing was typed") for w in at.warning), [w.value for w in at.warning]


def test_the_step_1_call_out_agrees_with_the_form(app):
    at = on_step(app, 1)
    inst = textbook()
    (callout,) = [i.value for i in at.info if "h₀ = 0" in i.value]
    assert "just the bias" not in callout and "W_{hh}h_0 + b_h$ is" not in callout
    # what the call-out says W_hh h_0 is, typed into the form's W_hh h_0, is right
    said = re.search(r"`(\[[^`]*\])`", callout).group(1)
    check(at, inst, {"W_hh_h_prev[1]": said})
    assert any("Correct" in s.value for s in at.success), [e.value for e in at.error]
    # the lecture's moment in words, not by name: its slide's 0.427 times h_0 = 0, and the bias 0.567 left over
    assert "0.427" in callout and "0.567" in callout and "moment" not in callout


def test_the_explorer_call_out_says_the_recurrent_term_is_zero(app):
    at = app("pages/forward_explorer.py")
    (callout,) = [i.value for i in at.info if "h₀ = 0" in i.value]
    assert "W_hh·h₀ is zero" in callout and "just the bias b_h" not in callout
    assert "0.427" in callout and "0.567" in callout and "moment" not in callout
