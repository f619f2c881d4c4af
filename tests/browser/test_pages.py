"""The real app in a real browser: `streamlit run` on loopback, every page opened in Debian's Chromium.

Skips with a printed reason when no Chromium is installed; `.ci/run` installs Debian's chromium so CI runs it.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from core.app_pages import registered_pages
from tests.browser.harness import (
    SCREENSHOTS,
    find_chromium,
    streamlit_server,
    wait_for_app,
    warm_up,
    widget_css,
)

CHROMIUM = find_chromium()
PAGES = registered_pages()
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH: install Debian's chromium to run them"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory, browser):
    with streamlit_server(tmp_path_factory.mktemp("browser") / "data") as url:
        warm_up(browser, url)  # as a learner does: the home page first
        yield url


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 2600})
    p = context.new_page()
    errors = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    p.js_errors = errors
    yield p
    context.close()


@pytest.mark.parametrize("page_file", sorted(registered_pages()))
def test_every_page_renders_without_an_exception(server, page, page_file):
    entry = registered_pages()[page_file]
    page.goto(f"{server}/{entry.url_path}")
    wait_for_app(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{Path(page_file).stem}.png"), full_page=True)
    assert page.locator('[data-testid="stException"]').count() == 0, f"{page_file} shows an exception box"
    assert page.get_by_text("Page not found").count() == 0
    in_sidebar = page.locator(f'[data-testid="stSidebarNav"] >> text="{entry.title}"')
    assert in_sidebar.count() >= 1, "page missing from sidebar"
    if page_file != "pages/home.py":
        assert page.locator("h1").first.inner_text().strip() == entry.title
    assert not page.js_errors, page.js_errors


def fill_first_group_and_check(server, page, exercise_id: str, page_file: str, screenshot: str) -> None:
    """Open an exercise screen, type the true value of every input of its first group, Check, see a success
    alert for each."""
    from core.course.engine import load_all, make_instance
    from ui.exercise import groups, widget_key

    definition = load_all()[exercise_id]
    inst = make_instance(definition, definition.textbook_seed, hidden=definition.hidden)
    page.goto(f"{server}/{PAGES[page_file].url_path}")
    wait_for_app(page)
    assert "seed=" in page.url  # the variant is in the address bar
    quantities = groups(inst)[0][1]
    for q in quantities:
        box = page.locator(f".{widget_css(widget_key(inst, q.id))} input")  # labels hold LaTeX: find it by key
        box.fill(inst.answer_text(q.id))
        box.press("Tab")
    page.get_by_role("button", name="Check").click()
    page.wait_for_selector('[data-testid="stAlertContentSuccess"]', timeout=30_000)
    wait_for_app(page)
    successes = page.locator('[data-testid="stAlertContentSuccess"]')
    assert successes.count() == len(quantities)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / screenshot), full_page=True)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert not page.js_errors, page.js_errors


def test_a_learner_fills_one_forward_step_and_sees_the_feedback(server, page):
    fill_first_group_and_check(server, page, "forward_hello", "pages/forward_exercise.py",
                               "forward_exercise_step1_checked.png")


def test_a_learner_computes_the_first_lstm_step_and_sees_the_feedback(server, page):
    """The issue's bar: the ten values of the LSTM's first step typed in Chromium, checked, all confirmed."""
    fill_first_group_and_check(server, page, "lstm_step", "pages/lstm_exercise.py", "lstm_exercise_step1_checked.png")


def test_progress_survives_a_server_restart(browser, tmp_path):
    """Answer a quiz question as a named learner, restart the server on the same data, see it on the dashboard."""
    data = tmp_path / "data"
    context = browser.new_context(viewport={"width": 1400, "height": 2600})
    page = context.new_page()
    with streamlit_server(data) as url:
        page.goto(url)
        wait_for_app(page)
        page.locator(".st-key-home_learner_input input").fill("Ana")
        page.locator(".st-key-home_learner_input input").press("Tab")
        page.locator(".st-key-home_learner_save button").click()
        page.get_by_text("Your progress is saved as").wait_for(timeout=30_000)
        page.goto(f"{url}/{PAGES['pages/quiz.py'].url_path}?lesson=tanh&learner=Ana")
        wait_for_app(page)
        box = page.locator(".st-key-quiz_tanh_0_tanh-half input")
        box.fill("tanh(0.5)")
        box.press("Tab")
        page.locator(".st-key-quiz_tanh_0_tanh-half_check button").click()
        page.get_by_text("Correct.", exact=True).first.wait_for(timeout=30_000)
    with streamlit_server(data) as url:  # a new process: nothing in memory survives
        page.goto(url)
        wait_for_app(page)
        page.goto(f"{url}/{PAGES['pages/dashboard.py'].url_path}?learner=Ana")
        wait_for_app(page)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "dashboard_after_restart.png"))
        answers = page.locator('[data-testid="stMetric"]').filter(has_text="Answers checked")
        assert answers.locator('[data-testid="stMetricValue"]').inner_text().strip() == "1"
        assert page.get_by_text("Quiz: tanh and its derivative").count() >= 1
    context.close()
