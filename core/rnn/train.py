"""Training a character RNN (SGD or Adagrad, with gradient clipping) and sampling from it.

Training follows min-char-rnn: walk the text in chunks of `seq_length` characters, carry the hidden
state from chunk to chunk, and restart from h = 0 at the start of the text. The state is a plain
dataclass, so a UI can train a few hundred steps, draw, and carry on where it stopped.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.rnn.activations import get_activation
from core.rnn.model import Grads, forward, loss_and_grads, softmax
from core.rnn.params import Params, init_params
from core.rnn.vocab import Vocab

MAX_TEXT = 20_000  # characters: a learner's text beyond this is refused, with this number in the message
MAX_DISTINCT = 100  # different characters (the vocabulary V); an English text uses about 70


@dataclass
class TrainConfig:
    hidden: int = 16  # H: size of the hidden state
    seq_length: int = 25  # characters per chunk: BPTT runs over this many steps
    learning_rate: float = 0.1
    optimizer: str = "adagrad"  # "sgd" or "adagrad" (as in min-char-rnn)
    clip: str = "elementwise"  # "none", "elementwise" (clip each entry to +-clip_value) or "norm"
    clip_value: float = 5.0  # element bound, or the largest allowed global gradient norm
    seed: int = 0
    activation: str = "tanh"


def validate_text(text: str) -> str | None:
    """None when `text` can be trained on, else a message saying what is wrong and the limits."""
    if not text:
        return "The text is empty: type at least two different characters, e.g. 'hello'."
    if len(text) > MAX_TEXT:
        return f"The text has {len(text):,} characters; the limit is {MAX_TEXT:,}. Paste a shorter extract."
    if len(text) < 2:
        return "The text needs at least two characters: an input and the character that follows it."
    distinct = len(set(text))
    if distinct < 2:
        return "The text uses only one distinct character, so there is nothing to predict: add another."
    if distinct > MAX_DISTINCT:
        return (f"The text uses {distinct:,} different characters; the limit is {MAX_DISTINCT} (each one is an input "
                "and an output of the network). Paste a text in one alphabet, without emoji or symbols.")
    return None


def clip_gradients(grads: Grads, mode: str, value: float) -> tuple[Grads, float]:
    """Clip in place; returns the grads and the global norm before clipping.

    "norm" rescales all gradients together when their joint norm exceeds `value` (Pascanu et al. 2013),
    which keeps the direction; "elementwise" clips each entry, as min-char-rnn does.
    """
    arrays = [a for _, a in grads.items()]
    norm = float(np.sqrt(sum(float(np.sum(a * a)) for a in arrays)))
    if mode == "elementwise":
        for a in arrays:
            np.clip(a, -value, value, out=a)
    elif mode == "norm":
        if norm > value:
            for a in arrays:
                a *= value / norm
    elif mode != "none":
        raise ValueError(f"unknown clipping {mode!r}; choose none, elementwise or norm")
    return grads, norm


@dataclass
class TrainState:
    config: TrainConfig
    vocab: Vocab
    data: np.ndarray  # (N,) the text as indices
    params: Params
    memory: Params  # Adagrad's running sums of squared gradients
    h_prev: np.ndarray  # (H,) carried between chunks
    pointer: int = 0
    iteration: int = 0
    losses: list[float] = field(default_factory=list)  # loss per character, per iteration
    grad_norms: list[float] = field(default_factory=list)
    smooth_loss: float | None = None


def new_state(text: str, config: TrainConfig) -> TrainState:
    error = validate_text(text)
    if error:
        raise ValueError(error)
    vocab = Vocab.from_text(text)
    rng = np.random.default_rng(config.seed)
    params = init_params(vocab.size, config.hidden, rng, scale=0.1)
    memory = Params(*(np.zeros_like(a) for _, a in params.items()))
    return TrainState(config, vocab, vocab.encode(text), params, memory, np.zeros(config.hidden))


def train_step(state: TrainState) -> float:
    """One chunk of BPTT and one parameter update; returns that chunk's loss per character."""
    cfg, data = state.config, state.data
    if state.pointer + 1 >= len(data):  # wrapped around: start the text again from a blank memory
        state.pointer = 0
        state.h_prev = np.zeros(cfg.hidden)
    n = min(cfg.seq_length, len(data) - 1 - state.pointer)
    inputs = data[state.pointer:state.pointer + n]
    targets = data[state.pointer + 1:state.pointer + n + 1]
    loss, grads, state.h_prev = loss_and_grads(state.params, inputs, targets, state.h_prev, cfg.activation)
    grads, norm = clip_gradients(grads, cfg.clip, cfg.clip_value)
    for (_, w), (_, g), (_, m) in zip(state.params.items(), grads.items(), state.memory.items(), strict=True):
        if cfg.optimizer == "adagrad":
            m += g * g
            w -= cfg.learning_rate * g / np.sqrt(m + 1e-8)
        elif cfg.optimizer == "sgd":
            w -= cfg.learning_rate * g
        else:
            raise ValueError(f"unknown optimizer {cfg.optimizer!r}; choose sgd or adagrad")
    state.pointer += n
    state.iteration += 1
    per_char = loss / n
    state.losses.append(per_char)
    state.grad_norms.append(norm)
    state.smooth_loss = per_char if state.smooth_loss is None else 0.9 * state.smooth_loss + 0.1 * per_char
    return per_char


def train(state: TrainState, iterations: int) -> TrainState:
    for _ in range(iterations):
        train_step(state)
    return state


def next_char_probs(params: Params, vocab: Vocab, context: str, activation: str = "tanh") -> np.ndarray:
    """(V,) p(next character | context), running the RNN over `context` from h_0 = 0."""
    trace = forward(params, vocab.encode(context), activation=activation)
    return trace.p[-1]


def sample(params: Params, vocab: Vocab, start: str, n: int, rng: np.random.Generator,
           temperature: float = 1.0, activation: str = "tanh") -> str:
    """Feed `start`, then draw n characters from softmax(y / temperature); temperature 0 is arg-max."""
    if temperature < 0:
        raise ValueError("temperature must be zero or positive")
    trace = forward(params, vocab.encode(start), activation=activation)
    h, y = trace.h[-1], trace.y[-1]
    out = []
    f = get_activation(activation).f
    for _ in range(n):
        if temperature == 0:
            i = int(np.argmax(y))
        else:
            i = int(rng.choice(vocab.size, p=softmax(y / temperature)))
        out.append(vocab.chars[i])
        h = f(params.W_xh[:, i] + params.W_hh @ h + params.b_h)
        y = params.W_hy @ h + params.b_y
    return "".join(out)


def train_recording(state: TrainState, iterations: int, context: str) -> list[tuple[int, np.ndarray]]:
    """Train `iterations` steps; after each, record (iteration, p(next character | context)) as (V,) arrays.

    The training screen draws these as a table and a chart: for "hello" and the context "hell", the row
    of "o" climbing towards 1 is the network learning what the lecture says it should.
    """
    state.vocab.encode(context)  # a clear KeyError now, not after the training
    history = []
    for _ in range(iterations):
        train_step(state)
        history.append((state.iteration, next_char_probs(state.params, state.vocab, context,
                                                         state.config.activation)))
    return history
