"""Playgrounds: decay curves (T=1000, H=128) against the explicit-Jacobian oracle, and training "hello".

The oracle (core.gradients.reference) forms every Jacobian, multiplies full matrices and calls np.linalg.norm(., 2)
at every k; it takes about 20 s for the three cells, so it runs once, while the fast path is a median.
Network building (the 8 eigen- or singular-value decompositions of the recurrent blocks, cached by the page)
is timed on its own and not included in the curve times. Screens' rerun times are in bench_playground_pages.
"""
from __future__ import annotations

import time

import numpy as np

from bench.timing import median_seconds, result
from core.gradients import decay
from core.gradients.reference import naive_curves
from core.rnn.train import TrainConfig, new_state, next_char_probs, train_step

CFG = decay.DecayConfig(T=1000, hidden=128)  # the page's defaults otherwise: sigma_max 0.8, tanh, scaled normal


def _once(fn) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def benchmarks() -> list[dict]:
    blocks = decay.recurrent_blocks(CFG.hidden, CFG.init, CFG.norm, CFG.seed)
    build = median_seconds(lambda: decay.recurrent_blocks(CFG.hidden, CFG.init, CFG.norm, CFG.seed), repeat=3)
    fast_all = median_seconds(lambda: decay.decay_curves(CFG, blocks), repeat=9)
    fast = {m: median_seconds(lambda m=m: decay.decay_curves(CFG, blocks, models=(m,)), repeat=9)
            for m in decay.MODELS}
    slow, slow_curves = {}, {}
    for m in decay.MODELS:
        slow[m], out = _once(lambda m=m: naive_curves(CFG, blocks, models=(m,)))
        slow_curves[m] = out[m]
    curves = decay.decay_curves(CFG, blocks)
    grad_diff = max(float(np.max(np.abs(curves[m].grad_log10 - slow_curves[m].grad_log10))) for m in decay.MODELS)
    under = max(float(np.max(slow_curves[m].jac_log10 - curves[m].jac_log10)) for m in decay.MODELS)
    over = max(float(np.max(curves[m].jac_log10 - slow_curves[m].jac_log10)) for m in decay.MODELS)

    def train_hello():
        state = new_state("hello", TrainConfig())
        o = state.vocab.index("o")
        while next_char_probs(state.params, state.vocab, "hell")[o] <= 0.9:
            train_step(state)
        return state.iteration

    iters = train_hello()
    hello = median_seconds(train_hello, repeat=7)
    out = [result("decay_curves_T1000_H128_vanilla+lstm+gru", fast_all * 1e3, "ms", sum(slow.values()) * 1e3,
                  target="<= 60 ms, >= 3x faster than the oracle")]
    out += [result(f"decay_curves_T1000_H128_{m}", fast[m] * 1e3, "ms", slow[m] * 1e3, target=">= 3x faster")
            for m in decay.MODELS]
    out += [
        result("decay_network_build_H128 (cached by the page)", build * 1e3, "ms"),
        result("decay_grad_log10_max_abs_diff_vs_oracle", grad_diff, "decades", target="<= 1e-9"),
        result("decay_spectral_estimate_worst_shortfall", 10 ** under, "x below", target="lower bound: never above"),
        result("decay_spectral_estimate_worst_excess", over, "decades", target="<= 1e-9 (a lower bound)"),
        result(f"train_hello_to_p(o|hell)>0.9 ({iters} iters, defaults)", hello * 1e3, "ms", target="< 1000 ms"),
    ]
    return out
