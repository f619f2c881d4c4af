"""Class mode in a real browser: learners sign in through a real OpenID Connect provider (the redirect flow,
cookies and all), each sees only their own progress, signing out ends access, and a visitor who is not
signed in sees no one's data. Skips with a printed reason without Chromium or the provider (never in CI)."""
from __future__ import annotations

import os
from contextlib import contextmanager

import pytest

from core.app_pages import registered_pages
from tests.browser.harness import CHROMIUM_FLAGS, SCREENSHOTS, find_chromium, free_port, streamlit_server, wait_for_app
from tests.browser.oidc import auth_secrets, oidc_provider, require_provider

CHROMIUM = find_chromium()
PAGES = registered_pages()
# Only the app and the provider resolve: the provider's login page imports a web font from the internet,
# and this fails it at once instead of waiting (cheaper than routing every request through Playwright).
FLAGS = [*CHROMIUM_FLAGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"]
TIMEOUT = 30_000
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"),
                       reason="no chromium on PATH: install Debian's chromium to run them"),
]


@pytest.fixture(scope="module")
def class_server(tmp_path_factory):
    """A class server: `streamlit run` with [auth] pointing at a local provider on 127.0.0.1."""
    require_provider()
    tmp = tmp_path_factory.mktemp("class")
    app_port, idp_port = free_port(), free_port()
    app_url = f"http://127.0.0.1:{app_port}"
    with oidc_provider(idp_port, app_url + "/oauth2callback", tmp / "provider.log") as issuer:
        secrets_file = tmp / "secrets.toml"
        secrets_file.write_text(auth_secrets(app_url, issuer, instructors=("teacher@example.edu",)))
        with streamlit_server(tmp / "data", app_port, args=("--secrets.files", str(secrets_file))) as url:
            yield url, tmp


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@contextmanager
def logs_on_failure(tmp):
    """Every misconfiguration of a sign-in looks like 'signed out': show both servers' logs when a step fails."""
    try:
        yield
    except BaseException:
        for log in sorted(tmp.glob("*.log")):
            print(f"----- {log.name} -----\n{log.read_text(errors='replace')[-4000:]}")
        raise


def sign_in(page, url: str, login: str) -> None:
    """The real flow: the app's button, the provider's login form, the redirect back to the app."""
    from playwright.sync_api import expect

    page.goto(url)
    wait_for_app(page)
    page.get_by_role("button", name="Sign in with your school account").click()
    page.locator("input[name=login]").fill(login, timeout=TIMEOUT)
    page.locator("input[name=password]").fill("any password")
    page.locator("button[type=submit]").click()
    sidebar = page.get_by_test_id("stSidebarUserContent")
    expect(sidebar.get_by_text(f"Signed in as {login}@example.edu")).to_be_visible(timeout=TIMEOUT)
    wait_for_app(page)


def answers_checked(page, url: str) -> str:
    page.goto(f"{url}/{PAGES['pages/dashboard.py'].url_path}")
    wait_for_app(page)
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Answers checked")
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


def answer_a_quiz_question(page, url: str) -> None:
    page.goto(f"{url}/{PAGES['pages/quiz.py'].url_path}?lesson=tanh")
    wait_for_app(page)
    box = page.locator(".st-key-quiz_tanh_0_tanh-half input")
    box.fill("tanh(0.5)")
    box.press("Tab")
    page.locator(".st-key-quiz_tanh_0_tanh-half_check button").click()
    page.get_by_text("Correct.", exact=True).first.wait_for(timeout=TIMEOUT)


def test_two_learners_see_only_their_own_progress_and_signing_out_ends_access(class_server, browser):
    from playwright.sync_api import expect

    url, tmp = class_server
    alice_ctx, bob_ctx, visitor_ctx = (browser.new_context(viewport={"width": 1300, "height": 1800}) for _ in range(3))
    alice, bob, visitor = alice_ctx.new_page(), bob_ctx.new_page(), visitor_ctx.new_page()
    with logs_on_failure(tmp):
        sign_in(alice, url, "alice")
        sign_in(bob, url, "bob")
        assert "learner=" not in alice.url
        answer_a_quiz_question(alice, url)
        assert answers_checked(alice, url) == "1"
        assert answers_checked(bob, url) == "0"  # bob's dashboard shows nothing of alice's
        assert alice.get_by_text("alice@example.edu").count() >= 1 and bob.get_by_text("alice").count() == 0
        # ?learner= names nobody in class mode: bob still sees his own (empty) progress
        bob.goto(f"{url}/{PAGES['pages/dashboard.py'].url_path}?learner=alice%40example.edu")
        wait_for_app(bob)
        value = bob.locator('[data-testid="stMetric"]').filter(has_text="Answers checked")
        assert value.locator('[data-testid="stMetricValue"]').inner_text().strip() == "0"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        alice.screenshot(path=str(SCREENSHOTS / "class_mode_dashboard_alice.png"))

        # a visitor who is not signed in: what the app is and the sign-in button, nobody's progress
        visitor.goto(url)
        wait_for_app(visitor)
        expect(visitor.get_by_role("button", name="Sign in with your school account")).to_be_visible()
        visitor.goto(f"{url}/{PAGES['pages/dashboard.py'].url_path}")
        wait_for_app(visitor)
        assert visitor.locator('[data-testid="stMetric"]').count() == 0
        assert visitor.get_by_text("alice").count() == 0 and visitor.get_by_text("bob").count() == 0
        visitor.screenshot(path=str(SCREENSHOTS / "class_mode_signed_out.png"))

        # signing out ends access: back to the sign-in page, and her dashboard's address shows nothing
        alice.goto(url)
        wait_for_app(alice)
        with alice.expect_navigation(timeout=TIMEOUT):
            alice.get_by_role("button", name="Sign out").click()
        expect(alice.get_by_role("button", name="Sign in with your school account")).to_be_visible(timeout=TIMEOUT)
        assert "_streamlit_user" not in {c["name"] for c in alice_ctx.cookies()}
        alice.goto(f"{url}/{PAGES['pages/dashboard.py'].url_path}")
        wait_for_app(alice)
        assert alice.locator('[data-testid="stMetric"]').count() == 0 and alice.get_by_text("alice@").count() == 0
        assert answers_checked(bob, url) == "0"  # and bob is still himself
    for ctx in (alice_ctx, bob_ctx, visitor_ctx):
        ctx.close()
