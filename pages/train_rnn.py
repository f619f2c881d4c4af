"""Train and sample: the character RNN learns "hello" (or the learner's text) in chunks, with live curves."""
import numpy as np
import pandas as pd
import streamlit as st

from core.rnn.gradcheck import check_rnn_gradients
from core.rnn.train import MAX_TEXT, TrainConfig, new_state, next_char_probs, sample, train_recording, validate_text
from ui.charts import show

KEEP = "session"  # widget values survive a trip to another page
# session keys (not widgets), so the model, its history and the last check live on across reruns and pages
MODEL, HISTORY, CHECK, DRAW = "tr_model", "tr_history", "tr_gradcheck", "tr_draw"
CHUNKS = 20  # a training run is split into this many chunks, each followed by a redraw
MAX_LOSS_POINTS = 600
GRADCHECK_STEPS = 10  # characters the gradient check runs over (central differences cost two passes per weight)

st.title("Train and sample")
st.markdown(
    "Train the lecture's character RNN with backpropagation through time and watch it learn that **o** "
    "follows **hell**. Training walks the text in chunks of *sequence length* characters, carries the hidden "
    "state from chunk to chunk, and updates the weights after each chunk (one *iteration*). The model is kept "
    "between reruns: change the learning rate or the optimiser and carry on training the same network."
)

text = st.text_area("Training text", "hello", key="tr_text", persist_state=KEEP, height=80,
                    help=f"At least two different characters, at most {MAX_TEXT:,} characters.")
problem = validate_text(text)
if problem:
    st.error(problem, icon=":material/error:")
    st.stop()

c1, c2, c3, c4 = st.columns(4)
hidden = c1.slider("Hidden size H", 2, 128, 16, key="tr_hidden", persist_state=KEEP)
seq_length = c2.slider("Sequence length", 1, 100, 25, key="tr_seq", persist_state=KEEP,
                       help="Characters per chunk: BPTT runs over this many steps before each update.")
lr = c3.select_slider("Learning rate", [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0], 0.1, key="tr_lr",
                      persist_state=KEEP)
optimizer = c4.radio("Optimiser", ["adagrad", "sgd"], format_func={"adagrad": "Adagrad", "sgd": "SGD"}.get,
                     key="tr_opt", persist_state=KEEP, horizontal=True)
c5, c6, c7, c8 = st.columns(4)
clip = c5.selectbox("Gradient clipping", ["elementwise", "norm", "none"], key="tr_clip", persist_state=KEEP,
                    format_func={"elementwise": "each entry to ±c (min-char-rnn)", "norm": "global norm to c",
                                 "none": "none"}.get)
clip_value = c6.select_slider("Clipping threshold c", [0.1, 0.5, 1.0, 5.0, 10.0, 50.0], 5.0, key="tr_clipv",
                              persist_state=KEEP, disabled=clip == "none")
iterations = c7.select_slider("Iterations per run", [10, 50, 100, 200, 500, 1000, 2000, 5000], 100,
                              key="tr_iters", persist_state=KEEP)
seed = c8.number_input("Seed", 0, 2**31 - 1, 0, step=1, key="tr_seed", persist_state=KEEP)

config = TrainConfig(hidden=int(hidden), seq_length=int(seq_length), learning_rate=float(lr), optimizer=optimizer,
                     clip=clip, clip_value=float(clip_value), seed=int(seed))


def fresh_model() -> None:
    state = new_state(text, config)
    st.session_state[MODEL] = state
    st.session_state.pop(HISTORY, None)
    st.session_state.pop(CHECK, None)


state = st.session_state.get(MODEL)
if state is None:
    fresh_model()
    state = st.session_state[MODEL]
b1, b2, b3 = st.columns([1, 1, 2])
train_clicked = b1.button(f"Train {iterations} iterations", type="primary", key="tr_train",
                          icon=":material/play_arrow:")
if b2.button("New model", key="tr_reset", icon=":material/restart_alt:"):
    fresh_model()
    state = st.session_state[MODEL]
built_for = (state.vocab.decode(state.data), state.config.hidden, state.config.seed)
if built_for != (text, config.hidden, config.seed):
    st.info(f"The current model was built for a text of {len(built_for[0]):,} characters with H = {built_for[1]} "
            f"and seed {built_for[2]}. Press **New model** to start one with these settings; until then "
            "training continues the current model.", icon=":material/info:")
