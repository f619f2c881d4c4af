"""AppTest of the forward-pass exercise: a learner types values, checks a step and reads the engine's feedback.

Expected answers come from the engine's own instance of the same seed, never from hard-coded numbers.
"""
import pytest

from core.course.engine import ECF_CREDIT, load_all, make_instance
from core.formatting import format_value
from core.progress import Store
from tests.conftest import session_learner
from ui.exercise import groups, vetted_for_all, widget_key

PAGE = "pages/forward_exercise.py"
DEF = load_all()["forward_hello"]


def textbook():
    return make_instance(DEF, DEF.textbook_seed, hidden=DEF.hidden)


def fill(at, inst, answers: dict[str, str]):
    for qid, text in answers.items():
        at.text_input(key=widget_key(inst, qid)).set_value(text)
    at.button(key=next(b.key for b in at.button if b.label == "Check")).click()
    return at.run()


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def callouts(at):
    return [e.value for kind in ("success", "error", "warning", "info") for e in getattr(at, kind)]


def test_true_answers_of_every_step_earn_full_marks(app):
    at = app(PAGE)
    inst = textbook()
    grouped = groups(inst)
    for i, (_, quantities) in enumerate(grouped):
        at.radio(key="forward_group").set_value(i).run()
        fill(at, inst, {q.id: inst.answer_text(q.id) for q in quantities})
        assert not at.exception
        assert len(at.success) == len(quantities), callouts(at)
    assert metric(at, "Score") == f"{len(inst.quantities)}.0 of {len(inst.quantities)}"
    assert metric(at, "Values done") == f"{len(inst.quantities)} of {len(inst.quantities)}"
    assert metric(at, "Attempts used") == str(len(inst.quantities))


@pytest.mark.parametrize("qid,mistake_id", [("z[1]", "no_bias"), ("h[1]", "no_tanh"), ("p[1]", "no_softmax"),
                                            ("loss[1]", "log10")])
def test_an_answer_made_with_a_named_mistake_shows_its_name(app, qid, mistake_id):
    at = app(PAGE)
    inst = textbook()
    step1 = groups(inst)[0][1]
    answers = {q.id: inst.answer_text(q.id) for q in step1}
    answers[qid] = format_value(inst.mistake_value(qid, mistake_id), digits=6)
    fill(at, inst, answers)
    mistake = next(m for m in inst.quantity(qid).mistakes if m.id == mistake_id)
    errors = [e.value for e in at.error]
    assert any(mistake.name in e for e in errors), errors
    assert any(mistake.name in m.value for m in at.markdown), "the summary lists the mistake"


def test_a_malformed_answer_gets_a_format_message_and_costs_no_attempt(app):
    at = app(PAGE)
    inst = textbook()
    fill(at, inst, {"W_xh_x[1]": "0.1, abc, 0.3"})
    warnings = [w.value for w in at.warning]
    assert warnings and "abc" in warnings[0]
    assert metric(at, "Attempts used") == "0"
    fill(at, inst, {"W_xh_x[1]": inst.answer_text("W_xh_x[1]")})
    assert metric(at, "Attempts used") == "1"
    assert "Correct" in at.success[0].value


def test_error_carried_forward_names_the_first_wrong_link(app):
    at = app(PAGE)
    inst = textbook()
    step1 = groups(inst)[0][1]
    answers = {q.id: inst.answer_text(q.id) for q in step1}
    answers["z[1]"] = "[0.5, 0.5, 0.5]"
    answers["h[1]"] = "tanh(0.5) tanh(0.5) tanh(0.5)"  # right from the learner's own wrong z_1
    fill(at, inst, answers)
    infos = [i.value for i in at.info]
    assert any("z_{" in i or "z[1]" in i or "z_1" in i for i in infos), infos
    # six values right (the true y, p, prediction and loss among them), z_1 wrong, h_1 carried forward
    assert metric(at, "Score") == f"{6 + ECF_CREDIT:.1f} of {len(inst.quantities)}"


def test_url_seed_reproduces_the_variant(app):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    seed = vetted_for_all(4242, 2)
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30)
    at.query_params["seed"] = str(seed)
    at.query_params["hidden"] = "2"
    at.switch_page(PAGE).run()
    assert not at.exception
    inst = make_instance(DEF, seed, hidden=2)
    latex = " ".join(x.value for x in at.latex)
    from core.formatting import bmatrix
    assert bmatrix(inst.params.W_xh, 2) in latex
    assert any(f"seed {seed}" in m.value for m in at.markdown)
    assert at.query_params["seed"] == [str(seed)] or at.query_params["seed"] == str(seed)


def test_a_bad_url_seed_falls_back_to_the_textbook_with_a_message(app):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30)
    at.query_params["seed"] = "banana"
    at.switch_page(PAGE).run()
    assert not at.exception
    assert "not valid" in at.warning[0].value
    assert any("Textbook network" in m.value for m in at.markdown)


def test_new_practice_network_changes_seed_and_keeps_it_vetted(app):
    at = app(PAGE)
    at.button(key="new_practice::forward_hello").click().run()
    text = " ".join(m.value for m in at.markdown)
    assert "Practice network" in text
    seed = int(text.split("seed ")[1].split(".")[0])
    assert seed != DEF.textbook_seed and vetted_for_all(seed, 3) == seed


