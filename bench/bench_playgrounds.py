"""Playgrounds: decay curves (T=1000, H=128), compiled and NumPy paths, the oracle, and training "hello".

The oracle (core.gradients.reference) forms every Jacobian, multiplies full matrices and calls np.linalg.norm(., 2)
at every k; it takes about 20 s for the three cells, so it runs once, while the fast paths are medians.
The compiled path (numba, core.gradients.jit) is the default; the NumPy path (RNN_TUTOR_JIT=0) is the baseline
it is measured against. "first call" rows start a fresh Python process and time its first decay_curves call,
once with an empty numba cache (everything compiles) and once with the cache that run left (loads it).
Network building (the 8 eigen- or singular-value decompositions of the recurrent blocks, cached by the page)
is timed on its own and not included in the curve times. Screens' rerun times are in bench_playground_pages.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

from bench.timing import median_seconds, result
from core.gradients import decay, jit
from core.gradients.reference import naive_curves
from core.paths import ROOT
from core.rnn.train import TrainConfig, new_state, next_char_probs, train_step

CFG = decay.DecayConfig(T=1000, hidden=128)  # the page's defaults otherwise: sigma_max 0.8, tanh, scaled normal
FIRST_CALL = """
import time
t0 = time.perf_counter()
from core.gradients import decay, jit
t1 = time.perf_counter()
decay.decay_curves(decay.DecayConfig(T=1000, hidden=128))  # NumPy unless the kernels are ready
t2 = time.perf_counter()
ok = jit.status()[0]  # waits for the background compile (or cache load) the first call started
t3 = time.perf_counter()
print(ok, (t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t1) * 1e3)
"""


def _once(fn) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def first_call_ms(cache_dir: str) -> tuple[float, float, float]:
    """(import ms, first decay_curves call ms, ms until the compiled path is ready) in a fresh process whose numba
    cache is cache_dir. The first call does not wait for numba: it uses NumPy while the kernels compile."""
    env = {**os.environ, "NUMBA_CACHE_DIR": cache_dir}
    out = subprocess.run([sys.executable, "-c", FIRST_CALL], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=600, check=True).stdout.split()
    assert out[0] == "True", "the compiled path did not come up in the fresh process"
    return float(out[1]), float(out[2]), float(out[3])


def _times(fn, repeat: int = 9) -> tuple[float, float]:
    """(median wall seconds, median CPU seconds of this process, all threads) of fn, after one warm-up call."""
    fn()
    wall, cpu = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return statistics.median(wall), statistics.median(cpu)


def _path_rows(blocks) -> list[dict]:
    """Median wall and CPU times of both paths, all three cells and each cell alone. On a shared machine the
    CPU time is the steadier number; the wall time of all three cells is less than their CPU time when the
    compiled cells run side by side on two cores."""
    rows, walls = [], {}
    for label, compiled in (("numpy", False), ("compiled", True)):  # NumPy first: it is the compiled rows' baseline
        for models in (decay.MODELS, *((m,) for m in decay.MODELS)):
            name = f"decay_curves_T1000_H128_{'+'.join(models)}"
            wall, cpu = _times(lambda ms=models, c=compiled: decay.decay_curves(CFG, blocks, models=ms, compiled=c))
            walls[name, label] = wall, cpu
            base = walls.get((name, "numpy")) if compiled else None
            target = "<= 50 ms" if len(models) == 3 and compiled else None
            rows.append(result(f"{name}_{label}", wall * 1e3, "ms", base[0] * 1e3 if base else None, target=target))
            rows.append(result(f"{name}_{label} (cpu time)", cpu * 1e3, "ms", base[1] * 1e3 if base else None))
    return rows


def benchmarks() -> list[dict]:
    blocks = decay.recurrent_blocks(CFG.hidden, CFG.init, CFG.norm, CFG.seed)
    build = median_seconds(lambda: decay.recurrent_blocks(CFG.hidden, CFG.init, CFG.norm, CFG.seed), repeat=3)
    out = [result("load_average_1min_at_start", os.getloadavg()[0], "", target="2 cores, shared")]
    if jit.enabled():
        with tempfile.TemporaryDirectory(prefix="numba-cache-") as cache:
            cold = first_call_ms(cache)
            warm = first_call_ms(cache)
        out += [result("decay_first_call_fresh_process_cold_numba_cache", cold[1], "ms",
                       target="NumPy, numba compiling beside it"),
                result("decay_compiled_ready_fresh_process_cold_numba_cache", cold[2], "ms", target="compiles once"),
                result("decay_first_call_fresh_process_warm_numba_cache", warm[1], "ms"),
                result("decay_compiled_ready_fresh_process_warm_numba_cache", warm[2], "ms", target="loads the cache"),
                result("decay_import_fresh_process", warm[0], "ms")]
        out += _path_rows(blocks)
    else:
        out.append(result(f"compiled path off: {jit.status()[1]}", 0, ""))
    slow, slow_curves = {}, {}
    for m in decay.MODELS:
        slow[m], res = _once(lambda m=m: naive_curves(CFG, blocks, models=(m,)))
        slow_curves[m] = res[m]
    out.append(result("decay_curves_T1000_H128_vanilla+lstm+gru_oracle", sum(slow.values()) * 1e3, "ms"))
    for label, compiled in (("compiled", jit.enabled()), ("numpy", False)):
        curves = decay.decay_curves(CFG, blocks, compiled=compiled)
        diff = max(float(np.max(np.abs(curves[m].grad_log10 - slow_curves[m].grad_log10))) for m in decay.MODELS)
        out.append(result(f"decay_grad_log10_max_abs_diff_vs_oracle_{label}", diff, "decades", target="<= 1e-9"))
    curves = decay.decay_curves(CFG, blocks)
    under = max(float(np.max(slow_curves[m].jac_log10 - curves[m].jac_log10)) for m in decay.MODELS)
    over = max(float(np.max(curves[m].jac_log10 - slow_curves[m].jac_log10)) for m in decay.MODELS)
    if jit.enabled():
        fast, ref = decay.decay_curves(CFG, blocks, compiled=True), decay.decay_curves(CFG, blocks, compiled=False)
        diff = max(float(np.max(np.abs(getattr(fast[m], a) - getattr(ref[m], a)))) for m in decay.MODELS
                   for a in ("grad_log10", "jac_log10", "first_log10"))
        out.append(result("decay_compiled_vs_numpy_max_abs_diff", diff, "decades", target="<= 1e-12"))

    def train_hello():
        state = new_state("hello", TrainConfig())
        o = state.vocab.index("o")
        while next_char_probs(state.params, state.vocab, "hell")[o] <= 0.9:
            train_step(state)
        return state.iteration

    iters = train_hello()
    hello = median_seconds(train_hello, repeat=7)
    out += [
        result("decay_network_build_H128 (cached by the page)", build * 1e3, "ms"),
        result("decay_spectral_estimate_worst_shortfall", 10 ** under, "x below", target="lower bound: never above"),
        result("decay_spectral_estimate_worst_excess", over, "decades", target="<= 1e-9 (a lower bound)"),
        result(f"train_hello_to_p(o|hell)>0.9 ({iters} iters, defaults)", hello * 1e3, "ms", target="< 1000 ms"),
        result("load_average_1min_at_end", os.getloadavg()[0], ""),
    ]
    return out
