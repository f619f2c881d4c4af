"""The worked solution of a forward and backward pass, as plain data (answer keys, JSON export)."""
from __future__ import annotations

import numpy as np

from core.rnn.model import ForwardTrace, backward, forward
from core.rnn.params import Params, init_params
from core.rnn.vocab import Vocab, split_inputs_targets


def build_network(text: str, hidden: int, seed: int, hand_friendly: bool = True) -> tuple[Vocab, Params]:
    """The seeded network a variant of an exercise uses: vocabulary of `text`, H hidden units."""
    if not isinstance(text, str) or len(text) < 2:
        raise ValueError("text must have at least two characters (one input and its target)")
    if hidden < 1:
        raise ValueError(f"hidden must be a positive number of units (got {hidden})")
    vocab = Vocab.from_text(text)
    return vocab, init_params(vocab.size, hidden, np.random.default_rng(seed), hand_friendly=hand_friendly)


def trace_text(text: str, hidden: int, seed: int, hand_friendly: bool = True) -> tuple[Vocab, Params, ForwardTrace]:
    vocab, params = build_network(text, hidden, seed, hand_friendly)
    inputs, targets = split_inputs_targets(text)
    return vocab, params, forward(params, vocab.encode(inputs), vocab.encode(targets))


def worked_solution(text: str = "hello", hidden: int = 3, seed: int = 0, hand_friendly: bool = True) -> dict:
    """Everything a learner computes, as a JSON-ready dict (t counts from 1, matrices as lists of rows)."""
    vocab, params, tr = trace_text(text, hidden, seed, hand_friendly)
    grads = backward(params, tr).grads
    inputs, targets = split_inputs_targets(text)
    steps = [
        {
            "t": t + 1, "input": inputs[t], "target": targets[t],
            "x": tr.x[t].tolist(), "W_xh_x": tr.W_xh_x[t].tolist(), "W_hh_h_prev": tr.W_hh_h_prev[t].tolist(),
            "z": tr.z[t].tolist(), "h": tr.h[t].tolist(), "y": tr.y[t].tolist(), "p": tr.p[t].tolist(),
            "loss": float(tr.loss_t[t]), "predicted": vocab.chars[int(tr.predicted[t])],
        }
        for t in range(tr.T)
    ]
    return {
        "text": text, "vocab": list(vocab.chars), "hidden": hidden, "seed": seed,
        "params": params.to_lists(), "steps": steps, "loss": tr.loss,
        "grads": {n: a.tolist() for n, a in grads.items()},
    }