def test_revealing_a_solution_is_recorded_and_shown(app, tmp_path):
    at = app(PAGE)
    inst = textbook()
    at.button(key="reveal::forward_hello::z[1]").click().run()
    assert not at.exception
    assert metric(at, "Solutions revealed") == "1"
    assert any("Worked solution" in m.value for m in at.markdown)
    assert at.text_input(key=widget_key(inst, "z[1]")).disabled
    saved = Store().attempts(session_learner(at))
    assert [(a.quantity_id, a.solution_revealed, a.status) for a in saved] == [("z[1]", True, "revealed")]


def test_hints_come_one_at_a_time(app):
    at = app(PAGE)
    inst = textbook()
    from core.course.engine import hints
    first = hints(inst, "z[1]")[0]
    assert not any(first in m.value for m in at.markdown)
    at.button(key="hint::forward_hello::z[1]").click().run()
    assert any(first in m.value for m in at.markdown)


def test_checked_answers_are_saved_and_survive_a_page_switch(app):
    at = app(PAGE)
    inst = textbook()
    fill(at, inst, {"W_xh_x[1]": inst.answer_text("W_xh_x[1]")})
    at.switch_page("pages/home.py").run()
    at.switch_page(PAGE).run()
    assert at.text_input(key=widget_key(inst, "W_xh_x[1]")).value == inst.answer_text("W_xh_x[1]")
    assert "Correct" in at.success[0].value
    saved = Store().attempts(session_learner(at))
    assert [(a.quantity_id, a.status) for a in saved] == [("W_xh_x[1]", "correct")]


def test_a_returning_learner_finds_the_answers_checked_last_time(app):
    from ui.identity import PROFILE_KEY as LEARNER_KEY

    inst = textbook()
    at = app(PAGE)
    at.session_state[LEARNER_KEY] = "Ana"
    at.run()
    wrong_z = format_value(inst.mistake_value("z[1]", "no_bias"), digits=6)
    fill(at, inst, {"W_xh_x[1]": inst.answer_text("W_xh_x[1]"), "z[1]": wrong_z})
    at.button(key="reveal::forward_hello::h[1]").click().run()

    tomorrow = app(PAGE)  # a new session: nothing in session state but the name
    tomorrow.session_state[LEARNER_KEY] = "Ana"
    tomorrow.run()
    assert tomorrow.text_input(key=widget_key(inst, "z[1]")).value == wrong_z
    assert metric(tomorrow, "Attempts used") == "2" and metric(tomorrow, "Solutions revealed") == "1"
    assert any("Correct" in s.value for s in tomorrow.success)
    name = next(m.name for m in inst.quantity("z[1]").mistakes if m.id == "no_bias")
    assert any(name in e.value for e in tomorrow.error)

    guest = app(PAGE)  # a guest starts clean, whatever other guests saved
    assert metric(guest, "Attempts used") == "0"


def test_wrong_elements_of_a_vector_are_marked(app):
    at = app(PAGE)
    inst = textbook()
    z = inst.quantity("z[1]").truth.copy()
    z[1] += 0.5
    fill(at, inst, {"z[1]": format_value(z, digits=6)})
    marked = [x.value for x in at.latex if "your answer" in x.value]
    assert len(marked) == 1 and marked[0].count(r"\boxed") == 1
    entries = marked[0].split(r"\begin{bmatrix}")[1].split(r"\\")
    assert r"\boxed" in entries[1] and r"\boxed" not in entries[0] + entries[2]


def test_the_step_chosen_stays_chosen_and_done_steps_are_listed(app):
    at = app(PAGE)
    inst = textbook()
    step1 = groups(inst)[0]
    fill(at, inst, {q.id: inst.answer_text(q.id) for q in step1[1]})
    assert at.radio(key="forward_group").value == 0
    assert any(c.value == f"Done: ✓ {step1[0]}" for c in at.caption)
    at.radio(key="forward_group").set_value(1).run()
    assert at.radio(key="forward_group").value == 1
    assert at.subheader[0].value == groups(inst)[1][0] or any(s.value == groups(inst)[1][0] for s in at.subheader)


def test_a_whole_step_can_be_revealed_at_once(app):
    at = app(PAGE)
    inst = textbook()
    title, step1 = groups(inst)[0]
    at.button(key=f"reveal_all::forward_hello::{title}").click().run()
    assert metric(at, "Solutions revealed") == str(len(step1))
    assert sum("Worked solution" in m.value for m in at.markdown) == len(step1)
    assert metric(at, "Score").startswith("0.0")
    saved = Store().attempts(session_learner(at))
    assert sorted(a.quantity_id for a in saved if a.solution_revealed) == sorted(q.id for q in step1)


@pytest.mark.parametrize("params,fragment", [({"seed": "3", "hidden": "1"}, "hidden size '1'"),
                                             ({"seed": "abc"}, "seed 'abc'"), ({"hidden": "99"}, "hidden size '99'")])
def test_links_with_an_unusable_variant_say_which_part_is_wrong(params, fragment):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30)
    at.query_params.update(params)
    at.switch_page(PAGE).run()
    assert not at.exception
    warning = at.warning[0].value
    assert fragment in warning and "None" not in warning
    assert any("Textbook network" in m.value for m in at.markdown)


def test_a_diagnosed_mistake_is_named_once(app):
    at = app(PAGE)
    inst = textbook()
    fill(at, inst, {"z[1]": format_value(inst.mistake_value("z[1]", "no_bias"), digits=6)})
    name = next(m.name for m in inst.quantity("z[1]").mistakes if m.id == "no_bias")
    assert at.error[0].value.count(name) == 1
