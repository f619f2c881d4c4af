"""AppTest of the training screen: hello is learnt, bad texts are refused, and the model survives slider moves."""
from __future__ import annotations

import io

import pandas as pd
import pyarrow as pa

from core.rnn.train import MAX_DISTINCT, MAX_TEXT

PAGE = "pages/train_rnn.py"


def metric(at, label_start: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label_start))


def chart_data(at, dataset: str) -> pd.DataFrame:
    for el in at.get("vega_lite_chart"):
        for ds in el.proto.datasets:
            if ds.name == dataset:
                return pa.ipc.open_stream(io.BytesIO(ds.data.data)).read_all().to_pandas()
    names = [[ds.name for ds in e.proto.datasets] for e in at.get("vega_lite_chart")]
    raise AssertionError(f"no chart reads the dataset {dataset!r}; the charts read {names}")


def prob_table(at) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "most likely" in d.value.columns)


def test_training_hello_makes_o_follow_hell(app):
    at = app(PAGE)
    assert not at.exception
    assert metric(at, "Iterations") == "0"
    before = prob_table(at)
    assert list(before.index) == [0] and float(before.loc[0, "'o'"]) < 0.5
    at.button(key="tr_train").click().run()
    assert not at.exception
    assert metric(at, "Iterations") == "100"
    table = prob_table(at)
    assert table.index[0] == 0 and table.index[-1] == 100 and len(table) > 5
    assert table["most likely"].iloc[-1] == "'o'" and float(table["'o'"].iloc[-1]) > 0.9
    assert any("p('o' | 'hell') = " in s.value and "learnt" in s.value for s in at.success)
    loss = chart_data(at, "loss")
    assert loss.iteration.max() == 100 and set(loss.curve) == {"loss of the chunk", "running average"}
    probs = chart_data(at, "probs")
    assert set(probs.character) == {"'h'", "'e'", "'l'", "'o'"}


def test_empty_short_and_odd_texts_get_a_clear_message(app):
    at = app(PAGE)
    for text, words in (("", "empty"), ("a", "at least two characters"), ("aaaa", "only one distinct character"),
                        ("".join(map(chr, range(0x4E00, 0x4E00 + MAX_DISTINCT + 5))),
                         f"{MAX_DISTINCT + 5} different characters; the limit is {MAX_DISTINCT}")):
        at.text_area(key="tr_text").set_value(text).run()
        assert not at.exception
        assert any(words in e.value for e in at.error), f"{text[:10]!r}: {[e.value for e in at.error]}"
        assert not at.get("vega_lite_chart")


