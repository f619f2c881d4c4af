"""What the train-and-sample screen shows, computed: the loss curve, the probability table, the checks on
what a learner types (a context, a start text), when training is diverging, and the gradient check's verdict.

The screen (pages/train_rnn.py) only draws these; everything here is plain NumPy and testable without a UI.
"""
from __future__ import annotations

import numpy as np

from core.rnn.train import TrainState
from core.rnn.vocab import Vocab

MAX_LOSS_POINTS = 600  # points per curve of the loss chart; longer runs are thinned evenly
TABLE_ROWS = 12  # rows of the p(next character | context) table
GRADCHECK_AGREES = 1e-6  # relative error below which BPTT and central differences agree


def loss_curves(losses: list[float], max_points: int = MAX_LOSS_POINTS) -> tuple[np.ndarray, ...]:
    """(iteration, loss, running average 0.9 old + 0.1 new), thinned to at most max_points rows."""
    loss = np.asarray(losses, dtype=np.float64)
    smooth = np.empty_like(loss)
    acc = loss[0] if len(loss) else 0.0
    for i, x in enumerate(loss):
        acc = 0.9 * acc + 0.1 * x
        smooth[i] = acc
    idx = np.unique(np.linspace(0, len(loss) - 1, min(len(loss), max_points)).round().astype(int))
    return idx + 1, loss[idx], smooth[idx]


def table_rows(n: int, max_rows: int = TABLE_ROWS) -> np.ndarray:
    """Indices of the history rows the table shows: spread geometrically, so the first iterations, where
    most of the learning happens, all get a row."""
    return np.unique(np.r_[0, np.geomspace(1, n, min(n, max_rows)).round().astype(int) - 1])


def missing_characters(vocab: Vocab, text: str) -> str:
    """The characters of `text` that are not in the vocabulary, each once, in order."""
    return "".join(dict.fromkeys(ch for ch in text if ch not in vocab.chars))


def default_context(vocab: Vocab, data: np.ndarray) -> str:
    """The lecture's 'hell' when the text has its letters, else the text's first four characters."""
    return "hell" if all(ch in vocab.chars for ch in "hell") else vocab.decode(data[:4])


def diverging(state: TrainState) -> bool:
    """True when the last chunk's loss per character is above 1.5 times that of guessing uniformly (ln V)."""
    return bool(state.losses) and not state.losses[-1] < 1.5 * np.log(state.vocab.size)


def gradcheck_verdict(relative_error: float, max_abs_diff: float) -> str:
    """One gradient check's row verdict, in words."""
    if relative_error == 0 and max_abs_diff == 0:
        return "both zero: nothing to compare"  # e.g. W_hh over a single step, where h_0 = 0
    return "agrees" if relative_error < GRADCHECK_AGREES else "check this"
