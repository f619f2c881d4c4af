"""The worked-examples screen: a fully worked first network, then the last value of each step left blank,
fading two stages after a clean network and staying put after a named mistake; the stage is kept in the
store, so tomorrow's session carries on where this one stopped."""
from __future__ import annotations

from core.course.engine import load_all, make_instance
from core.formatting import format_value
from core.progress import Store, resolve_url
from tests.conftest import session_learner

FORWARD = load_all()["forward_hello"]


def open_page(app, learner="Ana"):
    at = app("pages/worked_examples.py")
    at.query_params["learner"] = learner
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def stage_text(at) -> str:
    return at.get("progress")[0].proto.text


def network(at):
    """The instance on screen and its blank inputs, from their keys in::<exercise>::<seed>::<hidden>::<qid>."""
    boxes = [t for t in at.text_input if t.key and t.key.startswith("in::")]
    _, exercise, seed, hidden, _ = boxes[0].key.split("::")
    return make_instance(FORWARD, int(seed), hidden=int(hidden)), boxes


def answer_all(at, inst, typed=None):
    """Fill each form's blanks (the true values unless `typed` says otherwise) and press its Check, form by form
    (a form sends its inputs only with its own button)."""
    typed = typed or {}
    groups = {}
    for box in [t for t in at.text_input if t.key and t.key.startswith("in::")]:
        qid = box.key.rsplit("::", 1)[1]
        groups.setdefault(inst.quantity(qid).group, []).append(qid)
    for title, qids in groups.items():
        for qid in qids:
            at.text_input(key=f"in::forward_hello::{inst.seed}::{inst.hidden}::{qid}").input(
                typed.get(qid, inst.answer_text(qid)))
        at.button(key=f"check::forward_hello::fade::{title}").click().run()
        assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_first_network_is_worked_out_in_full_then_the_last_value_of_each_step_is_blank(app):
    at = open_page(app)
    assert stage_text(at).startswith("Stage 0 of 8")
    assert not [t for t in at.text_input if t.key and t.key.startswith("in::")]  # nothing to type yet
    assert sum("= " in m.value or "$$" in m.value for m in at.markdown) >= 33  # every value worked out
    at.button(key="fade_next").click().run()
    assert stage_text(at).startswith("Stage 1 of 8: the last value of each step is yours")
    inst, boxes = network(at)
    assert [b.key.rsplit("::", 1)[1] for b in boxes] == ["loss[1]", "loss[2]", "loss[3]", "loss[4]", "loss"]
    assert inst.seed != FORWARD.textbook_seed
    fade = Store(resolve_url()[0]).fade(session_learner(at), "forward_hello")
    assert (fade.stage, fade.seed) == (1, inst.seed)  # in the store: a new session carries on here
    again = open_page(app)
    assert stage_text(again).startswith("Stage 1 of 8")


def test_a_clean_network_fades_two_stages_and_a_named_mistake_keeps_the_stage(app):
    at = open_page(app)
    at.button(key="fade_next").click().run()
    inst, boxes = network(at)
    answer_all(at, inst)
    assert any("Every blank of this network is done" in s.value for s in at.success)
    at.button(key="fade_next").click().run()
    assert stage_text(at).startswith("Stage 3 of 8")  # right at the first try, no hints: faster
    inst, boxes = network(at)
    assert len(boxes) == 3 * 4 + 1  # y, p... the last three values of each step, and the total loss
    answer_all(at, inst, {"loss[2]": format_value(inst.mistake_value("loss[2]", "log10"), digits=8)})
    assert any("log" in e.value.lower() for e in at.error), [e.value for e in at.error]  # the mistake is named
    answer_all(at, inst)
    assert any("Every blank of this network is done" in s.value for s in at.success)
    seed = inst.seed
    at.button(key="fade_next").click().run()
    assert stage_text(at).startswith("Stage 3 of 8")  # a named mistake on the way: the same stage again...
    assert network(at)[0].seed != seed  # ...on a new network


def test_an_imported_place_of_another_hidden_size_keeps_its_stage_on_a_network_of_this_exercise(app):
    from core.progress.cards import Fade

    Store(resolve_url()[0]).set_fade("Ana", "forward_hello", Fade(2, 5, 9))  # hidden 9: not this exercise's size
    at = open_page(app)
    assert stage_text(at).startswith("Stage 2 of")
    inst, boxes = network(at)
    assert inst.hidden == FORWARD.hidden and boxes, "the blanks of stage 2, on a network of the exercise's size"
    assert Store(resolve_url()[0]).fade("Ana", "forward_hello").hidden == FORWARD.hidden  # and that is kept
