"""Server-side time of a submit on the two exercise screens: fill a step, press Check, time the rerun (AppTest)."""
from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from bench.timing import result

ROOT = Path(__file__).resolve().parent.parent
SCREENS = {"forward_hello": ("pages/forward_exercise.py", "forward_group", "radio"),
           "bptt_hello": ("pages/bptt_exercise.py", "bptt_group", "selectbox")}


def submit_times(definition_id: str, submits: int = 15) -> tuple[float, float]:
    """(first render, median rerun after a Check) in seconds, for the textbook variant's busiest group."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from ui.exercise import groups, instance, widget_key

    st.cache_data.clear()
    st.cache_resource.clear()
    page, picker, kind = SCREENS[definition_id]
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.run()
    t0 = time.perf_counter()
    at.switch_page(page)
    at.run()
    first = time.perf_counter() - t0
    from ui.exercise import definitions

    d = definitions()[definition_id]
    inst = instance(definition_id, d.textbook_seed, d.hidden)
    grouped = groups(inst)
    busiest = max(range(len(grouped)), key=lambda i: len(grouped[i][1]))
    getattr(at, kind)(key=picker).set_value(busiest).run()
    times = []
    for i in range(submits):
        for q in grouped[busiest][1]:  # alternate right and unreadable answers so every Check regrades
            at.text_input(key=widget_key(inst, q.id)).set_value(inst.answer_text(q.id) if i % 2 else "?")
        at.button(key=next(b.key for b in at.button if b.label == "Check")).click()
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
        assert not at.exception, at.exception
    return first, statistics.median(times)


def benchmarks() -> list[dict]:
    os.environ.setdefault("RNN_TUTOR_DATA", tempfile.mkdtemp(prefix="bench-data-"))
    cwd = os.getcwd()
    os.chdir(ROOT)
    out = []
    try:
        for definition_id in SCREENS:
            first, submit = submit_times(definition_id)
            out.append(result(f"exercise_{definition_id}_first_render", first * 1e3, "ms", target="<= 1000 ms"))
            out.append(result(f"exercise_{definition_id}_rerun_after_check", submit * 1e3, "ms", target="<= 50 ms"))
    finally:
        os.chdir(cwd)
    return out
