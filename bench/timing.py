"""Small timing helpers shared by the benchmark modules."""
from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager

from core.paths import ROOT


def median_seconds(fn: Callable[[], object], repeat: int = 7, number: int = 1, warmup: int = 1) -> float:
    """Median wall time of `number` calls of fn, over `repeat` runs, in seconds per call."""
    for _ in range(warmup):
        fn()
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        runs.append((time.perf_counter() - t0) / number)
    return statistics.median(runs)


def result(name: str, value: float, unit: str, baseline: float | None = None, target: str | None = None) -> dict:
    return {"name": name, "value": value, "unit": unit, "baseline": baseline,
            "ratio": (baseline / value) if baseline and value else None, "target": target}




@contextmanager
def in_repo_with_scratch_data():
    """Run from the repository root with the progress store in a scratch folder (never the learner's data)."""
    os.environ.setdefault("RNN_TUTOR_DATA", tempfile.mkdtemp(prefix="bench-data-"))
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        yield
    finally:
        os.chdir(cwd)


def open_page(page: str):
    """(AppTest on `page` opened through the entry file with fresh caches, seconds the switch took)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.run()
    t0 = time.perf_counter()
    at.switch_page(page)
    at.run()
    first = time.perf_counter() - t0
    assert not at.exception, f"{page}: {at.exception}"
    return at, first
