"""A class deployment for real: two `streamlit run` servers on one PostgreSQL, behind nginx with sticky
sessions (the README's configuration), driven in Debian's Chromium.

A learner answers through nginx; every request of their browser, the WebSocket included, is served by one
server; the answer is in the shared database, so the *other* server shows it on the learner's dashboard.
"""
from __future__ import annotations

import collections
import re
import uuid

import pytest

from core.app_pages import registered_pages
from tests.browser.harness import (
    CHROMIUM_FLAGS,
    SCREENSHOTS,
    find_chromium,
    streamlit_server,
    wait_for_app,
    warm_up,
)
from tests.services import nginx

CHROMIUM = find_chromium()
PAGES = registered_pages()
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH: install Debian's chromium to run them"),
    pytest.mark.skipif(nginx.binary() is None, reason="no nginx: install Debian's nginx to run it"),
]
CLASS_SERVER = ("--server.fileWatcherType", "none", "--runner.postScriptGC", "false")  # as the README runs one


@pytest.fixture
def class_db(pg_server):
    from tests.services.pgctl import create_database, drop_database

    name = f"class_{uuid.uuid4().hex[:12]}"
    yield create_database(pg_server, name)
    drop_database(pg_server, name)


def _upstream_port(response) -> int | None:
    match = re.search(r":(\d+)$", response.headers.get("x-upstream", ""))
    return int(match.group(1)) if match else None


def _answers_checked(page) -> str:
    answers = page.locator('[data-testid="stMetric"]').filter(has_text="Answers checked")
    return answers.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_two_servers_behind_nginx_share_one_database(tmp_path, class_db):
    from playwright.sync_api import sync_playwright

    env = {"RNN_TUTOR_DB_URL": class_db}
    with (streamlit_server(tmp_path / "a" / "data", args=CLASS_SERVER, env=env) as first,
          streamlit_server(tmp_path / "b" / "data", args=CLASS_SERVER, env=env) as second,
          sync_playwright() as pw):
        ports = [int(first.rsplit(":", 1)[1]), int(second.rsplit(":", 1)[1])]
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        warm_up(browser, first, second)
        with nginx.sticky_proxy(ports, tmp_path / "nginx") as proxy:
            context = browser.new_context(viewport={"width": 1400, "height": 2600})
            page = context.new_page()
            served_by = collections.Counter()
            page.on("response", lambda r: served_by.update([_upstream_port(r)]) if r.url.startswith(proxy) else None)

            page.goto(f"{proxy}/{PAGES['pages/quiz.py'].url_path}?lesson=tanh&learner=Ana")
            wait_for_app(page)
            box = page.locator(".st-key-quiz_tanh_0_tanh-half input")
            box.fill("tanh(0.5)")
            box.press("Tab")
            page.locator(".st-key-quiz_tanh_0_tanh-half_check button").click()
            page.get_by_text("Correct.", exact=True).first.wait_for(timeout=30_000)
            page.goto(f"{proxy}/{PAGES['pages/dashboard.py'].url_path}?learner=Ana")
            wait_for_app(page)
            assert _answers_checked(page) == "1"

            assert len(served_by) == 1 and None not in served_by, f"one browser, several servers: {served_by}"
            (home_port,) = served_by
            assert home_port in ports
            assert any(c["name"] == "rnn_route" for c in context.cookies(proxy))
            context.close()

            # The other server has never seen this learner's session; it reads the answer from the database.
            other = f"http://127.0.0.1:{next(p for p in ports if p != home_port)}"
            page = browser.new_page(viewport={"width": 1400, "height": 2600})
            page.goto(f"{other}/{PAGES['pages/dashboard.py'].url_path}?learner=Ana")
            wait_for_app(page)
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "class_servers_other_server_dashboard.png"))
            assert _answers_checked(page) == "1"
            assert page.locator('[data-testid="stException"]').count() == 0
            page.close()
            browser.close()
        # Every route (one browser) went to exactly one server, its WebSocket included.
        routes: dict[str, set[str]] = collections.defaultdict(set)
        stream_seen = False
        for line in nginx.access_log(tmp_path / "nginx").splitlines():
            route, upstream = re.search(r"route=(\S+)", line), re.search(r"upstream=(\S+)", line)
            if route and upstream and upstream.group(1) != "-":
                routes[route.group(1)].add(upstream.group(1))
                stream_seen |= "/_stcore/stream" in line
        assert routes and all(len(ups) == 1 for ups in routes.values()), routes
        assert stream_seen, "the WebSocket did not go through nginx"


def test_sign_in_through_nginx_reaches_one_server_and_each_learner_sees_only_their_own(tmp_path, class_db):
    """The README's whole class set-up: two servers with the same [auth] secrets (one cookie_secret, the
    proxy's address as redirect_uri) on one PostgreSQL, behind nginx, learners signing in with a real provider."""
    from playwright.sync_api import sync_playwright

    from tests.browser.harness import free_port
    from tests.browser.oidc import auth_secrets, oidc_provider, require_provider
    from tests.browser.test_sign_in import FLAGS, answer_a_quiz_question, answers_checked, logs_on_failure, sign_in

    require_provider()
    proxy_port, idp_port = free_port(), free_port()
    proxy_url = f"http://127.0.0.1:{proxy_port}"
    env = {"RNN_TUTOR_DB_URL": class_db}
    with oidc_provider(idp_port, proxy_url + "/oauth2callback", tmp_path / "provider.log") as issuer:
        secrets_file = tmp_path / "secrets.toml"
        secrets_file.write_text(auth_secrets(proxy_url, issuer))
        args = (*CLASS_SERVER, "--secrets.files", str(secrets_file))
        with (streamlit_server(tmp_path / "a" / "data", args=args, env=env) as first,
              streamlit_server(tmp_path / "b" / "data", args=args, env=env) as second,
              nginx.sticky_proxy([int(u.rsplit(":", 1)[1]) for u in (first, second)], tmp_path / "nginx",
                                 port=proxy_port) as proxy,
              sync_playwright() as pw, logs_on_failure(tmp_path)):
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            warm_up(browser, first, second)
            people = {}
            for login in ("alice", "bob"):
                context = browser.new_context(viewport={"width": 1300, "height": 1800})
                page = context.new_page()
                served = collections.Counter()
                page.on("response", lambda r, c=served: c.update([_upstream_port(r)]) if r.url.startswith(proxy)
                        else None)
                sign_in(page, proxy, login)  # the login redirect, the provider, the callback: all through nginx
                people[login] = (page, served)
            answer_a_quiz_question(people["alice"][0], proxy)
            assert answers_checked(people["alice"][0], proxy) == "1"
            assert answers_checked(people["bob"][0], proxy) == "0"
            for login, (_, served) in people.items():
                assert len(served) == 1 and None not in served, f"{login}'s browser reached {served}"
            browser.close()
