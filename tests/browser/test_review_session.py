"""A review session in Chromium against `streamlit run`: a skill Ana got wrong three days ago is due; the
Review screen asks it on a network she has not seen, she answers, the card moves days ahead, and nothing
is left due."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Rating

from core.app_pages import registered_pages
from tests.browser.harness import (
    CHROMIUM_FLAGS,
    SCREENSHOTS,
    find_chromium,
    streamlit_server,
    wait_for_app,
    widget_css,
)

CHROMIUM = find_chromium()
PAGES = registered_pages()
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH: install Debian's chromium to run them"),
]


def test_a_review_session_in_the_browser(tmp_path):
    from playwright.sync_api import sync_playwright

    from core.course.engine import load_all, make_instance
    from core.progress import Attempt, Store
    from core.progress.cards import Review
    from core.review.items import review_item
    from core.review.skills import load_skills
    from ui.exercise import widget_key

    data = tmp_path / "data"
    data.mkdir()
    store = Store(f"sqlite:///{data / 'progress.db'}")
    defs = load_all()
    when = (datetime.now(UTC) - timedelta(days=3)).isoformat(timespec="microseconds")
    forward = defs["forward_hello"]
    store.record_attempts([Attempt(learner="Ana", exercise_id=forward.id, quantity_id="h[2]", answer_text="[0, 0, 0]",
                                   status="wrong", credit=0.0, variant_seed=forward.textbook_seed, created_at=when)],
                          reviews=[Review("hidden-state", int(Rating.Again), when)])
    store.close()
    # What the screen will ask: the same deterministic choice the page makes (learner, skill, review count, seen).
    item = review_item(load_skills().get("hidden-state"), defs, "ana", 1, {(forward.id, forward.textbook_seed)})
    inst = make_instance(defs[item.exercise_id], item.seed, hidden=item.hidden)

    with streamlit_server(data) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1300, "height": 2200})
        page.goto(url)
        wait_for_app(page)
        page.goto(f"{url}/{PAGES['pages/review.py'].url_path}?learner=Ana")
        wait_for_app(page)
        assert page.locator("h3").filter(has_text="The hidden state").count() == 1
        box = page.locator(f".{widget_css(widget_key(inst, item.qid))} input")
        box.fill(inst.answer_text(item.qid))
        box.press("Tab")
        page.get_by_role("button", name="Check").click()
        page.wait_for_selector('[data-testid="stAlertContentSuccess"]', timeout=30_000)
        wait_for_app(page)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "review_session.png"), full_page=True)
        page.get_by_role("button", name="Next skill").click()
        page.get_by_text("Nothing is due now").wait_for(timeout=30_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        browser.close()
    card = Store(f"sqlite:///{data / 'progress.db'}").cards("Ana")["hidden-state"]
    assert card.reviews == 2 and card.due > datetime.now(UTC) + timedelta(hours=12)
