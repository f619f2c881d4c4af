"""AppTest of the BPTT exercise: the chain ladder is checked, mistakes are named, gradients meet finite differences."""
import pytest

from core.course.engine import load_all, make_instance
from core.formatting import format_value
from ui.exercise import VARIANT_KEY, groups, widget_key
from ui.notation import lecture_label

PAGE = "pages/bptt_exercise.py"
DEF = load_all()["bptt_hello"]


def textbook():
    return make_instance(DEF, DEF.textbook_seed, hidden=DEF.hidden)


def group_index(inst, qid):
    return next(i for i, (_, qs) in enumerate(groups(inst)) if any(q.id == qid for q in qs))


def fill_group(at, inst, i, override=None):
    at.selectbox(key="bptt_group").set_value(i).run()
    quantities = groups(inst)[i][1]
    for q in quantities:
        at.text_input(key=widget_key(inst, q.id)).set_value((override or {}).get(q.id, inst.answer_text(q.id)))
    at.button(key=next(b.key for b in at.button if b.label == "Check")).click()
    return at.run(), quantities


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_the_whole_ladder_with_true_answers_earns_full_marks(app):
    at = app(PAGE)
    inst = textbook()
    for i in range(len(groups(inst))):
        at, quantities = fill_group(at, inst, i)
        assert not at.exception
        assert len(at.success) == len(quantities), [e.value for e in at.error + at.warning + at.info]
    n = len(inst.quantities)
    assert metric(at, "Score") == f"{n}.0 of {n}"


@pytest.mark.parametrize("qid,mistake_id", [("dy[2]", "no_minus_one"), ("dh_raw[4]", "one_minus_z_squared"),
                                            ("dh_next[4]", "W_not_transposed"), ("dW_hy", "last_step_only")])
def test_a_named_mistake_is_recognised(app, qid, mistake_id):
    at = app(PAGE)
    inst = textbook()
    i = group_index(inst, qid)
    for j in range(i):  # the earlier rungs, done right
        at, _ = fill_group(at, inst, j)
    wrong = format_value(inst.mistake_value(qid, mistake_id), digits=6)
    at, _ = fill_group(at, inst, i, {qid: wrong})
    name = next(m.name for m in inst.quantity(qid).mistakes if m.id == mistake_id)
    assert any(name in e.value for e in at.error), [e.value for e in at.error]


def test_labels_show_both_notations(app):
    at = app(PAGE)
    inst = textbook()
    at.selectbox(key="bptt_group").set_value(group_index(inst, "dW_hh")).run()
    label = at.text_input(key=widget_key(inst, "dW_hh")).label
    assert "W_{hh}" in label and lecture_label(inst.quantity("dW_hh").label) in label
    assert r"\partial W}" in label  # W_hh is the lecture's W


def test_summed_gradients_are_confirmed_by_finite_differences(app):
    at = app(PAGE)
    inst = textbook()
    for qid in ("dW_hy", "dW_hh"):  # the output layer, then the sums over time
        at, _ = fill_group(at, inst, group_index(inst, qid))
    table = at.dataframe[-1].value
    assert list(table["gradient"]) == ["∂E/∂W_hy", "∂E/∂b_y", "∂E/∂W_hh", "∂E/∂W_xh", "∂E/∂b_h"]
    for err in table["your relative error"]:
        assert float(err) < 1e-6  # the learner typed 8 significant digits of the truth
    assert set(table["verdict"]) == {"✓ agrees"}
    for err in table["BPTT (exact) relative error"]:
        assert float(err) < 1e-7


def test_unreadable_gradient_is_reported_as_such_in_the_check(app):
    at = app(PAGE)
    inst = textbook()
    at, _ = fill_group(at, inst, group_index(inst, "dW_hy"), {"dW_hy": "[[1, 2], [3"})
    assert "unreadable" in list(at.dataframe[-1].value["your relative error"])
    assert metric(at, "Attempts used") == "1"  # db_y counted; the unreadable dW_hy did not


def test_contribution_chart_appears_with_the_k_terms(app):
    at = app(PAGE)
    inst = textbook()
    assert not at.get("vega_lite_chart")
    at, _ = fill_group(at, inst, group_index(inst, "dE3_dW_hh[3]"))
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1
    assert not at.exception


def test_continues_from_the_forward_screens_variant(app):
    at = app("pages/forward_exercise.py")
    at.button(key="new_practice::forward_hello").click().run()
    variant = at.session_state[f"{VARIANT_KEY}::{DEF.group}"]  # the forward and BPTT screens share one variant
    at.switch_page(PAGE).run()
    assert any(f"seed {variant['seed']}" in m.value for m in at.markdown)
    inst = make_instance(DEF, variant["seed"], hidden=variant["hidden"])
    assert widget_key(inst, "dy[1]") in [t.key for t in at.text_input]


def test_the_forward_values_bptt_starts_from_are_shown(app):
    from core.formatting import bmatrix

    at = app(PAGE)
    inst = textbook()
    latex = " ".join(x.value for x in at.latex)
    for t in range(inst.trace.T):
        assert bmatrix(inst.trace.h[t], 4) in latex and bmatrix(inst.trace.p[t], 4) in latex


def test_a_gradient_that_is_off_is_marked_as_disagreeing(app):
    at = app(PAGE)
    inst = textbook()
    wrong = format_value(2 * inst.quantity("dW_hy").truth, digits=6)
    at, _ = fill_group(at, inst, group_index(inst, "dW_hy"), {"dW_hy": wrong})
    table = at.dataframe[-1].value
    row = table[table["gradient"] == "∂E/∂W_hy"].iloc[0]
    assert row["verdict"].startswith("✗") and float(row["your relative error"]) > 0.1


def test_matrix_inputs_show_an_example_of_their_own_shape(app):
    """Only vectors had a format example; a matrix box was empty."""
    at = app(PAGE)
    inst = textbook()
    i = next(i for i, (_, qs) in enumerate(groups(inst)) if any(q.kind == "matrix" for q in qs))
    at.selectbox(key="bptt_group").set_value(i).run()
    for q in groups(inst)[i][1]:
        box = at.text_input(key=widget_key(inst, q.id))
        if q.kind == "matrix":
            rows, cols = q.shape
            assert box.placeholder.startswith("e.g. [[") and box.placeholder.count("], [") == rows - 1
            assert box.placeholder.split("], [")[0].count(",") == cols - 1
        elif q.kind == "vector":
            assert box.placeholder.count(",") == q.shape[0] - 1
