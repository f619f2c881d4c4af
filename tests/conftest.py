"""Shared fixtures: fresh Streamlit caches and an AppTest factory (pyproject puts the repository on sys.path)."""
from __future__ import annotations

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
