"""AppTest of the LSTM and GRU screens: a learner fills each group, reads the engine's feedback, sees the given
gradients and the finite-difference check, and gets a practice network. Expected answers come from the
engine's own instance of the same seed."""
import pytest

from core.course.engine import hints, load_all, make_instance
from core.formatting import bmatrix, format_value
from core.progress import Store
from tests.conftest import session_learner
from ui.exercise import groups, widget_key
from ui.gated_view import blocks_latex

DEFS = load_all()
PAGES = {"lstm_step": "pages/lstm_exercise.py", "gru_step": "pages/gru_exercise.py"}


def textbook(name):
    d = DEFS[name]
    return make_instance(d, d.textbook_seed, hidden=d.hidden)


def fill(at, name, inst, i, override=None):
    at.radio(key=f"{name}_group").set_value(i).run()
    for q in groups(inst)[i][1]:
        at.text_input(key=widget_key(inst, q.id)).set_value((override or {}).get(q.id, inst.answer_text(q.id)))
    at.button(key=next(b.key for b in at.button if b.label == "Check")).click()
    return at.run()


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_true_answers_of_every_group_earn_full_marks(app, name):
    at = app(PAGES[name])
    inst = textbook(name)
    for i, (_, quantities) in enumerate(groups(inst)):
        at = fill(at, name, inst, i)
        assert not at.exception
        assert len(at.success) == len(quantities), [e.value for e in at.error + at.warning]
    n = len(inst.quantities)
    assert metric(at, "Score") == f"{n}.0 of {n}"
    table = at.dataframe[-1].value  # every gradient of the way back agrees with central differences
    assert len(table) == len(groups(inst)[-1][1]) and all(v.startswith("✓") for v in table["verdict"])
    saved = Store().attempts(session_learner(at), name)
    assert len(saved) == n and all(a.credit == 1.0 for a in saved)


@pytest.mark.parametrize("name, qid, mistake_id", [
    ("lstm_step", "c[2]", "no_forget"), ("lstm_step", "h[1]", "no_tanh"), ("lstm_step", "a_f[1]", "gate_order"),
    ("lstm_step", "df[2]", "h_for_c"), ("gru_step", "a_n[2]", "reset_after_matmul"),
    ("gru_step", "h[1]", "update_flipped"), ("gru_step", "dz[2]", "sign_flipped"),
])
def test_a_named_mistake_is_shown_with_its_name(app, name, qid, mistake_id):
    at = app(PAGES[name])
    inst = textbook(name)
    q = inst.quantity(qid)
    i = next(k for k, (_, qs) in enumerate(groups(inst)) if q in qs)
    for j in range(i):
        at = fill(at, name, inst, j)
    at = fill(at, name, inst, i, {qid: format_value(inst.mistake_value(qid, mistake_id), digits=6)})
    mistake = next(m for m in q.mistakes if m.id == mistake_id)
    assert any(mistake.name in e.value for e in at.error), [e.value for e in at.error]
    assert any(mistake.name in m.value for m in at.markdown), "the summary lists the mistake"


def test_the_stacked_weights_and_the_given_gradients_are_shown(app):
    at = app(PAGES["lstm_step"])
    inst = textbook("lstm_step")
    latex = " ".join(x.value for x in at.latex)
    assert blocks_latex("W_x", inst.params.W_x, tuple("ifgo")) in latex
    assert "dc_{\\mathrm{in}}" not in latex  # the given gradients come with the way back
    at.radio(key="lstm_step_group").set_value(len(groups(inst)) - 1).run()
    latex = " ".join(x.value for x in at.latex)
    assert bmatrix(inst.ctx.dh, 2) in latex and bmatrix(inst.ctx.dc, 2) in latex
    assert not at.exception


def test_a_wrong_gradient_disagrees_with_finite_differences(app):
    at = app(PAGES["gru_step"])
    inst = textbook("gru_step")
    last = len(groups(inst)) - 1
    at = fill(at, "gru_step", inst, last, {"dn[2]": format_value(3 * inst.quantity("dn[2]").truth)})
    table = at.dataframe[-1].value
    row = table[table["gradient"] == "dn"].iloc[0]
    assert row["verdict"].startswith("✗") and float(row["your relative error"]) > 0.1


def test_a_practice_network_offers_hidden_sizes_two_and_three(app):
    at = app(PAGES["lstm_step"])
    box = at.selectbox(key="practice_hidden::lstm_step")
    assert list(box.options) == ["2", "3"]
    box.set_value(3).run()
    at.button(key="new_practice::lstm_step").click().run()
    assert not at.exception
    assert any("Practice network**: hidden size 3" in m.value for m in at.markdown)
    assert at.query_params["hidden"] in (["3"], "3")


def test_a_link_to_a_seed_reproduces_the_network(app):
    from streamlit.testing.v1 import AppTest

    from core.course.engine import vetted_seed
    from tests.conftest import ROOT

    d = DEFS["gru_step"]
    seed = vetted_seed(d, 777, hidden=3)
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30)
    at.query_params.update(seed=str(seed), hidden="3")
    at.switch_page(PAGES["gru_step"]).run()
    assert not at.exception
    inst = make_instance(d, seed, hidden=3)
    assert blocks_latex("W_h", inst.params.W_h, tuple("zrn")) in " ".join(x.value for x in at.latex)
    at.query_params.update(seed="-4")
    at.run()
    assert "not valid" in at.warning[0].value


def test_hints_come_one_at_a_time_with_this_network_s_numbers(app):
    at = app(PAGES["lstm_step"])
    inst = textbook("lstm_step")
    first = hints(inst, "c[1]")[0]
    at.button(key="hint::lstm_step::c[1]").click().run()
    assert any(first in m.value for m in at.markdown)
    second = hints(inst, "c[1]")[1]
    assert not any(second in m.value for m in at.markdown)
