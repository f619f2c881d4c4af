"""Fixtures of the page tests: what a download button would deliver."""
from __future__ import annotations

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager


@pytest.fixture
def downloads(monkeypatch):
    """What each st.download_button would deliver, by file name (the page defers building it to the click)."""
    got = {}
    original = MediaFileManager.add_deferred

    def capture(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        got[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", capture)
    return got
