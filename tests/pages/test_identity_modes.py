"""Whose progress is this, in both modes: personal (profiles of this computer, session-only guests) and class
(sign-in through st.login; AppTest sets st.user the way a signed-in session has it)."""
from __future__ import annotations

import pytest

from core.course.engine import load_all, make_instance
from core.formatting import md_escape
from core.progress import Store, account, profile
from ui.exercise import widget_key

FORWARD = load_all()["forward_hello"]
AUTH = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "x" * 32, "client_id": "app",
        "client_secret": "s", "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}


def texts(at) -> str:
    parts = [e.value for kind in ("markdown", "caption", "success", "info", "warning", "error", "title", "subheader")
             for e in getattr(at, kind)]
    return " ".join(str(p) for p in parts)


def check_first_value(at, inst):
    at.text_input(key=widget_key(inst, "W_xh_x[1]")).set_value(inst.answer_text("W_xh_x[1]"))
    at.button(key=next(b.key for b in at.button if b.label == "Check")).click().run()
    assert not at.exception, [e.value for e in at.exception]


# ------------------------------------------------------------------------------------------- personal mode


def test_a_chosen_name_stays_in_the_address_on_every_page_and_brings_the_work_back(app):
    inst = make_instance(FORWARD, FORWARD.textbook_seed)
    at = app("pages/home.py")
    at.text_input(key="home_learner_input").input("Ana").run()
    at.button(key="home_learner_save").click().run()
    for page in ("pages/forward_exercise.py", "pages/quiz.py", "pages/dashboard.py", "pages/forward_exercise.py"):
        at.switch_page(page).run()
        assert at.query_params["learner"] == "Ana", page  # a reload of this address keeps Ana
    check_first_value(at, inst)
    reload = app()  # a new browser session on the bookmarked address: nothing in session state
    reload.query_params["learner"] = "Ana"
    reload.switch_page("pages/forward_exercise.py").run()
    assert "Saving progress for **Ana**" in texts(reload)
    assert reload.text_input(key=widget_key(inst, "W_xh_x[1]")).value == inst.answer_text("W_xh_x[1]")


def test_a_guest_is_a_guest_of_one_session_only(app):
    inst = make_instance(FORWARD, FORWARD.textbook_seed)
    first = app("pages/forward_exercise.py")
    assert "guest" in texts(first).lower()
    check_first_value(first, inst)
    stranger = app("pages/forward_exercise.py")  # another browser
    assert stranger.text_input(key=widget_key(inst, "W_xh_x[1]")).value == ""
    stranger.switch_page("pages/dashboard.py").run()
    assert next(m.value for m in stranger.metric if m.label == "Answers checked") == "0"
    assert [i.name for i in Store().learners()] == []  # guests are never listed as profiles


def test_a_guest_keeps_their_work_by_choosing_a_name(app):
    inst = make_instance(FORWARD, FORWARD.textbook_seed)
    at = app("pages/forward_exercise.py")
    check_first_value(at, inst)
    at.switch_page("pages/home.py").run()
    at.text_input(key="home_learner_input").input("Bea").run()
    at.button(key="home_learner_save").click().run()
    assert "1 answer as a guest is now kept under your name" in texts(at)
    assert len(Store().attempts(profile("Bea"))) == 1
    at.switch_page("pages/forward_exercise.py").run()
    assert at.text_input(key=widget_key(inst, "W_xh_x[1]")).value == inst.answer_text("W_xh_x[1]")


def test_home_lists_this_computers_profiles_in_personal_mode(app):
    Store().ensure_learner("Cleo")
    at = app()
    assert any(b.label == "Continue as Cleo" for b in at.button)


# ---------------------------------------------------------------------------------------------- class mode


def class_app(app, user: dict | None, page: str | None = None, **query):
    """The app as a class server shows it: [auth] configured; `user` as st.user has it (None: not signed in)."""
    from streamlit.testing.v1 import AppTest

    from core.paths import ROOT

    app()  # the fixture's data folder and working directory
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": False} if user is None else {"is_logged_in": True, "iss": "http://idp", **user}
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_visitor_who_is_not_signed_in_sees_the_app_and_the_sign_in_button_only(app):
    Store().ensure_learner("Alice")  # a profile in the database: never shown on a class server
    Store().record_attempt(_attempt(account("http://idp", "s1", "alice@school.edu")))
    at = class_app(app, None, learner="Alice")
    assert any(b.label == "Sign in with your school account" for b in at.button)
    assert not any(b.label.startswith("Continue as") for b in at.button)
    assert not [t for t in at.text_input if t.key == "home_learner_input"]  # nobody types a name
    shown = texts(at)
    assert "Alice" not in shown and "alice@school.edu" not in shown
    with pytest.raises(ValueError, match=r"Known pages: \['[^']*pages/home.py'\]"):
        at.switch_page("pages/dashboard.py")  # no other page exists for this visitor, not even by its address


def _attempt(learner, text="0.5"):
    from core.progress import Attempt
    return Attempt(learner=learner, exercise_id="forward_hello", quantity_id="z[1]", answer_text=text,
                   status="correct", credit=1.0, lesson="forward-equations")


@pytest.mark.parametrize("learner_param", [None, "Alice"])
def test_a_signed_in_learner_sees_only_their_own_progress_whatever_the_address_says(app, learner_param):
    Store().record_attempts([_attempt(account("http://idp", "s1", "alice@school.edu"), "alice's"),
                             _attempt(profile("Alice"), "the profile's")])
    query = {"learner": learner_param} if learner_param else {}
    bob = class_app(app, {"sub": "s2", "email": "bob@school.edu"}, "pages/dashboard.py", **query)
    assert next(m.value for m in bob.metric if m.label == "Answers checked") == "0"
    assert f"Progress of **{md_escape('bob@school.edu')}**" in texts(bob)
    assert "learner" not in bob.query_params  # the parameter is taken out: it names nobody here
    alice = class_app(app, {"sub": "s1", "email": "alice@school.edu"}, "pages/dashboard.py", **query)
    assert next(m.value for m in alice.metric if m.label == "Answers checked") == "1"


def test_a_signed_in_learner_saves_under_their_subject_and_cannot_import(app):
    inst = make_instance(FORWARD, FORWARD.textbook_seed)
    at = class_app(app, {"sub": "s9", "email": "dana@school.edu", "name": "Dana"}, "pages/forward_exercise.py")
    assert f"Saving progress for **{md_escape('dana@school.edu')}**" in texts(at)
    check_first_value(at, inst)
    assert len(Store().attempts(account("http://idp", "s9"))) == 1  # keyed by the subject, not the e-mail
    at.switch_page("pages/dashboard.py").run()
    assert "importing a file is switched off" in texts(at)
    assert not [u for u in at.get("file_uploader")]
    home = class_app(app, {"sub": "s9", "email": "dana@school.edu", "name": "Dana"})
    assert f"Signed in as **{md_escape('dana@school.edu')}**" in texts(home)
    assert any(b.label == "Sign out" for b in home.sidebar.button)
    assert not [t for t in home.text_input if t.key == "home_learner_input"]  # nobody types a name
