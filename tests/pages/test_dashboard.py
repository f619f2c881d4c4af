"""Progress dashboard: reflects answers checked on other screens, charts them, ranks mistakes, suggests what
next; export then import round-trips; reset asks for confirmation; broken storage shows a clear warning."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

import pandas as pd
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from core.course.content import load_content
from core.course.engine import load_all, make_instance
from core.formatting import format_value
from core.paths import ROOT
from core.progress import Store
from core.progress.cards import Fade
from ui.exercise import widget_key

DEFS = load_all()
FORWARD, BPTT = DEFS["forward_hello"], DEFS["bptt_hello"]


def answer_on_the_exercise_screens(app) -> AppTest:
    """What a learner does on the real screens, with the engine's own ids: Ana checks step 1 of the forward
    pass (W_xh·x₁ right; z₁ and y₁ each with the bias left out, after one hint on z₁), then reveals the
    worked solution of dy₁ on the BPTT screen. Four saved answers, one of them right."""
    fwd = make_instance(FORWARD, FORWARD.textbook_seed)
    at = app("pages/home.py")
    at.text_input(key="home_learner_input").input("Ana").run()
    at.button(key="home_learner_save").click().run()
    at.switch_page("pages/forward_exercise.py").run()
    at.button(key=f"hint::{FORWARD.id}::z[1]").click().run()
    at.text_input(key=widget_key(fwd, "W_xh_x[1]")).set_value(fwd.answer_text("W_xh_x[1]"))
    for qid in ("z[1]", "y[1]"):
        at.text_input(key=widget_key(fwd, qid)).set_value(format_value(fwd.mistake_value(qid, "no_bias"), 6))
    at.button(key=next(b.key for b in at.button if b.label == "Check")).click().run()
    at.switch_page("pages/bptt_exercise.py").run()
    at.button(key=f"reveal::{BPTT.id}::dy[1]").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_dashboard(app, learner="Ana"):
    at = app("pages/dashboard.py")
    if learner:
        at.query_params["learner"] = learner
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def frame(at, column):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_a_new_learner_sees_an_empty_dashboard_and_where_to_start(app):
    at = open_dashboard(app, learner=None)
    assert metric(at, "Answers checked") == "0"
    assert any("working as a **guest**" in i.value for i in at.info)
    assert any("No answers yet" in c.value for c in at.caption)
    assert any("Read lesson 1" in m.value for m in at.markdown)
    assert not at.get("vega_lite_chart")


def test_the_dashboard_reflects_answers_from_the_exercise_screens(app):
    answer_on_the_exercise_screens(app)
    at = open_dashboard(app)
    assert metric(at, "Answers checked") == "4"
    assert metric(at, "Correct") == "25%"
    ex = frame(at, "Exercise").set_index("Exercise")
    assert ex.loc[FORWARD.title, "Answers"] == 3 and ex.loc[FORWARD.title, "Mastered"] == 1
    assert ex.loc[FORWARD.title, "Hints"] == 1 and ex.loc[BPTT.title, "Solutions shown"] == 1
    mistakes = frame(at, "Mistake")
    lesson = load_content().lesson("forward-equations").title
    assert mistakes.iloc[0].to_dict() == {"Mistake": "Bias left out", "Times": 2, "Lesson": lesson}
    assert any("most frequent mistake is **Bias left out** (2 times)" in m.value for m in at.markdown)
    (chart,) = at.get("vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    assert spec["mark"]["type"] == "bar"
    # one day of answers is one bar a day wide on an axis of at least a week, not one bar across the chart
    x = spec["encoding"]["x"]
    assert x["type"] == "temporal" and x["timeUnit"] == "utcyearmonthdate"
    start, end = (datetime.fromisoformat(d) for d in x["scale"]["domain"])
    assert (end - start).days == 6 and end.hour == 23
    assert spec["encoding"]["color"]["scale"]["range"] == ["green", "orange", "red"]  # the theme's colours
    assert "4 answers on 1 day" in chart.proto.alt
    data = pd.concat([convert_arrow_bytes_to_pandas_df(d.data.data) for d in chart.proto.datasets])
    assert sorted(zip(data["outcome"], data["answers"], strict=True)) == [("correct", 1), ("wrong", 3)]
    lessons = frame(at, "Practice answers").set_index("Lesson")
    order = load_content().lesson("forward-equations").order
    assert lessons.loc[f"{order}. {lesson}", "Practice answers"] == 3


def test_quiz_answers_show_up_per_lesson(app):
    at = app("pages/quiz.py")
    at.selectbox(key="quiz_pick").set_value("tanh").run()
    at.text_input(key="quiz_tanh_0_tanh-half").input("0.4621")
    at.button(key="quiz_tanh_0_tanh-half_check").click().run()
    at.switch_page("pages/dashboard.py").run()
    lessons = frame(at, "Quiz right").set_index("Lesson")
    assert lessons.loc["6. tanh and its derivative", "Quiz right"] == "1 of 6"
    assert lessons.loc["6. tanh and its derivative", "Status"] == "in progress"
    assert frame(at, "Exercise")["Exercise"].tolist() == ["Quiz: tanh and its derivative"]


def test_export_then_import_round_trips(app, downloads):
    answer_on_the_exercise_screens(app)
    Store().mark_lesson_read("Ana", "tanh")
    Store().set_fade("Ana", "forward_hello", Fade(2, 41, 3))  # a place in the worked examples
    before = Store().attempts("Ana")
    at = open_dashboard(app)
    exported = downloads["rnn-progress-Ana.json"]()  # the click
    assert json.loads(exported)["learner"] == "Ana" and len(json.loads(exported)["attempts"]) == 4
    assert downloads["rnn-progress-Ana.csv"]().count("\n") == 5  # header + 4 answers

    # reset, confirmed by typing the name
    assert at.button(key="dash_reset").disabled
    at.text_input(key="dash_reset_confirm").input("Ana").run()
    at.button(key="dash_reset").click().run()
    assert any("4 answers deleted" in s.value for s in at.success)
    assert metric(at, "Answers checked") == "0" and Store().attempts("Ana") == []

    # import the JSON file downloaded before
    at.file_uploader(key="dash_import_file").upload("rnn-progress-Ana.json", exported.encode(),
                                                    "application/json").run()
    at.button(key="dash_import").click().run()
    assert any("Imported 4 answers" in s.value and "1 lessons marked" in s.value
               and "your place in 1 worked example)" in s.value for s in at.success)
    assert Store().attempts("Ana") == [replace(a, source="import") for a in before]  # marked as brought in
    assert Store().fades("Ana") == {"forward_hello": Fade(2, 41, 3)}
    assert set(Store().lessons_read("Ana")) == {"tanh"}
    assert metric(at, "Answers checked") == "4"

    # importing the same file again adds nothing
    at.button(key="dash_import").click().run()
    assert any("Imported 0 answers" in s.value and "4 were already there" in s.value for s in at.success)
    assert len(Store().attempts("Ana")) == 4


def test_a_bad_import_file_changes_nothing(app):
    answer_on_the_exercise_screens(app)
    at = open_dashboard(app)
    at.file_uploader(key="dash_import_file").upload("notes.csv", b"name,score\nAna,3\n", "text/csv").run()
    at.button(key="dash_import").click().run()
    assert any(e.value.startswith("Nothing was imported") and "header lacks" in e.value for e in at.error)
    assert len(Store().attempts("Ana")) == 4


def test_a_corrupt_progress_file_is_moved_aside_with_a_message(app, tmp_path):
    data = tmp_path / "data"  # the folder the app fixture points RNN_TUTOR_DATA at
    data.mkdir()
    (data / "progress.db").write_bytes(b"\x00garbage\x00" * 500)
    at = open_dashboard(app)
    assert any("was damaged" in w.value and "progress.db.corrupt-" in w.value for w in at.warning)
    assert list(data.glob("progress.db.corrupt-*"))
    assert metric(at, "Answers checked") == "0"


def test_an_unwritable_data_folder_warns_and_the_app_keeps_working(app, tmp_path, monkeypatch):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    at = app("pages/quiz.py")
    monkeypatch.setenv("RNN_TUTOR_DATA", str(blocker / "data"))
    at.run()
    assert any("cannot be saved" in w.value and "memory" in w.value for w in at.warning)
    at.selectbox(key="quiz_pick").set_value("tanh").run()
    at.text_input(key="quiz_tanh_0_tanh-half").input("0.4621")
    at.button(key="quiz_tanh_0_tanh-half_check").click().run()
    assert any(s.value == "Correct." for s in at.success) and not at.exception
    at.switch_page("pages/dashboard.py").run()
    assert metric(at, "Answers checked") == "1"
    assert "kept in memory only" in " ".join(c.value for c in at.caption)


def test_the_home_page_sets_the_learner(app):
    at = app()
    at.text_input(key="home_learner_input").input("  Zoë  ").run()
    at.button(key="home_learner_save").click().run()
    assert not at.exception
    assert any("saved as **Zoë**" in s.value for s in at.success)
    at.switch_page("pages/dashboard.py").run()
    assert any("Progress of **Zoë**" in c.value for c in at.caption)
    assert not any("Guest" in i.value for i in at.info)
    assert [i.name for i in Store().learners()] == ["Zoë"]
    at.switch_page("pages/home.py").run()
    at.text_input(key="home_learner_input").input("bad\x07name").run()
    at.button(key="home_learner_save").click().run()
    assert any("control character" in e.value for e in at.error)


def test_the_entry_file_registers_the_learn_section():
    src = (ROOT / "streamlit_app.py").read_text()
    assert '"Learn": [' in src and "pages/lessons.py" in src and "pages/quiz.py" in src
    assert "pages/dashboard.py" in src


def test_a_returning_learner_continues_with_one_click(app):
    answer_on_the_exercise_screens(app)  # Ana has answers from an earlier session
    at = app()
    assert not any("saved as" in s.value for s in at.success)
    at.button(key="home_continue_0").click().run()
    assert any("saved as **Ana**" in s.value for s in at.success)
    at.switch_page("pages/dashboard.py").run()
    assert metric(at, "Answers checked") == "4"


def test_dashboard_names_exercises_and_offers_to_continue_one(app):
    from core.course.engine import load_all, make_instance
    from ui.exercise import widget_key

    definition = load_all()["forward_hello"]
    inst = make_instance(definition, definition.textbook_seed, hidden=definition.hidden)
    at = app("pages/forward_exercise.py")
    at.text_input(key=widget_key(inst, "W_xh_x[1]")).set_value(inst.answer_text("W_xh_x[1]"))
    at.button(key=next(b.key for b in at.button if b.label == "Check")).click().run()
    at.switch_page("pages/dashboard.py").run()
    assert not at.exception
    table = frame(at, "Exercise")
    assert definition.title in list(table["Exercise"])
    text = " ".join(m.value for m in at.markdown)
    assert f"Continue **{definition.title}** where you stopped: 1 of {len(inst.quantities)}" in text


def test_a_name_with_markup_is_shown_literally_and_guest_is_reserved(app):
    from ui.identity import PROFILE_KEY as LEARNER_KEY

    at = app("pages/home.py")
    at.text_input(key="home_learner_input").input("Zoë :red[x] **b** $x$").run()
    at.button(key="home_learner_save").click().run()
    assert at.session_state[LEARNER_KEY] == "Zoë :red[x] **b** $x$"
    assert any(r"Zoë \:red\[x\] \*\*b\*\* \$x\$" in s.value for s in at.success)
    at.text_input(key="home_learner_input").input("  guest ").run()
    at.button(key="home_learner_save").click().run()
    assert any("pick a name of your own" in e.value for e in at.error)
    assert at.session_state[LEARNER_KEY] == "Zoë :red[x] **b** $x$"