# settings that do not change the shapes apply to the model being trained
for name in ("seq_length", "learning_rate", "optimizer", "clip", "clip_value"):
    setattr(state.config, name, getattr(config, name))

vocab = state.vocab
default_context = "hell" if all(ch in vocab.chars for ch in "hell") else vocab.decode(state.data[:4])
if st.session_state.get("tr_for_vocab") != vocab.chars:  # a model of another text gets its own defaults
    st.session_state["tr_context"] = default_context
    st.session_state["tr_start"] = vocab.decode(state.data[:1])
    st.session_state["tr_for_vocab"] = vocab.chars
context = b3.text_input("Context for the probability table", key="tr_context", max_chars=40)
bad = "".join(dict.fromkeys(ch for ch in context if ch not in vocab.chars))
if not context or bad:
    st.warning(f"The context must be made of the text's characters ({''.join(vocab.chars)!r})"
               + (f"; {bad!r} {'is' if len(bad) == 1 else 'are'} not among them" if bad else "")
               + f". The table shows {default_context!r} instead.", icon=":material/warning:")
    context = default_context
# the table's rows: (iteration, p(next | context)); a new context starts a new table from the current model
if st.session_state.get(HISTORY, {}).get("context") != context:
    st.session_state[HISTORY] = {"context": context,
                                 "rows": [(state.iteration, next_char_probs(state.params, vocab, context))]}
history = st.session_state[HISTORY]["rows"]


def loss_frame(losses: list[float]) -> pd.DataFrame:
    """Loss per iteration and its running average (0.9 old + 0.1 new), at most MAX_LOSS_POINTS rows each."""
    loss = np.asarray(losses)
    smooth = np.empty_like(loss)
    acc = loss[0] if len(loss) else 0.0
    for i, x in enumerate(loss):
        acc = 0.9 * acc + 0.1 * x
        smooth[i] = acc
    idx = np.unique(np.linspace(0, len(loss) - 1, min(len(loss), MAX_LOSS_POINTS)).round().astype(int))
    it = idx + 1
    return pd.concat([pd.DataFrame({"iteration": it, "loss": loss[idx], "curve": "loss of the chunk"}),
                      pd.DataFrame({"iteration": it, "loss": smooth[idx], "curve": "running average"})])


progress = st.empty()
st.subheader("Loss")
loss_box = st.empty()
if train_clicked:
    bar = progress.progress(0.0, text="Training...")
    sizes = [len(c) for c in np.array_split(np.arange(iterations), min(CHUNKS, iterations))]
    for i, n in enumerate(sizes):  # chunks: the bar and the curve are redrawn between them
        history.extend(train_recording(state, n, context))
        bar.progress((i + 1) / len(sizes), text=f"Iteration {state.iteration}, loss {state.losses[-1]:.4f}")
        with loss_box.container():
            show("loss", {"loss": loss_frame(state.losses)})
    st.session_state.pop(CHECK, None)
    progress.empty()
with loss_box.container():
    if state.losses:
        show("loss", {"loss": loss_frame(state.losses)}, key="tr_loss_chart")
    else:
        st.caption("No training yet: press Train.")

m1, m2, m3 = st.columns(3)
m1.metric("Iterations", state.iteration)
m2.metric("Loss per character (last chunk)", f"{state.losses[-1]:.4f}" if state.losses else "–")
if state.losses and not state.losses[-1] < 1.5 * np.log(vocab.size):  # worse than guessing uniformly
    st.warning(f"The loss per character ({state.losses[-1]:.3g}) is above that of guessing every character with "
               f"equal probability (ln {vocab.size} = {np.log(vocab.size):.3g}): training is diverging. Lower the "
               "learning rate, switch on clipping or use Adagrad, then press New model.", icon=":material/warning:")
probs_now = next_char_probs(state.params, vocab, context)
best = int(np.argmax(probs_now))
m3.metric(f"Most likely after {context!r}", f"{vocab.chars[best]!r} ({probs_now[best]:.3f})")

