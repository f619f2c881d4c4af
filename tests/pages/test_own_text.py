"""AppTest of a learner's own text on the forward and BPTT screens: from a link or typed in, bad text refused
with a clear message, answers stored under their own id, and the dashboard saying which text they were for."""
from streamlit.testing.v1 import AppTest

from core.course.engine import load_all, make_instance
from core.formatting import bmatrix
from core.progress import Store
from tests.conftest import ROOT, session_learner
from ui.exercise import groups, vetted_for_all, widget_key

FORWARD, BPTT = "pages/forward_exercise.py", "pages/bptt_exercise.py"
DEFS = load_all()


def open_with(query: dict, page: str = FORWARD) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30)
    at.query_params.update(query)
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def markdown(at) -> str:
    return " ".join(m.value for m in at.markdown)


def test_a_link_with_a_text_opens_that_network(app):
    seed = vetted_for_all(26, 3, "abba")
    at = open_with({"seed": str(seed), "hidden": "3", "text": "abba"})
    inst = make_instance(DEFS["forward_hello"], seed, hidden=3, text="abba")
    assert "Your text “abba”" in markdown(at) and "Vocabulary in order of first appearance: **a, b**" in markdown(at)
    assert bmatrix(inst.params.W_xh, 2) in " ".join(x.value for x in at.latex)
    assert "‘a’, ‘b’, ‘b’" in markdown(at)  # the summary names this text's inputs
    assert at.query_params["text"] in (["abba"], "abba")
    at.switch_page(BPTT).run()  # BPTT continues on the same text and network
    assert not at.exception and "Your text “abba”" in markdown(at)


def test_a_bad_text_in_a_link_gets_a_message_and_the_textbook_network(app):
    for text, fragment in (("a", "only one character"), ("aaaa", "only one distinct"), ("x" * 20, "12 at most"),
                           ("ab\ncd", "control character")):
        at = open_with({"text": text})
        assert any(fragment in w.value for w in at.warning), [w.value for w in at.warning]
        assert "Textbook network" in markdown(at)
        assert not at.error


def test_typing_a_text_moves_to_it_and_bad_text_is_refused(app):
    at = app(FORWARD)
    at.text_input(key="own_text::hello").set_value("hey you")
    at.button(key=next(b.key for b in at.button if b.label == "Use this text")).click().run()
    assert not at.exception
    assert "Your text “hey you”" in markdown(at)
    assert "␣" in markdown(at)  # the space is shown as a visible character
    at.text_input(key="own_text::hello").set_value("aaaa")
    at.button(key=next(b.key for b in at.button if b.label == "Use this text")).click().run()
    assert any("only one distinct character" in e.value and "stays on “hey you”" in e.value for e in at.error)
    assert "Your text “hey you”" in markdown(at)
    at.button(key="to_textbook::forward_hello").click().run()
    assert "Textbook network" in markdown(at)


def test_answers_on_an_own_text_are_stored_under_their_own_id_and_named_on_the_dashboard(app):
    at = app(FORWARD)
    at.text_input(key="own_text::hello").set_value("abba")
    at.button(key=next(b.key for b in at.button if b.label == "Use this text")).click().run()
    seed = int(at.query_params["seed"][0] if isinstance(at.query_params["seed"], list) else at.query_params["seed"])
    inst = make_instance(DEFS["forward_hello"], seed, hidden=3, text="abba")
    for q in groups(inst)[0][1]:
        at.text_input(key=widget_key(inst, q.id)).set_value(inst.answer_text(q.id))
    at.button(key=next(b.key for b in at.button if b.label == "Check")).click().run()
    assert len(at.success) == len(groups(inst)[0][1])
    saved = Store().attempts(session_learner(at))
    assert saved and {a.exercise_id for a in saved} == {"forward_hello/text:abba"}
    at.switch_page("pages/dashboard.py").run()
    assert not at.exception
    names = list(next(d.value for d in at.dataframe if "Exercise" in d.value.columns)["Exercise"])
    assert any("(your text “abba”)" in n for n in names), names


def test_a_short_text_leaves_the_lecture_chain_out_with_a_note(app):
    at = open_with({"text": "hey"}, BPTT)
    assert any("chain is left out" in c.value for c in at.caption)
    assert not at.error