def test_the_text_box_has_its_limit_and_says_what_a_longer_paste_does(app):
    at = app(PAGE)
    assert at.text_area(key="tr_text").proto.max_chars == MAX_TEXT  # the browser refuses a longer paste
    assert any(f"Up to {MAX_TEXT:,} characters" in c.value and "A longer paste is not taken" in c.value
               for c in at.caption)
    at.text_area(key="tr_text").set_value("ab" * (MAX_TEXT // 2)).run()  # exactly the limit: trained on
    assert not at.exception and not at.error and metric(at, "Iterations") == "0"


def test_slider_changes_keep_the_model_and_new_model_restarts_it(app):
    at = app(PAGE)
    at.button(key="tr_train").click().run()
    at.select_slider(key="tr_lr").set_value(0.01).run()
    at.radio(key="tr_opt").set_value("sgd").run()
    assert metric(at, "Iterations") == "100", "a learning-rate or optimiser change must not reset the model"
    at.button(key="tr_train").click().run()
    assert metric(at, "Iterations") == "200"
    at.slider(key="tr_hidden").set_value(8).run()
    assert metric(at, "Iterations") == "200"
    assert any("New model" in i.value for i in at.info), "a shape change asks before discarding the model"
    at.button(key="tr_reset").click().run()
    assert not at.exception
    assert metric(at, "Iterations") == "0" and not any("New model" in i.value for i in at.info)


def test_training_controls_change_the_loss_curve(app):
    def last_loss(at):
        df = chart_data(at, "loss")
        return df[df.curve == "loss of the chunk"].loss.to_numpy()

    at = app(PAGE)
    at.button(key="tr_train").click().run()
    base = last_loss(at)
    at.button(key="tr_reset").click().run()
    at.select_slider(key="tr_lr").set_value(0.001).run()
    at.button(key="tr_train").click().run()
    slow = last_loss(at)
    assert slow[-1] > base[-1] + 0.5, "with a learning rate of 0.001 the loss stays far higher after 100 iterations"
    at.button(key="tr_reset").click().run()
    at.slider(key="tr_seq").set_value(1).run()
    at.button(key="tr_train").click().run()
    assert not at.exception
    short = last_loss(at)
    assert len(short) == len(slow) and not (short == slow).all(), "one-character chunks train differently"
    at.select_slider(key="tr_iters").set_value(10)
    at.button(key="tr_train").click().run()
    assert metric(at, "Iterations") == "110"


def test_sampling_with_temperature_zero_spells_hello(app):
    at = app(PAGE)
    at.select_slider(key="tr_iters").set_value(200)
    at.button(key="tr_train").click().run()
    at.slider(key="tr_temp").set_value(0.0)
    at.slider(key="tr_len").set_value(4).run()
    assert not at.exception
    assert at.code[0].value == "hello"
    at.text_input(key="tr_start").set_value("hx").run()
    assert any("'x' is not in the vocabulary" in e.value for e in at.error)


def test_gradient_check_reports_small_relative_errors(app):
    at = app(PAGE)
    at.button(key="tr_check").click().run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "relative error" in d.value.columns)
    assert list(table.index) == ["W_xh", "W_hh", "W_hy", "b_h", "b_y"]
    assert all(float(x) < 1e-6 for x in table["relative error"])
    assert any("match the differences" in s.value for s in at.success)


def test_context_must_use_the_texts_characters(app):
    at = app(PAGE)
    at.text_input(key="tr_context").set_value("help").run()
    assert any("'p' is not among them" in w.value and "'hell' instead" in w.value for w in at.warning)
    at.button(key="tr_train").click().run()  # a bad context never blocks training
    assert metric(at, "Iterations") == "100"
    at.text_input(key="tr_context").set_value("he").run()
    assert not at.warning and list(prob_table(at).columns)[-1] == "most likely"


def test_a_new_text_trains_a_new_model_of_that_text(app):
    """The bug: after pasting a new text, Train went on training the "hello" model."""
    at = app(PAGE)
    at.button(key="tr_train").click().run()
    assert metric(at, "Iterations") == "100"
    at.text_area(key="tr_text").set_value("to be or not to be").run()
    assert not at.exception and not at.warning and not at.error
    assert metric(at, "Iterations") == "0", "a changed text starts a model of that text"
    assert any("New text, new network" in i.value and "18 characters" in i.value for i in at.info)
    assert at.text_input(key="tr_context").value == "to b"
    assert at.text_input(key="tr_start").value == "t"
    at.button(key="tr_train").click().run()
    assert metric(at, "Iterations") == "100"
    assert not any("New text" in i.value for i in at.info), "said once, when the text changed"
    chars = [c for c in prob_table(at).columns if c.startswith("'")]
    assert len(chars) == 5 and set(chars) <= {repr(c) for c in "to bern"} and "'e'" in chars
    assert set(chart_data(at, "probs").character) == set(chars)
    assert set(at.get("code")[0].value) <= set("to be or not to be")
    at.select_slider(key="tr_iters").set_value(500)
    at.button(key="tr_train").click().run()
    assert any("p('e' | 'to b') = " in s.value and "your text goes on with 'e'" in s.value for s in at.success)


def test_messages_speak_of_the_learners_text_not_of_hell(app):
    """The bug: a new model of another text still said "p(o | 'hell') = 0.025 — train on to push it above 0.9"."""
    at = app(PAGE)
    at.text_area(key="tr_text").set_value("oh hello there").run()
    assert at.text_input(key="tr_context").value == "oh h"
    said = [c.value for c in at.caption] + [s.value for s in at.success]
    assert any("p('e' | 'oh h') = " in x and "begins with 'oh h' followed by 'e'" in x for x in said), said
    assert not any("'hell'" in x for x in said)
    at.text_input(key="tr_context").set_value("e").run()  # not the opening: what the text has after it
    assert any("In your text 'e' is followed by 'l' (1×), 'r' (1×)" in c.value for c in at.caption)
    at.text_input(key="tr_context").set_value("ere").run()  # only at the very end
    assert any("'ere' is not followed by any character in your text" in c.value for c in at.caption)


def test_the_next_character_table_shows_the_top_five_of_a_long_alphabet(app):
    """The bug: the table had a column per character (30+) and was cut off."""
    at = app(PAGE)
    text = "the quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs!"
    at.text_area(key="tr_text").set_value(text).run()
    at.select_slider(key="tr_iters").set_value(10)
    at.button(key="tr_train").click().run()
    table = prob_table(at)
    chars = [c for c in table.columns if c.startswith("'")]
    rest = len(set(text)) - len(chars)
    assert len(chars) in (5, 6) and "'q'" in chars, "the top five, and the character the text has after 'the '"
    assert rest > 20
    assert list(table.columns) == chars + [f"the other {rest}", "most likely"]
    row = table.iloc[-1]
    assert abs(sum(float(row[c]) for c in chars) + float(row[f"the other {rest}"]) - 1) < 0.01
    assert set(chart_data(at, "probs").character) == set(chars)
    assert any("5 characters the model now finds most likely" in c.value for c in at.caption)


def test_the_model_survives_a_trip_to_another_page(app):
    at = app(PAGE)
    at.button(key="tr_train").click().run()
    at.switch_page("pages/home.py").run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert metric(at, "Iterations") == "100"


def test_diverging_training_is_flagged(app):
    at = app(PAGE)
    at.text_area(key="tr_text").set_value("the quick brown fox jumps over the lazy dog " * 4).run()
    at.slider(key="tr_hidden").set_value(128).run()
    at.select_slider(key="tr_lr").set_value(1.0).run()
    at.radio(key="tr_opt").set_value("sgd").run()
    at.selectbox(key="tr_clip").set_value("none").run()
    at.button(key="tr_reset").click().run()
    assert not any("diverging" in w.value for w in at.warning)
    at.button(key="tr_train").click().run()
    assert not at.exception
    assert any("diverging" in w.value for w in at.warning)
