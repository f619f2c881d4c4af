"""Shared fixtures: fresh Streamlit caches, an AppTest factory, a PostgreSQL server (pyproject puts the
repository on sys.path).

PostgreSQL: .ci/run starts a throw-away cluster and exports its URL in RNN_TUTOR_TEST_PG_URL; locally, a
cluster is started for the session when Debian's postgresql is installed, and otherwise the tests that need
it skip with that reason (in CI they fail instead: they must run there)."""
from __future__ import annotations

import os

import pytest

from core.paths import ROOT  # pyproject.toml puts the repository on sys.path (pytest's pythonpath)


@pytest.fixture(scope="session", autouse=True)
def _compiled_kernels_ready():
    """Compile (or load) the numba kernels of the decay curves once, before any test: a cold compile takes about
    20 s, longer than an AppTest or a browser page waits, and it fills the cache the browser test's server loads."""
    from core.gradients import jit

    jit.status()
    yield


@pytest.fixture(autouse=True)
def _fresh_streamlit_caches():
    """AppTest shares st.cache_data across tests in one process; clear it so no test sees another's data."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI (.ci/run sets CI) nothing may skip: a test that would skip fails there, with its reason."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("CI") and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, which must run every test: {reason}"


PG_ENV = "RNN_TUTOR_TEST_PG_URL"


def _no_postgres(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"the PostgreSQL tests must run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_server():
    """The URL of a PostgreSQL server the tests may create databases on."""
    url = os.environ.get(PG_ENV)
    if url:
        yield url
        return
    from tests.services.pgctl import installed, throwaway_postgres

    if not installed():
        _no_postgres(f"no PostgreSQL here: install Debian's postgresql, or set {PG_ENV}")
    with throwaway_postgres() as started:
        yield started


@pytest.fixture
def app(tmp_path, monkeypatch):
    """Factory: `app("pages/x.py")` opens a page through the entry file, as the navigation would."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("RNN_TUTOR_DATA", str(tmp_path / "data"))  # progress store of this test only

    def open_page(page: str | None = None, timeout: float = 30):
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=timeout)
        at.run()
        if page is not None:
            at.switch_page(page)
            at.run()
        return at

    return open_page


def session_learner(at):
    """The learner an AppTest session saves for: its profile, else the guest only this session holds."""
    from core.progress import guest, profile
    from ui.identity import GUEST_KEY, PROFILE_KEY

    name = at.session_state[PROFILE_KEY] if PROFILE_KEY in at.session_state else None
    return profile(name) if name else guest(at.session_state[GUEST_KEY])
