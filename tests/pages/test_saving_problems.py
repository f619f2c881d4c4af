"""Never silently forget: while answers cannot be saved every page says so at the top, an answer whose save
failed stays in its form and is saved when it is checked again, and a read-only store is shown read-only."""
from __future__ import annotations

import pytest

from core.app_pages import registered_pages
from core.course.engine import load_all, make_instance
from core.errors import StoreError
from core.progress import Store
from tests.conftest import session_learner
from ui.exercise import widget_key

FORWARD = load_all()["forward_hello"]


def warnings(at) -> str:
    return " ".join(w.value for w in at.warning)


@pytest.mark.parametrize("page", sorted(registered_pages()))
def test_every_page_says_plainly_that_answers_cannot_be_saved(app, monkeypatch, page):
    monkeypatch.setenv("RNN_TUTOR_DB_URL", "postgresql+psycopg://tutor:pw@127.0.0.1:9/rnn")  # nothing listens
    at = app(None if page == "pages/home.py" else page)  # AppTest's switch to the default page drops the frame
    assert not at.exception, [e.value for e in at.exception]
    text = warnings(at)
    assert "cannot be saved right now" in text, (page, text)
    assert "127.0.0.1" not in text and "postgresql" not in text and "pw" not in text.split()


def test_an_answer_whose_save_failed_stays_in_the_form_and_is_saved_when_checked_again(app, monkeypatch):
    inst = make_instance(FORWARD, FORWARD.textbook_seed)
    at = app("pages/forward_exercise.py")
    real = Store.record_attempts
    calls = {"n": 0}

    def flaky(self, items, reviews=()):
        calls["n"] += 1
        if calls["n"] == 1:
            raise StoreError("Could not save your answer: the class database cannot be reached right now.")
        return real(self, items, reviews)
    monkeypatch.setattr(Store, "record_attempts", flaky)
    key = widget_key(inst, "W_xh_x[1]")
    at.text_input(key=key).set_value(inst.answer_text("W_xh_x[1]"))
    check = next(b.key for b in at.button if b.label == "Check")
    at.button(key=check).click().run()
    assert "could not be saved" in warnings(at)
    assert at.text_input(key=key).value == inst.answer_text("W_xh_x[1]")  # the typed answer is still there
    assert Store().attempts(session_learner(at)) == []
    assert next(m.value for m in at.metric if m.label == "Attempts used") == "0"  # nothing counted as saved
    at.button(key=check).click().run()  # the same answer, checked again once saving works
    (saved,) = Store().attempts(session_learner(at))
    assert saved.quantity_id == "W_xh_x[1]" and saved.status == "correct"
    assert "could not be saved" not in warnings(at)


def test_a_read_only_store_is_shown_read_only_on_every_page(app, monkeypatch, tmp_path):
    import sqlite3

    at = app("pages/home.py")  # creates the data folder's progress file
    Store().record_attempt(__import__("core.progress", fromlist=["Attempt"]).Attempt(
        learner="Ana", exercise_id="forward_hello", quantity_id="z[1]", answer_text="1", status="correct", credit=1.0))

    def read_only_disk(self, url, p):
        raise sqlite3.OperationalError("attempt to write a readonly database")
    monkeypatch.setattr(Store, "_open", read_only_disk)
    import streamlit as st
    st.cache_resource.clear()  # a server started on the read-only disk
    at = app("pages/dashboard.py")
    at.query_params["learner"] = "Ana"
    at.run()
    assert "read-only" in warnings(at)
    assert next(m.value for m in at.metric if m.label == "Answers checked") == "1"  # her answers are shown
    assert str(tmp_path) not in warnings(at)
