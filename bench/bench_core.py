"""The BPTT training step (H=100, T=25, ~60-character vocabulary): vectorised core against the naive loop.

(Training "hello" to p(o | "hell") > 0.9 is timed in bench_playgrounds, with the train screen.)
"""
from __future__ import annotations

import numpy as np

from bench.timing import median_seconds, result
from core.rnn.model import loss_and_grads
from core.rnn.params import init_params
from core.rnn.reference import loss_fun

H, T, V = 100, 25, 62


def benchmarks() -> list[dict]:
    rng = np.random.default_rng(0)
    params = init_params(V, H, rng, scale=0.1)
    inputs, targets = rng.integers(0, V, T), rng.integers(0, V, T)
    h0 = np.zeros(H)
    args_naive = (params.W_xh, params.W_hh, params.W_hy, params.b_h[:, None], params.b_y[:, None],
                  list(inputs), list(targets), h0[:, None])

    fast = median_seconds(lambda: loss_and_grads(params, inputs, targets, h0), repeat=15, number=20)
    naive = median_seconds(lambda: loss_fun(*args_naive), repeat=15, number=20)
    _, grads, _ = loss_and_grads(params, inputs, targets, h0)
    ref = loss_fun(*args_naive)
    diff = max(float(np.max(np.abs(g.reshape(r.shape) - r))) for (_, g), r in zip(grads.items(), ref[1:6],
                                                                                    strict=True))

    return [
        result("bptt_step_H100_T25_V62", fast * 1e3, "ms", naive * 1e3, target=">= 3x faster than naive"),
        result("bptt_step_max_abs_diff_vs_naive", diff, "abs", target="<= 1e-12"),
    ]
