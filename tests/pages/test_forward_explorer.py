"""AppTest of the read-only forward pass explorer: what the learner sees follows the seeded trace."""
import numpy as np

from core.course.engine import load_all
from core.formatting import fmt
from core.rnn.network import trace_text

PAGE = "pages/forward_explorer.py"
FORWARD = load_all()["forward_hello"]
SEED, HIDDEN = FORWARD.textbook_seed, FORWARD.hidden  # the explorer opens on the exercises' network


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_default_view_shows_the_hello_network(app):
    at = app(PAGE)
    assert not at.exception
    vocab, params, tr = trace_text("hello", HIDDEN, SEED)
    assert metric(at, "Total loss E") == fmt(tr.loss, 4)
    assert metric(at, "Predicted next characters") == "".join(vocab.chars[i] for i in tr.predicted)
    assert "h, e, l, o" in " ".join(m.value for m in at.markdown)
    latex = " ".join(x.value for x in at.latex)
    assert r"W_{xh} = \begin{bmatrix}" in latex and fmt(params.W_xh[0, 0], 2) in latex
    table = at.table[0].value  # a static table: every column and row shows (a dataframe cut it off at y_t)
    assert list(table["t"]) == [1, 2, 3, 4] and list(table["input"]) == list("hell")
    assert list(table.columns)[-4:] == ["y_t", "p_t", "predicted", "E_t"]
    assert table["E_t"].tolist() == [fmt(v, 4) for v in tr.loss_t]
    assert any("0.567" in i.value for i in at.info)  # t = 1: only the input column and the bias


def test_changing_seed_and_hidden_size_changes_the_network(app):
    at = app(PAGE)
    before = metric(at, "Total loss E")
    at.number_input[0].set_value(7).run()
    at.slider[0].set_value(5).run()
    assert not at.exception
    _, _, tr = trace_text("hello", 5, 7)
    assert metric(at, "Total loss E") == fmt(tr.loss, 4) != before
    assert at.table[0].value["h_t"].iloc[0].count(",") == 4  # five hidden units


def test_a_twelve_character_text_shows_all_eleven_steps(app):
    at = app(PAGE)
    at.text_input(key="explorer_text").set_value("hello world!").run()
    assert not at.exception
    assert list(at.table[0].value["t"]) == list(range(1, 12))


def test_step_slider_shows_that_steps_numbers(app):
    at = app(PAGE)
    at.slider[1].set_value(3).run()
    _, _, tr = trace_text("hello", HIDDEN, SEED)
    latex = " ".join(x.value for x in at.latex)
    assert "z_{3}" in latex and fmt(tr.z[2][0]) in latex
    assert not any("0.567" in i.value for i in at.info)


def test_another_text_and_a_too_short_text(app):
    at = app(PAGE)
    at.text_input[0].set_value("abcab").run()
    assert "a, b, c" in " ".join(m.value for m in at.markdown)
    at.text_input[0].set_value("a").run()
    assert not at.exception
    assert "at least two characters" in at.error[0].value


def test_normal_initialisation_has_zero_biases(app):
    at = app(PAGE)
    at.toggle[0].set_value(False).run()
    latex = " ".join(x.value for x in at.latex)
    _, params, _ = trace_text("hello", HIDDEN, SEED, hand_friendly=False)
    assert np.all(params.b_h == 0) and r"b_{h} = \begin{bmatrix}0.00 \\ 0.00 \\ 0.00\end{bmatrix}" in latex


def test_a_two_character_text_has_one_step_and_no_step_slider(app):
    at = app(PAGE)
    at.text_input(key="explorer_text").set_value("ab").run()
    assert not at.exception
    assert [s.label for s in at.slider] == ["Hidden size H"]
    assert any("z_{1}" in x.value for x in at.latex)


def test_it_opens_on_the_variant_of_the_exercises_and_can_go_back_to_it(app):
    at = app("pages/forward_exercise.py")
    at.button(key="new_practice::forward_hello").click().run()
    variant = at.session_state["rnn_variant::hello"]  # the variant group of the forward and BPTT exercises
    at.switch_page(PAGE).run()
    assert at.number_input(key="explorer_seed").value == variant["seed"]
    assert any("network of the forward-pass and BPTT exercises" in c.value for c in at.caption)
    at.number_input(key="explorer_seed").set_value(5).run()
    assert not any("network of the forward-pass" in c.value for c in at.caption)
    at.button[0].click().run()
    assert at.number_input(key="explorer_seed").value == variant["seed"]


def test_a_network_met_here_can_be_computed_by_hand(app):
    at = app(PAGE)
    at.text_input(key="explorer_text").set_value("abba").run()
    links = [e.proto for e in at.get("page_link")]
    link = next(p for p in links if p.label == "Compute this network by hand")
    seed = at.number_input(key="explorer_seed").value
    assert "text=abba" in link.query_string and f"seed={seed}" in link.query_string
    at.text_input(key="explorer_text").set_value("aaaa").run()  # a text the exercises refuse: no link
    assert not any(e.proto.label == "Compute this network by hand" for e in at.get("page_link"))
