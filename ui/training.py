"""The train-and-sample screen's widget groups and tables (the page wires them together)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from core.rnn import playground as pg
from core.rnn.train import TrainConfig, TrainState, new_state
from core.rnn.vocab import Vocab
from ui.charts import show

KEEP = "session"  # widget values survive a trip to another page
# session keys (not widgets), so the model, its history and the last check live on across reruns and pages
MODEL, MODEL_TEXT, HISTORY, CHECK, DRAW = "tr_model", "tr_model_text", "tr_history", "tr_gradcheck", "tr_draw"
LEARNING_RATES = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0]
# short labels: the box is a quarter of the row wide, and a longer label was cut off; the help says the rest
CLIPS = {"elementwise": "each entry to ±c", "norm": "global norm to c", "none": "none"}
CLIP_HELP = ("Each entry to ±c clips every gradient entry into [−c, c], as min-char-rnn does; global norm to c "
             "rescales all gradients together when their joint norm exceeds c (Pascanu et al., 2013), which keeps "
             "their direction.")
ITERATIONS = [10, 50, 100, 200, 500, 1000, 2000, 5000]


def settings() -> tuple[TrainConfig, int]:
    """The training settings in two rows of widgets: (the config, iterations per run)."""
    c1, c2, c3, c4 = st.columns(4)
    hidden = c1.slider("Hidden size H", 2, 128, 16, key="tr_hidden", persist_state=KEEP)
    seq_length = c2.slider("Sequence length", 1, 100, 25, key="tr_seq", persist_state=KEEP,
                           help="Characters per chunk: BPTT runs over this many steps before each update.")
    lr = c3.select_slider("Learning rate", LEARNING_RATES, 0.1, key="tr_lr", persist_state=KEEP)
    optimizer = c4.radio("Optimiser", ["adagrad", "sgd"], format_func={"adagrad": "Adagrad", "sgd": "SGD"}.get,
                         key="tr_opt", persist_state=KEEP, horizontal=True)
    c5, c6, c7, c8 = st.columns(4)
    clip = c5.selectbox("Gradient clipping", list(CLIPS), key="tr_clip", persist_state=KEEP, format_func=CLIPS.get,
                        help=CLIP_HELP)
    clip_value = c6.select_slider("Clipping threshold c", [0.1, 0.5, 1.0, 5.0, 10.0, 50.0], 5.0, key="tr_clipv",
                                  persist_state=KEEP, disabled=clip == "none")
    iterations = c7.select_slider("Iterations per run", ITERATIONS, 100, key="tr_iters", persist_state=KEEP)
    seed = c8.number_input("Seed", 0, 2**31 - 1, 0, step=1, key="tr_seed", persist_state=KEEP)
    config = TrainConfig(hidden=int(hidden), seq_length=int(seq_length), learning_rate=float(lr),
                         optimizer=optimizer, clip=clip, clip_value=float(clip_value), seed=int(seed))
    return config, int(iterations)


def fresh_model(text: str, config: TrainConfig) -> TrainState:
    """A new model of `text` for this session; its table and gradient check start afresh."""
    st.session_state[MODEL] = new_state(text, config)
    st.session_state[MODEL_TEXT] = text
    st.session_state.pop(HISTORY, None)
    st.session_state.pop(CHECK, None)
    return st.session_state[MODEL]


def model_for(text: str, config: TrainConfig) -> TrainState:
    """The session's model, or a new one if there is none or it learnt another text (and the page says so: a
    model of another text cannot learn this one, it may not even have its characters)."""
    state = st.session_state.get(MODEL)
    if state is None:
        return fresh_model(text, config)
    if st.session_state.get(MODEL_TEXT) != text:  # set with MODEL, always
        st.info(f"New text, new network: a model of your text ({len(text):,} characters, {len(set(text))} "
                "different) starts from iteration 0. Train to teach it.", icon=":material/autorenew:")
        return fresh_model(text, config)
    return state


def loss_chart(losses: list[float], key: str | None = None) -> None:
    it, loss, smooth = pg.loss_curves(losses)
    show("loss", {"loss": pd.concat([pd.DataFrame({"iteration": it, "loss": loss, "curve": "loss of the chunk"}),
                                     pd.DataFrame({"iteration": it, "loss": smooth, "curve": "running average"})])},
         key=key, alt_text=f"Line chart: the loss per character over {len(losses)} iterations, from {losses[0]:.3f} at "
                      f"the first to {losses[-1]:.3f} at the last, with its running average.")


def probability_table(history: list[tuple[int, np.ndarray]], vocab: Vocab, shown: list[int]) -> None:
    """p(next character | context) at a few iterations, one column per character of `shown` (the few the model
    now finds most likely), the rest summed up, and the most likely of all."""
    rows = pg.table_rows(len(history))
    rest = vocab.size - len(shown)

    def row(i: int) -> dict:
        it, p = history[i]
        out = {"iteration": it, **{repr(vocab.chars[c]): f"{p[c]:.3f}" for c in shown}}
        if rest:
            out[f"the other {rest}"] = f"{1.0 - float(p[shown].sum()):.3f}"
        return {**out, "most likely": repr(vocab.chars[int(np.argmax(p))])}

    st.dataframe(pd.DataFrame([row(i) for i in rows]).set_index("iteration"), width="stretch",
                 height=35 * (len(rows) + 1) + 3)  # every row, no inner scrolling
    notes = []
    if rest:
        notes.append(f"The {len(shown)} characters the model now finds most likely, of the text's {vocab.size}; "
                     f"'the other {rest}' is the probability left to the rest.")
    if history[0][0] > 0:
        notes.append(f"The table starts at iteration {history[0][0]}, when this context was chosen.")
    if notes:
        st.caption(" ".join(notes))


def probability_chart(history: list[tuple[int, np.ndarray]], vocab: Vocab, shown: list[int]) -> None:
    """The probabilities of the `shown` characters over the iterations (a long history is thinned evenly)."""
    keep = pg.chart_rows(len(history))
    its = np.array([history[i][0] for i in keep])
    ps = np.array([history[i][1][shown] for i in keep])  # (n, len(shown))
    show("probs", {"probs": pd.DataFrame({"iteration": np.repeat(its, len(shown)),
                                          "character": np.tile([repr(vocab.chars[c]) for c in shown], len(its)),
                                          "p": ps.ravel()})}, key="tr_prob_chart")


def gradient_check_table(checks: list[tuple[str, float, float]]) -> None:
    """The gradient check per parameter, and its verdict in one line."""
    st.dataframe(pd.DataFrame([{"parameter": n, "relative error": f"{e:.2e}", "max |difference|": f"{d:.2e}",
                                "verdict": pg.gradcheck_verdict(e, d)} for n, e, d in checks])
                 .set_index("parameter"), width="stretch")
    worst = max(e for _, e, _ in checks)
    ok = worst < pg.GRADCHECK_AGREES
    (st.success if ok else st.warning)(
        f"Largest relative error {worst:.1e}: " + (f"BPTT's gradients match the differences (below "
                                                    f"{pg.GRADCHECK_AGREES:g})." if ok else "larger than expected."))
