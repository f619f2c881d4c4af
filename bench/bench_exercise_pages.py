"""Server-side time of a submit on the exercise screens: fill a step, press Check, time the rerun (AppTest)."""
from __future__ import annotations

import statistics
import time

from bench.timing import in_repo_with_scratch_data, open_page, result

SCREENS = {"forward_hello": ("pages/forward_exercise.py", "forward_group", "radio"),
           "bptt_hello": ("pages/bptt_exercise.py", "bptt_group", "selectbox"),
           "truncation_hello": ("pages/truncation_exercise.py", "truncation_group", "selectbox"),
           "lstm_step": ("pages/lstm_exercise.py", "lstm_step_group", "radio"),
           "gru_step": ("pages/gru_exercise.py", "gru_step_group", "radio")}


def submit_times(definition_id: str, submits: int = 15) -> tuple[float, float]:
    """(first render, median rerun after a Check) in seconds, for the textbook variant's busiest group."""
    from ui.exercise import definitions, groups, instance, widget_key

    page, picker, kind = SCREENS[definition_id]
    at, first = open_page(page)

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
    out = []
    with in_repo_with_scratch_data():
        for definition_id in SCREENS:
            first, submit = submit_times(definition_id)
            out.append(result(f"exercise_{definition_id}_first_render", first * 1e3, "ms", target="<= 1000 ms"))
            out.append(result(f"exercise_{definition_id}_rerun_after_check", submit * 1e3, "ms", target="<= 50 ms"))
    return out
