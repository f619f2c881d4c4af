"""Server-side time of each registered page, measured with AppTest: first render and median rerun."""
from __future__ import annotations

import statistics
import time
from pathlib import Path

from bench.timing import in_repo_with_scratch_data, open_page, result


def page_times(page: str, reruns: int = 15) -> tuple[float, float]:
    """(first render, median rerun) in seconds for `page`, opened through the entry file."""
    at, first = open_page(page)
    times = []
    for _ in range(reruns):
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
    return first, statistics.median(times)


def benchmarks() -> list[dict]:
    from core.app_pages import registered_pages

    out = []
    with in_repo_with_scratch_data():
        for page in sorted(registered_pages()):
            first, rerun = page_times(page)
            name = Path(page).stem
            out.append(result(f"page_{name}_first_render", first * 1e3, "ms", target="<= 1000 ms"))
            out.append(result(f"page_{name}_rerun_median", rerun * 1e3, "ms", target="<= 50 ms"))
    return out
