"""Shared fixtures: fresh Streamlit caches and an AppTest factory (pyproject puts the repository on sys.path)."""
from __future__ import annotations

import pytest

from core.paths import ROOT  # pyproject.toml puts the repository on sys.path (pytest's pythonpath)


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


def session_learner(at):
    """The learner an AppTest session saves for: its profile, else the guest only this session holds."""
    from core.progress import guest, profile
    from ui.identity import GUEST_KEY, PROFILE_KEY

    name = at.session_state[PROFILE_KEY] if PROFILE_KEY in at.session_state else None
    return profile(name) if name else guest(at.session_state[GUEST_KEY])
