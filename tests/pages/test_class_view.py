"""The instructor's class view: the owner of a personal install sees the profiles' numbers, an instructor of a
class server sees the signed-in accounts', nobody else can open it; filters, charts and downloads hold the
numbers worked out by hand."""
from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

from core.course.engine import make_instance
from core.progress import Attempt, Store, account, profile
from tests.pages.test_dashboard import FORWARD, answer_on_the_exercise_screens
from tests.pages.test_identity_modes import AUTH, check_first_value

PAGE = "pages/class_view.py"


def old(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


def ben_and_cleo(when: str | None = None):
    """Ben (40 days ago) leaves the bias out of z₁ and carries it into h₁ (right by method); Cleo, a profile with
    no answers."""
    when = when or old(40)
    Store().record_attempts([
        Attempt(learner=profile("Ben"), exercise_id=FORWARD.id, quantity_id="z[1]", answer_text="0.1",
                status="mistake", credit=0.0, diagnosis="Bias left out", created_at=when),
        Attempt(learner=profile("Ben"), exercise_id=FORWARD.id, quantity_id="h[1]", answer_text="0.1",
                status="ecf", credit=0.5, first_wrong="z[1]", created_at=when)])
    Store().ensure_learner("Cleo")


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def frame(at, column):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def chart_data(at, dataset):
    for chart in at.get("vega_lite_chart"):
        for d in chart.proto.datasets:
            if d.name == dataset:
                return convert_arrow_bytes_to_pandas_df(d.data.data)
    raise AssertionError(f"no chart shows {dataset!r}")


def table_row(at, qid):
    """The cells of a value's row in the Markdown table."""
    table = next(m.value for m in at.markdown if m.value.startswith("| Value |"))
    line = next(x for x in table.splitlines() if f"`{qid}` |" in x)
    return [c.strip() for c in line.strip("|").split("|")]


def test_the_owner_of_a_personal_install_sees_the_profiles_numbers(app):
    ben_and_cleo()
    at = answer_on_the_exercise_screens(app)  # Ana: W_xh·x₁ right, z₁ and y₁ without the bias, dy₁ revealed
    check_first_value(app("pages/forward_exercise.py"), make_instance(FORWARD, FORWARD.textbook_seed))  # a guest
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    assert metric(at, "Learners") == "3" and metric(at, "Answers checked") == "6"
    assert table_row(at, "z[1]") == ["$z_{ 1 }$ · `z[1]`", "0", "0", "0", "2", "0", "Bias left out (2)", ""]
    assert table_row(at, "W_xh_x[1]")[1:6] == ["1", "0", "0", "0", "0"]  # Ana's; the guest's is nobody's
    assert table_row(at, "h[1]")[1:6] + table_row(at, "h[1]")[7:] == ["0", "1", "0", "0", "0", "`z[1]` (1)"]
    bars = chart_data(at, "values")
    assert sorted(zip(bars["value"], bars["bucket"], bars["learners"], strict=True)) == [
        ("W_xh_x[1]", "right", 1), ("h[1]", "right by method", 1), ("y[1]", "wrong", 1), ("z[1]", "wrong", 2)]
    assert any("**2 learners** made **Bias left out** in `z[1]`" in m.value for m in at.markdown)
    assert chart_data(at, "mistakes")["learners"].tolist() == [2, 1]
    links = frame(at, "First wrong link")
    assert links.to_dict("records") == [{"First wrong link": "z[1]", "Learners": 1, "Carried into": "h[1]"}]
    people = frame(at, "Learner").set_index("Learner")
    assert list(people.index) == ["Ana", "Ben", "Cleo"]
    assert people.loc["Ana", "Right"] == 1 and people.loc["Ana", "Score"] == pytest.approx(1 / 33)
    assert people.loc["Ana", "Mistakes"] == 2 and people.loc["Ben", "Most frequent mistake"] == "Bias left out"
    assert people.loc["Cleo", "Answered"] == 0 and people.loc["Cleo", "Last active (UTC)"] == ""


def test_choosing_another_exercise_and_the_activity_filter(app):
    ben_and_cleo()
    at = answer_on_the_exercise_screens(app)
    at.switch_page(PAGE).run()
    at.selectbox(key="class_exercise").set_value("bptt_hello").run()
    assert table_row(at, "dy[1]")[1:6] == ["0", "0", "0", "0", "1"]  # Ana revealed it
    assert any("No named mistakes on this one" in c.value for c in at.caption)
    assert frame(at, "Learner").set_index("Learner").loc["Ana", "Solutions shown"] == 1
    at.selectbox(key="class_exercise").set_value("quiz:tanh").run()
    assert table_row(at, "tanh-half")[0].endswith("· `tanh-half`") and "$" not in table_row(at, "tanh-half")[0]
    at.selectbox(key="class_exercise").set_value(FORWARD.id)
    at.selectbox(key="class_days").set_value(30).run()
    assert metric(at, "Learners") == "1 of 3"  # Ben was here 40 days ago, Cleo never answered
    assert table_row(at, "z[1]")[4] == "1" and list(frame(at, "Learner")["Learner"]) == ["Ana"]
    at.selectbox(key="class_days").set_value(None).run()
    assert metric(at, "Learners") == "3"


def test_answers_on_an_own_text_have_their_own_entry_after_the_exercise(app):
    from core.course.own_text import stored_exercise_id

    abba = stored_exercise_id(FORWARD.id, "abba")  # the word an instructor gave the class
    Store().record_attempts([
        Attempt(learner=profile(who), exercise_id=abba, quantity_id="z[3]", answer_text="0.1", status=status,
                credit=credit, diagnosis=diagnosis)
        for who, status, credit, diagnosis in (("Ana", "correct", 1.0, None),
                                               ("Ben", "mistake", 0.0, "Bias left out"))])
    at = app(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    box = at.selectbox(key="class_exercise")
    titles = list(box.options)  # as the instructor reads them
    assert titles.index(f"{FORWARD.title}, on “abba”") == titles.index(FORWARD.title) + 1
    box.set_value(abba).run()
    assert table_row(at, "z[3]")[0] == "$z_{ 3 }$ · `z[3]`" and table_row(at, "z[3]")[1:5] == ["1", "0", "0", "1"]
    assert "Bias left out (1)" in table_row(at, "z[3]")
    assert "z[4]" not in next(m.value for m in at.markdown if m.value.startswith("| Value |")), \
        "abba has three steps: its own values, not hello's"


def test_a_new_answer_shows_on_the_next_rerun(app):
    ben_and_cleo(old(0))
    at = app(PAGE)
    assert table_row(at, "z[1]")[4] == "1"
    Store().record_attempt(Attempt(learner=profile("Cleo"), exercise_id=FORWARD.id, quantity_id="z[1]",
                                   answer_text="0.2", status="mistake", credit=0.0, diagnosis="Bias left out"))
    at.run()
    assert table_row(at, "z[1]")[4] == "2" and table_row(at, "z[1]")[6] == "Bias left out (2)"


def test_the_gradebook_and_the_summary_hold_the_numbers(app, downloads):
    ben_and_cleo()
    answer_on_the_exercise_screens(app)
    at = app(PAGE)
    (grades,) = [f for n, f in downloads.items() if n.startswith("class-gradebook-") and n.endswith(".csv")]
    (summary,) = [f for n, f in downloads.items() if n.startswith("class-summary-") and n.endswith(".json")]
    rows = list(csv.DictReader(io.StringIO(grades())))
    assert [r["Learner"] for r in rows] == ["Ana", "Ben", "Cleo"]
    assert float(rows[0][FORWARD.title]) == pytest.approx(1 / 33, abs=1e-4)
    assert float(rows[0]["Quiz: tanh and its derivative"]) == 0 and float(rows[1][FORWARD.title]) == 0
    assert "Course score" in rows[0] and any(k.startswith("Backpropagation") for k in rows[0])
    data = json.loads(summary())
    fwd = next(e for e in data["exercises"] if e["id"] == FORWARD.id)
    z1 = next(v for v in fwd["values"] if v["id"] == "z[1]")
    assert z1["learners"]["wrong"] == 2 and z1["top_mistake"] == {"mistake": "Bias left out", "learners": 2}
    assert data["learners_shown"] == 3 and "score" in data["definitions"]
    text = summary() + grades()
    assert "progress.db" not in text and "sqlite" not in text  # no path, no database URL
    assert not at.exception


def test_an_empty_class_is_said_so(app):
    at = app(PAGE)
    assert any("No profiles on this computer yet" in i.value for i in at.info)
    assert not at.get("vega_lite_chart") and not at.exception
    Store().ensure_learner("Dora")  # a profile without answers
    at.run()
    assert metric(at, "Learners") == "1" and any("Nobody has answered this one yet" in c.value for c in at.caption)
    assert frame(at, "Learner")["Learner"].tolist() == ["Dora"]


# ---------------------------------------------------------------------------------------------- class mode


def signed_in(app, email: str, sub: str, instructors: list[str] | None = None):
    from streamlit.testing.v1 import AppTest

    from core.paths import ROOT

    app()  # the fixture's data folder and working directory
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30)
    at.secrets["auth"] = AUTH
    if instructors is not None:
        at.secrets["class"] = {"instructors": instructors}
    at.user = {"is_logged_in": True, "iss": "http://idp", "sub": sub, "email": email}
    at.run()
    return at


def class_of_two():
    ana, bo = account("http://idp", "s1", "ana@school.edu"), account("http://idp", "s2", "bo@school.edu")
    Store().record_attempts([
        Attempt(learner=ana, exercise_id=FORWARD.id, quantity_id="z[1]", answer_text="0.3", status="correct",
                credit=1.0),
        Attempt(learner=bo, exercise_id=FORWARD.id, quantity_id="z[1]", answer_text="0.1", status="mistake",
                credit=0.0, diagnosis="Bias left out"),
        Attempt(learner=profile("Pat"), exercise_id=FORWARD.id, quantity_id="z[1]", answer_text="0.1",
                status="wrong", credit=0.0)])  # a profile in the same database: not one of the class


@pytest.mark.parametrize("how", ["env", "secrets"])
def test_an_instructor_of_a_class_server_sees_the_signed_in_learners(app, monkeypatch, how):
    class_of_two()
    if how == "env":
        monkeypatch.setenv("RNN_TUTOR_INSTRUCTORS", "someone@else.edu, Teacher@Example.edu")
    at = signed_in(app, "teacher@example.edu", "t1", ["teacher@example.edu"] if how == "secrets" else None)
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("signed in to this class server" in c.value for c in at.caption)
    assert metric(at, "Learners") == "2"  # Ana and Bo; the teacher has no answers and no row yet
    assert frame(at, "Learner")["Learner"].tolist() == ["ana@school.edu", "bo@school.edu"]
    assert table_row(at, "z[1]")[1:6] == ["1", "0", "0", "1", "0"]  # Pat's profile is not counted


def test_a_learner_of_a_class_server_cannot_open_the_class_view(app, monkeypatch):
    class_of_two()
    monkeypatch.setenv("RNN_TUTOR_INSTRUCTORS", "teacher@example.edu")
    at = signed_in(app, "ana@school.edu", "s1")
    with pytest.raises(ValueError, match="Known pages") as refused:
        at.switch_page(PAGE)
    known = str(refused.value).split("Known pages:")[1]
    assert "class_view" not in known and "pages/dashboard.py" in known
    at.switch_page("pages/dashboard.py").run()
    shown = " ".join(str(e.value) for kind in ("markdown", "caption", "metric") for e in getattr(at, kind))
    assert "bo@school.edu" not in shown and "Pat" not in shown
