"""Playground screens: server-side rerun time after a slider move, median over 10 AppTest reruns each.

Each rerun moves one slider to a value not seen before, so the page's cached results miss and the screen
recomputes what that setting needs, as it does for a learner dragging a slider (default settings otherwise).
"""
from __future__ import annotations

import statistics
import time
from pathlib import Path

from bench.timing import in_repo_with_scratch_data, open_page, result

MOVES = {  # page -> (slider key, ten new values)
    "pages/vanishing_gradients.py": ("vg_T", [101 + i for i in range(10)]),
    "pages/activations.py": ("act_z", [0.05 * i - 1.0 for i in range(10)]),
    "pages/train_rnn.py": ("tr_temp", [0.1 * i + 0.05 for i in range(10)]),
}


def rerun_after_moves(page: str, key: str, values: list) -> tuple[float, float]:
    """(median rerun after a slider move, median plain rerun) in seconds, through the entry file."""
    at, _ = open_page(page)
    moved = []
    for v in values:
        at.slider(key=key).set_value(v)
        t0 = time.perf_counter()
        at.run()
        moved.append(time.perf_counter() - t0)
        assert not at.exception, f"{page} after {key}={v}: {at.exception}"
    plain = []
    for _ in range(10):
        t0 = time.perf_counter()
        at.run()
        plain.append(time.perf_counter() - t0)
    return statistics.median(moved), statistics.median(plain)


def benchmarks() -> list[dict]:
    out = []
    with in_repo_with_scratch_data():
        for page, (key, values) in MOVES.items():
            moved, plain = rerun_after_moves(page, key, values)
            name = Path(page).stem
            out.append(result(f"page_{name}_rerun_after_{key}_move_median", moved * 1e3, "ms", target="<= 50 ms"))
            out.append(result(f"page_{name}_plain_rerun_median", plain * 1e3, "ms", target="<= 50 ms"))
    return out
