"""Accessibility and layout in Chromium, in the light and the dark theme and on a 390-pixel phone.

- axe-core on every page in both themes: no serious or critical violation except the few Streamlit faults in
  tests/browser/a11y.py's EXCUSED (its sidebar navigation markup; in dark, primaryColor text on its slider
  values and selected pills), each with its reason;
- the forward exercise filled and checked with the keyboard alone;
- the exercise form on a 390-pixel phone: inputs inside the screen, Check reachable, feedback shown;
- the train page refuses a megabyte paste without stalling; wide tables and the clipping choice are not cut off.

Screenshots of every page (both themes) and of the phone form go to tests/screenshots/ (gitignored). Skips with
the reason printed without Chromium or axe-core (`cd tests/a11y && npm ci`); in CI a skip fails (conftest).
"""
from __future__ import annotations

import time

import pytest

from core.app_pages import registered_pages
from tests.browser import a11y
from tests.browser.harness import SCREENSHOTS, find_chromium, streamlit_server, wait_for_app

CHROMIUM = find_chromium()
PAGES = registered_pages()
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH: install Debian's chromium to run them"),
    pytest.mark.skipif(not a11y.axe_path().exists(),
                       reason=f"axe-core is not installed ({a11y.axe_path()}): run `npm ci` in tests/a11y"),
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 2200}


@pytest.fixture(scope="module")
def server(tmp_path_factory, browser):
    with streamlit_server(tmp_path_factory.mktemp("a11y") / "data") as url:
        warm = browser.new_page()  # the entry file runs once before any deep link (see test_pages.py)
        warm.goto(url)
        wait_for_app(warm)
        warm.close()
        yield url


def open_page(browser, url: str, path: str, theme: str, viewport: dict):
    context = browser.new_context(color_scheme=theme, viewport=viewport)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.js_errors = errors
    page.goto(f"{url}/{path}")
    wait_for_app(page)
    return context, page


def app_background(page) -> str:
    return page.evaluate("() => getComputedStyle(document.querySelector('[data-testid=\"stApp\"]')).backgroundColor")


