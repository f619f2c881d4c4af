"""Progress store and course content: one saved answer, 8 concurrent writers, reading and summarising a
learner's history, loading and checking all content, grading a numeric quiz answer."""
from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path

from bench.timing import median_seconds, result


def _attempt(learner: str, i: int):
    from core.progress import Attempt

    return Attempt(learner=learner, exercise_id="forward-hello", quantity_id=f"h_{i % 4 + 1}",
                   answer_text="[0.1, -0.2, 0.3]", status="wrong" if i % 3 else "correct",
                   credit=0.0 if i % 3 else 1.0, variant_seed=i, diagnosis="bias left out" if i % 3 else None,
                   lesson="first-step")


def benchmarks() -> list[dict]:
    from core.course.content import load_content
    from core.course.quiz import grade
    from core.progress import Store
    from core.progress.summary import summarize

    out = []
    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'progress.db'}")
        counter = iter(range(10**9))
        one = median_seconds(lambda: store.record_attempt(_attempt("Solo", next(counter))), repeat=50)
        out.append(result("store_record_one_answer", one * 1e3, "ms", target="one transaction, WAL"))

        def writer(k: int):
            for i in range(500):
                store.record_attempt(_attempt(f"writer {k}", i))

        threads = [threading.Thread(target=writer, args=(k,)) for k in range(8)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        out.append(result("store_8_threads_x_500_answers", wall, "s"))
        out.append(result("store_concurrent_answers_per_second", 4000 / wall, "answers/s"))

        store.record_attempts([_attempt("Heavy", i) for i in range(5000)])
        read = median_seconds(lambda: store.attempts("Heavy"), repeat=5)
        out.append(result("store_read_5000_answers", read * 1e3, "ms"))
        history = store.attempts("Heavy")
        out.append(result("progress_summarize_5000_answers",
                          median_seconds(lambda: summarize("Heavy", history), repeat=5) * 1e3, "ms"))
        out.append(result("store_export_json_5000_answers",
                          median_seconds(lambda: store.export_json("Heavy"), repeat=3) * 1e3, "ms"))
        store.close()

    out.append(result("content_load_and_check_all", median_seconds(load_content, repeat=5) * 1e3, "ms"))
    q = next(q for q in load_content().questions if q.id == "dwhy-outer")
    texts = iter(f"0.15 -0.06; -0.15 0.0{k}" for k in range(10**9))  # new text each call: no parse cache hit
    out.append(result("quiz_grade_numeric_matrix", median_seconds(lambda: grade(q, next(texts)), repeat=50) * 1e3,
                      "ms"))
    return out
