"""The load test's websocket client against a real `streamlit run`: it opens a deep link as a named learner,
checks step 1 of the forward pass like a browser, and the answers are in the store when the run ends."""
from __future__ import annotations

import asyncio

from bench.bench_load import ROWS_PER_CHECK, answer_sets
from bench.stclient import Session, stream_url
from core.progress import Store
from tests.browser.harness import streamlit_server


def test_stream_url_follows_the_app_address():
    assert stream_url("http://127.0.0.1:8501") == "ws://127.0.0.1:8501/_stcore/stream"
    assert stream_url("https://class.example/rnn/") == "wss://class.example/rnn/_stcore/stream"


async def check_twice(url: str, right: dict, wrong: dict):
    s = await Session(url).connect()
    try:
        await s.open("/forward")  # a fresh server's first run still sees pages/ as an old-style folder
        page = await s.open("/forward", "learner=Zed")
        assert not page.exceptions and page.status == "FINISHED_SUCCESSFULLY"
        assert "learner=Zed" in s.query_string and "seed=" in s.query_string  # the app's own parameters
        form = page.form_with("::W_xh_x[1]")  # step 1 (the page also has the own-text form)
        inputs = {e.widget_id.rsplit("::", 1)[1]: e.widget_id for e in page.form_widgets(form, "text_input")}
        first = await s.submit(form, {inputs[q]: t for q, t in right.items()})
        second = await s.submit(form, {inputs[q]: t for q, t in wrong.items()})
        return first, second
    finally:
        await s.close()


def test_a_session_checks_answers_and_they_are_saved_when_the_run_ends(tmp_path):
    right, wrong = answer_sets()
    data = tmp_path / "data"
    data.mkdir()
    with streamlit_server(data) as url:
        first, second = asyncio.run(check_twice(url, right, wrong))
    assert sum(a.startswith("[success]") for a in first.alerts()) == ROWS_PER_CHECK
    assert not any(a.startswith("[success]") for a in second.alerts())
    saved = Store(f"sqlite:///{data / 'progress.db'}").attempts("Zed")
    assert len(saved) == 2 * ROWS_PER_CHECK
    assert {a.quantity_id: a.answer_text for a in saved[:ROWS_PER_CHECK]} == right
    assert all(a.credit == 0 for a in saved[ROWS_PER_CHECK:])
