"""Server-side time of each registered page, measured with AppTest: first render and median rerun."""
from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from bench.timing import result

ROOT = Path(__file__).resolve().parent.parent


def page_times(page: str, reruns: int = 15) -> tuple[float, float]:
    """(first render, median rerun) in seconds for `page`, opened through the entry file."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.run()
    t0 = time.perf_counter()
    at.switch_page(page)
    at.run()
    first = time.perf_counter() - t0
    assert not at.exception, f"{page}: {at.exception}"
    times = []
    for _ in range(reruns):
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
    return first, statistics.median(times)


def benchmarks() -> list[dict]:
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    from pages_registry import registered_pages

    os.environ.setdefault("RNN_TUTOR_DATA", tempfile.mkdtemp(prefix="bench-data-"))
    cwd = os.getcwd()
    os.chdir(ROOT)
    out = []
    try:
        for page in sorted(registered_pages()):
            first, rerun = page_times(page)
            name = Path(page).stem
            out.append(result(f"page_{name}_first_render", first * 1e3, "ms", target="<= 1000 ms"))
            out.append(result(f"page_{name}_rerun_median", rerun * 1e3, "ms", target="<= 50 ms"))
    finally:
        os.chdir(cwd)
    return out
