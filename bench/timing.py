"""Small timing helpers shared by the benchmark modules."""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable


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