st.subheader(f"p(next character | {context!r}) over the iterations")
# rows spread geometrically: the first iterations, where most of the learning happens, all get a row
rows = np.unique(np.r_[0, np.geomspace(1, len(history), min(len(history), 12)).round().astype(int) - 1])
table = pd.DataFrame([{"iteration": history[i][0], **{repr(ch): f"{p:.3f}" for ch, p in zip(vocab.chars, history[i][1],
                                                                                          strict=True)},
                       "most likely": repr(vocab.chars[int(np.argmax(history[i][1]))])} for i in rows])
st.dataframe(table.set_index("iteration"), width="stretch")
if history[0][0] > 0:
    st.caption(f"The table starts at iteration {history[0][0]}, when this context was chosen.")
if len(history) > 1 and vocab.size <= 12:
    its = np.array([h[0] for h in history])
    ps = np.array([h[1] for h in history])  # (n, V)
    show("probs", {"probs": pd.DataFrame({"iteration": np.repeat(its, vocab.size),
                                          "character": np.tile([repr(c) for c in vocab.chars], len(its)),
                                          "p": ps.ravel()})}, key="tr_prob_chart")
if context == "hell" and "o" in vocab.chars:
    p_o = probs_now[vocab.index("o")]
    (st.success if p_o > 0.9 else st.caption)(
        f"p(o | 'hell') = {p_o:.3f}" + (": the network has learnt the lecture's example." if p_o > 0.9 else
                                         " — train on to push it above 0.9."))

st.subheader("Sample")
s1, s2, s3, s4 = st.columns([2, 2, 2, 1])
temperature = s1.slider("Temperature", 0.0, 2.0, 1.0, step=0.1, key="tr_temp", persist_state=KEEP,
                        help="0 always takes the most likely character; 1 samples the model's probabilities; "
                             "above 1 flattens them.")
length = s2.slider("Characters to generate", 1, 400, 40, key="tr_len", persist_state=KEEP)
start = s3.text_input("Start with", key="tr_start", max_chars=40)
if s4.button("New sample", key="tr_resample", icon=":material/casino:"):
    st.session_state[DRAW] = st.session_state.get(DRAW, 0) + 1
missing = "".join(dict.fromkeys(ch for ch in start if ch not in vocab.chars))
if not start or missing:
    st.error("Start with one or more of the text's characters"
             + (f"; {missing!r} {'is' if len(missing) == 1 else 'are'} not in the vocabulary." if missing else "."),
             icon=":material/error:")
else:
    rng = np.random.default_rng((int(seed), st.session_state.get(DRAW, 0)))  # same draw until New sample
    out = sample(state.params, vocab, start, int(length), rng, float(temperature))
    st.code(start + out, language=None, wrap_lines=True)
    st.caption("The first characters are yours; the rest were drawn one at a time from softmax(y / temperature).")

st.subheader("Gradient check")
n_check = min(GRADCHECK_STEPS, len(state.data) - 1)  # several steps, so the recurrent weights are checked too
if st.button(f"Check BPTT against central differences on the first {n_check + 1} characters", key="tr_check",
             icon=":material/rule:"):
    with st.spinner("Two forward passes per weight..."):
        inputs, targets = state.data[:n_check], state.data[1:n_check + 1]
        st.session_state[CHECK] = [(c.name, c.relative_error, c.max_abs_diff)
                                   for c in check_rnn_gradients(state.params, inputs, targets)]
checks = st.session_state.get(CHECK)


def verdict(rel: float, max_diff: float) -> str:
    if rel == 0 and max_diff == 0:
        return "both zero: nothing to compare"  # e.g. W_hh over a single step, where h_0 = 0
    return "agrees" if rel < 1e-6 else "check this"

if checks:
    st.dataframe(pd.DataFrame([{"parameter": n, "relative error": f"{e:.2e}", "max |difference|": f"{d:.2e}",
                                "verdict": verdict(e, d)} for n, e, d in checks])
                 .set_index("parameter"), width="stretch")
    worst = max(e for _, e, _ in checks)
    (st.success if worst < 1e-6 else st.warning)(
        f"Largest relative error {worst:.1e}: " + ("BPTT's gradients match the differences (below 1e-6)."
                                                    if worst < 1e-6 else "larger than expected."))
