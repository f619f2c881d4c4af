"""AppTest of the truncation and clipping screen: the given full BPTT, the band of kept terms, the truncated
gradient, clipping and the balance table, with names for the typical mistakes."""
from core.course.engine import load_all, make_instance
from core.formatting import bmatrix, format_value
from ui.exercise import groups, widget_key

PAGE = "pages/truncation_exercise.py"
DEF = load_all()["truncation_hello"]


def textbook():
    return make_instance(DEF, DEF.textbook_seed, hidden=DEF.hidden)


def fill(at, inst, i, override=None):
    at.selectbox(key="truncation_group").set_value(i).run()
    for q in groups(inst)[i][1]:
        at.text_input(key=widget_key(inst, q.id)).set_value((override or {}).get(q.id, inst.answer_text(q.id)))
    at.button(key=next(b.key for b in at.button if b.label == "Check")).click()
    return at.run()


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_the_whole_exercise_with_true_answers_earns_full_marks(app):
    at = app(PAGE)
    inst = textbook()
    latex = " ".join(x.value for x in at.latex)
    assert bmatrix(inst.values["dW_hh"], 4) in latex  # the full gradient is given
    assert not at.dataframe  # the balance table comes with the clipped gradient
    for i, (_, quantities) in enumerate(groups(inst)):
        at = fill(at, inst, i)
        assert not at.exception
        assert len(at.success) == len(quantities), [e.value for e in at.error + at.warning]
    n = len(inst.quantities)
    assert metric(at, "Score") == f"{n}.0 of {n}"
    table = at.dataframe[-1].value
    assert list(table["share before"]) == list(table["share after"])  # norm clipping keeps the balance
    assert any("keeps its share" in c.value for c in at.caption)


def test_using_the_full_bptt_gradient_is_named(app):
    at = app(PAGE)
    inst = textbook()
    i = next(k for k, (_, qs) in enumerate(groups(inst)) if any(q.id == "dh_trunc[1]" for q in qs))
    at = fill(at, inst, i, {"dh_trunc[1]": format_value(inst.values["dh[1]"])})
    assert any("Full BPTT instead of the window" in e.value for e in at.error), [e.value for e in at.error]


def test_a_window_one_step_too_long_is_named(app):
    at = app(PAGE)
    inst = textbook()
    wrong = format_value(inst.mistake_value("trunc_kept", "window_too_long"))
    at = fill(at, inst, 0, {"trunc_kept": wrong})
    assert any("Window one step too long" in e.value for e in at.error)
    assert metric(at, "Attempts used") == "1"