def shot(page, name: str) -> None:
    """A screenshot of the whole page: the app scrolls inside its own container, so the window is made as tall
    as that container's content for the picture, then put back."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    height = page.evaluate("""() => Math.max(document.body.scrollHeight, ...[...document.querySelectorAll('*')]
        .filter((e) => /auto|scroll/.test(getComputedStyle(e).overflowY)).map((e) => e.scrollHeight))""")
    if height > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": min(height + 40, 12_000)})
        wait_for_app(page)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
    page.set_viewport_size(size)


def answer_box(inst, qid: str) -> str:
    """The CSS selector of an answer's input (labels hold LaTeX, so find it by its key's st-key-... class)."""
    from ui.exercise import widget_key

    return "." + "".join(c if c.isalnum() or c in "-_" else "-" for c in "st-key-" + widget_key(inst, qid)) + " input"


def textbook(exercise_id: str):
    from core.course.engine import load_all, make_instance
    from ui.exercise import groups

    definition = load_all()[exercise_id]
    inst = make_instance(definition, definition.textbook_seed, hidden=definition.hidden)
    return inst, groups(inst)[0][1]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_no_serious_axe_violation_on_any_page(server, browser, theme):
    """axe on every page as it opens; each failure is listed with its page, element and colours."""
    context, page = open_page(browser, server, "", theme, DESKTOP)
    expected = "rgb(255, 253, 248)" if theme == "light" else "rgb(27, 25, 22)"  # the theme follows the browser
    assert app_background(page) == expected
    report, excused = [], set()
    for file, entry in sorted(PAGES.items()):
        page.goto(f"{server}/{entry.url_path}")
        wait_for_app(page)
        shot(page, f"{entry.url_path or 'home'}-{theme}.png")
        failing, let_pass = a11y.split(a11y.run_axe(page), theme)
        excused |= {n["rule"] for n in let_pass}
        if failing:
            report.append(f"{file} ({theme}):\n{a11y.describe(failing)}")
    print(f"{theme}: excused rules seen: {sorted(excused)}")
    assert not report, "\n".join(report)
    assert not page.js_errors, page.js_errors
    context.close()


def test_the_forward_exercise_can_be_done_with_the_keyboard_alone(server, browser):
    """Tab from the top of the page into the first answer, type, Enter checks it; Tab through every answer to
    Check, Enter, and the feedback is there. Dark theme, and axe again with the feedback on screen."""
    inst, quantities = textbook("forward_hello")
    context, page = open_page(browser, server, PAGES["pages/forward_exercise.py"].url_path, "dark", DESKTOP)
    first = page.locator(answer_box(inst, quantities[0].id))
    presses = 0
    while not first.evaluate("el => el === document.activeElement"):  # from the page's start: the sidebar, the
        presses += 1                                                    # page's own controls, ...
        assert presses <= 120, "120 presses of Tab never reached the first answer box"
        page.keyboard.press("Tab")
    page.keyboard.type("0")  # wrong: W_xh·x_1 is a vector of 3
    page.keyboard.press("Enter")  # Enter in a form's box submits it
    page.wait_for_selector('[data-testid="stAlert"]', timeout=30_000)
    wait_for_app(page)
    assert page.locator('[data-testid="stAlertContentError"], [data-testid="stAlertContentWarning"]').count() >= 1
    assert first.evaluate("el => el === document.activeElement"), "the check's rerun took the focus away"
    for q in quantities:
        box = page.locator(answer_box(inst, q.id))
        assert box.evaluate("el => el === document.activeElement"), f"Tab did not lead to the answer of {q.id}"
        page.keyboard.press("Control+A")
        page.keyboard.type(inst.answer_text(q.id))
        page.keyboard.press("Tab")
    check = page.get_by_role("button", name="Check")
    assert check.evaluate("el => el === document.activeElement"), "Tab after the last answer does not reach Check"
    outline = check.evaluate("el => { const s = getComputedStyle(el); return [s.outlineStyle, s.boxShadow]; }")
    assert outline[0] != "none" or outline[1] != "none", f"no visible focus on Check: {outline}"
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => document.querySelectorAll('[data-testid=\"stAlertContentSuccess\"]').length "
                           f">= {len(quantities)}", timeout=30_000)
    wait_for_app(page)
    shot(page, "forward-keyboard-dark.png")
    failing, _ = a11y.split(a11y.run_axe(page), "dark")
    assert not failing, a11y.describe(failing)
    print(f"reached the first answer after {presses} Tab presses")
    assert not page.js_errors, page.js_errors
    context.close()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_exercise_form_works_on_a_390_pixel_phone(server, browser, theme):
    inst, quantities = textbook("forward_hello")
    context, page = open_page(browser, server, PAGES["pages/forward_exercise.py"].url_path, theme, PHONE)
    width = PHONE["width"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
    for q in quantities:
        box = page.locator(answer_box(inst, q.id))
        box.scroll_into_view_if_needed()
        r = box.bounding_box()
        assert r and r["x"] >= 0 and r["x"] + r["width"] <= width and r["width"] >= 250, f"{q.id}: {r}"
        box.fill(inst.answer_text(q.id))
    check = page.get_by_role("button", name="Check")
    check.scroll_into_view_if_needed()
    r = check.bounding_box()
    assert r and r["x"] >= 0 and r["x"] + r["width"] <= width and r["height"] >= 32, r
    check.click()
    page.wait_for_function(f"() => document.querySelectorAll('[data-testid=\"stAlertContentSuccess\"]').length "
                           f">= {len(quantities)}", timeout=30_000)
    wait_for_app(page)
    for alert in page.locator('[data-testid="stAlert"]').all():
        r = alert.bounding_box()
        assert r["x"] >= 0 and r["x"] + r["width"] <= width, f"feedback runs off the screen: {r}"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    shot(page, f"forward-phone-{theme}.png")
    failing, _ = a11y.split(a11y.run_axe(page), theme)
    assert not failing, a11y.describe(failing)
    assert not page.js_errors, page.js_errors
    context.close()


def test_wide_tables_and_the_clipping_choice_are_not_cut_off(server, browser):
    context, page = open_page(browser, server, PAGES["pages/forward_explorer.py"].url_path, "light", DESKTOP)
    table = page.locator('[data-testid="stTable"]').first
    header = table.locator("th", has_text="E_t")
    assert header.count() == 1 and header.is_visible()
    box, cell = table.bounding_box(), header.bounding_box()
    assert cell["x"] + cell["width"] <= box["x"] + box["width"] + 1, "the E_t column is cut off"
    page.goto(f"{server}/{PAGES['pages/train_rnn.py'].url_path}")
    wait_for_app(page)
    shown = page.locator(".st-key-tr_clip input")  # the box shows its choice as the value of a combobox input
    assert shown.input_value() == "each entry to ±c"
    assert shown.evaluate("el => el.scrollWidth <= el.clientWidth"), "the clipping choice is cut off"
    assert not page.js_errors, page.js_errors
    context.close()


def test_a_megabyte_paste_on_the_train_page_is_refused_without_stalling(server, browser):
    context, page = open_page(browser, server, PAGES["pages/train_rnn.py"].url_path, "light", DESKTOP)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    box = page.locator(".st-key-tr_text textarea")
    page.evaluate("(n) => navigator.clipboard.writeText('the quick brown fox jumps over the lazy dog. '.repeat(n))",
                  1_000_000 // 45 + 1)
    box.click()
    page.keyboard.press("Control+A")
    started = time.monotonic()
    page.keyboard.press("Control+V")
    page.keyboard.type("!")  # the box still answers the keyboard
    box.press("Control+Enter")
    wait_for_app(page)
    took = time.monotonic() - started
    assert box.input_value() == "hello!", "a paste beyond the limit is not taken; the box keeps its text"
    assert took < 10, f"the page took {took:.1f} s to answer after a megabyte paste"
    assert page.get_by_text("A longer paste is not taken").count() == 1
    assert not page.js_errors, page.js_errors
    context.close()
