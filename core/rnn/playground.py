"""What the train-and-sample screen shows, computed: the loss curve, the probability table (the few characters
the model now expects most), what the text itself says should follow the context, the checks on what a learner
types (a context, a start text), when training is diverging, and the gradient check's verdict.

The screen (pages/train_rnn.py) only draws these; everything here is plain NumPy and testable without a UI.
"""
from __future__ import annotations

import numpy as np

from core.rnn.train import TrainState
from core.rnn.vocab import Vocab

MAX_LOSS_POINTS = 600  # points per curve of the loss chart; longer runs are thinned evenly
MAX_CHART_ROWS = 300  # iterations drawn by the p(next character | context) chart; longer histories are thinned
TABLE_ROWS = 12  # rows of the p(next character | context) table
TOP_CHARACTERS = 5  # characters (columns) of that table and lines of its chart
CONTEXT_LENGTH = 4  # the default context: the text's first characters ("hell" of "hello")
LEARNT = 0.9  # p(the character the text has next | context) above which the network has learnt it
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


def chart_rows(n: int, max_rows: int = MAX_CHART_ROWS) -> np.ndarray:
    """Indices of the history rows the chart draws: all of them, or max_rows spread evenly (first and last kept)."""
    return np.unique(np.linspace(0, n - 1, min(n, max_rows)).round().astype(int))


def default_context(text: str) -> str:
    """The text's first characters, all but at least one: "hell" of "hello", "ab" of "abb".

    At the start of the text training always begins from h = 0, as the probability table does, so what follows
    these characters is exactly what the network is taught to predict there."""
    return text[:min(CONTEXT_LENGTH, len(text) - 1)]


def top_characters(probs: np.ndarray, vocab: Vocab, keep: str = "", k: int = TOP_CHARACTERS) -> list[int]:
    """Indices of the k most likely characters under `probs` (most likely first), plus any character of `keep`
    (the one the text has next) that is not among them."""
    order = [int(i) for i in np.argsort(-probs, kind="stable")]
    chosen = order[:k]
    chosen += [i for i in order[k:] if vocab.chars[i] in keep]
    return chosen


def followers(text: str, context: str) -> dict[str, int]:
    """How often each character follows `context` in `text` (overlapping occurrences), in order of first sight."""
    counts: dict[str, int] = {}
    if not context:
        return counts
    i = text.find(context)
    while i != -1 and i + len(context) < len(text):
        ch = text[i + len(context)]
        counts[ch] = counts.get(ch, 0) + 1
        i = text.find(context, i + 1)
    return counts


def expected_next(text: str, context: str) -> str | None:
    """The character the network should learn to give after `context`: the one that follows it at the start of
    the text (where training, like the table, starts from h = 0), or None when the text does not begin with it."""
    return text[len(context)] if context and text.startswith(context) and len(text) > len(context) else None


def context_verdict(text: str, context: str, probs: np.ndarray, vocab: Vocab) -> tuple[bool, str]:
    """(learnt, a sentence) on what the learner's text says should follow `context` and what the model gives it.

    learnt is True when the text begins with the context and the model gives the character that follows there
    more than LEARNT (0.9)."""
    def p(ch: str) -> float:
        return float(probs[vocab.index(ch)])

    nxt = expected_next(text, context)
    if nxt is not None:
        if p(nxt) > LEARNT:
            return True, (f"p({nxt!r} | {context!r}) = {p(nxt):.3f}: the network has learnt that your text goes on "
                          f"with {nxt!r} after {context!r}.")
        return False, (f"p({nxt!r} | {context!r}) = {p(nxt):.3f}. Your text begins with {context!r} followed by "
                       f"{nxt!r}: train on to push it above {LEARNT:g}.")
    seen = followers(text, context)
    if seen:
        counts = ", ".join(f"{ch!r} ({n}×)" for ch, n in sorted(seen.items(), key=lambda kv: -kv[1])[:TOP_CHARACTERS])
        model = ", ".join(f"p({ch!r}) = {p(ch):.3f}" for ch in sorted(seen, key=lambda c: -seen[c])[:TOP_CHARACTERS])
        return False, (f"In your text {context!r} is followed by {counts}; the model, reading {context!r} from "
                       f"h₀ = 0, gives {model}.")
    return False, (f"{context!r} is not followed by any character in your text, so the text does not say what comes "
                   "next: the table shows what the model makes of it.")


def diverging(state: TrainState) -> bool:
    """True when the last chunk's loss per character is above 1.5 times that of guessing uniformly (ln V)."""
    return bool(state.losses) and not state.losses[-1] < 1.5 * np.log(state.vocab.size)


def gradcheck_verdict(relative_error: float, max_abs_diff: float) -> str:
    """One gradient check's row verdict, in words."""
    if relative_error == 0 and max_abs_diff == 0:
        return "both zero: nothing to compare"  # e.g. W_hh over a single step, where h_0 = 0
    return "agrees" if relative_error < GRADCHECK_AGREES else "check this"
