"""Helpers for the real-browser tests: a `streamlit run` server on a free loopback port, and Debian's Chromium."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from core.paths import ROOT
from tests.services.process import stop, wait_healthy

SCREENSHOTS = ROOT / "tests" / "screenshots"
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(data_dir: Path, port: int | None = None, args: tuple[str, ...] = (), env: dict | None = None,
                     app_dir: Path = ROOT, start_timeout: float = 60):
    """Start the app as a learner would (`streamlit run`), wait for its health check, stop it afterwards.

    `args` are more `streamlit run` options (e.g. --secrets.files for sign-in); `env` more environment
    variables (e.g. RNN_TUTOR_DB_URL for a database server instead of the SQLite file in `data_dir`); `app_dir`
    another checkout to serve (the browser benchmark's A/B). streamlit_server.last_log and .last_pid name the
    newest server's log file and process.
    """
    port = port or free_port()
    env = {**os.environ, "RNN_TUTOR_DATA": str(data_dir), **(env or {})}
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    log_path = data_dir.parent / f"streamlit-{port}.log"
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         *args],
        cwd=app_dir, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    streamlit_server.last_log, streamlit_server.last_pid = log_path, proc.pid
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(f"{url}/_stcore/health", proc, start_timeout, log.name)
        yield url
    finally:
        stop(proc)
        log.close()


def wait_for_app(page, timeout_ms: int = 30_000) -> None:
    """Wait until the script has run: a heading is there and the 'running' indicator is gone."""
    page.wait_for_selector("h1", timeout=timeout_ms)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout_ms
    )
    # Elements still loading show skeletons; charts are drawn by vega-embed after their data arrives. Ask
    # twice, half a second apart, so a rerun that starts just after the first look is waited for too.
    settled = """() => !document.querySelector('[data-testid="stSkeleton"]') &&
                       !document.querySelector('[data-testid="stStatusWidget"]') &&
                       document.querySelectorAll('[data-testid="stVegaLiteChart"]').length <=
                       document.querySelectorAll('.vega-embed').length"""
    for _ in range(2):
        page.wait_for_function(settled, timeout=timeout_ms)
        page.wait_for_timeout(500)


def widget_css(key: str) -> str:
    """The CSS class Streamlit gives the element of widget `key` (st-key-<key>, odd characters as -)."""
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in "st-key-" + key)


def warm_up(browser, *urls: str) -> None:
    """Open each server's home page once: until its entry file has run, a fresh server serves pages/ the old
    way and a deep link shows a "Page not found" notice before the navigation takes over."""
    for url in urls:
        page = browser.new_page()
        page.goto(url)
        wait_for_app(page)
        page.close()
