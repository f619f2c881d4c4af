"""Train and sample: the character RNN learns "hello" (or the learner's text) in chunks, with live curves."""
import numpy as np
import streamlit as st

from core.rnn import playground as pg
from core.rnn.gradcheck import check_rnn_gradients
from core.rnn.train import MAX_DISTINCT, MAX_TEXT, next_char_probs, sample, train_recording, validate_text
from ui import training

HISTORY, CHECK, DRAW = training.HISTORY, training.CHECK, training.DRAW  # session keys, not widgets
CHUNKS = 20  # a training run is split into this many chunks, each followed by a redraw
GRADCHECK_STEPS = 10  # characters the gradient check runs over (central differences cost two passes per weight)

st.title("Train and sample")
st.markdown(
    "Train the lecture's character RNN with backpropagation through time and watch it learn that **o** "
    "follows **hell**, or what follows the first characters of your own text. Training walks the text in chunks "
    "of *sequence length* characters, carries the hidden state from chunk to chunk, and updates the weights after "
    "each chunk (one *iteration*). The model is kept between reruns: change the learning rate or the optimiser and "
    "carry on training the same network; change the text and a new network learns it."
)

# max_chars: the browser refuses a longer paste outright, so a megabyte of text never reaches the page or the server
text = st.text_area("Training text", "hello", key="tr_text", persist_state=training.KEEP, height=80,
                    max_chars=MAX_TEXT, help=f"At least two different characters; at most {MAX_TEXT:,} characters "
                                         f"and {MAX_DISTINCT} different ones.")
st.caption(f"Up to {MAX_TEXT:,} characters (the box counts them) and {MAX_DISTINCT} different ones. A longer paste "
           "is not taken: the box keeps the text it had, so paste an extract.")
problem = validate_text(text)
if problem:
    st.error(problem, icon=":material/error:")
    st.stop()

config, iterations = training.settings()


state = training.model_for(text, config)
b1, b2, b3 = st.columns([1, 1, 2])
train_clicked = b1.button(f"Train {iterations} iterations", type="primary", key="tr_train",
                          icon=":material/play_arrow:")
if b2.button("New model", key="tr_reset", icon=":material/restart_alt:"):
    state = training.fresh_model(text, config)
if (state.config.hidden, state.config.seed) != (config.hidden, config.seed):
    st.info(f"The current model has H = {state.config.hidden} and seed {state.config.seed}. Press **New model** to "
            f"start one with H = {config.hidden} and seed {config.seed}; until then Train continues the current "
            "model.", icon=":material/info:")
# settings that do not change the shapes apply to the model being trained
for name in ("seq_length", "learning_rate", "optimizer", "clip", "clip_value"):
    setattr(state.config, name, getattr(config, name))

vocab = state.vocab
fallback_context = pg.default_context(text)
if st.session_state.get("tr_for_text") != text:  # a model of another text gets its own context and start
    st.session_state["tr_context"] = fallback_context
    st.session_state["tr_start"] = text[:1]
    st.session_state["tr_for_text"] = text
context = b3.text_input("Context for the probability table", key="tr_context", max_chars=40)
bad = pg.missing_characters(vocab, context)
if not context or bad:
    st.warning(f"The context must be made of the text's characters ({''.join(vocab.chars)[:80]!r})"
               + (f"; {bad!r} {'is' if len(bad) == 1 else 'are'} not among them" if bad else "")
               + f". The table shows {fallback_context!r} instead.", icon=":material/warning:")
    context = fallback_context
# the table's rows: (iteration, p(next | context)); a new context starts a new table from the current model
if st.session_state.get(HISTORY, {}).get("context") != context:
    st.session_state[HISTORY] = {"context": context,
                                 "rows": [(state.iteration, next_char_probs(state.params, vocab, context))]}
history = st.session_state[HISTORY]["rows"]


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
            training.loss_chart(state.losses)
    st.session_state.pop(CHECK, None)
    progress.empty()
with loss_box.container():
    if state.losses:
        training.loss_chart(state.losses, key="tr_loss_chart")
    else:
        st.caption("No training yet: press Train.")

m1, m2, m3 = st.columns(3)
m1.metric("Iterations", state.iteration)
m2.metric("Loss per character (last chunk)", f"{state.losses[-1]:.4f}" if state.losses else "–")
if pg.diverging(state):  # worse than guessing uniformly
    st.warning(f"The loss per character ({state.losses[-1]:.3g}) is above that of guessing every character with "
               f"equal probability (ln {vocab.size} = {np.log(vocab.size):.3g}): training is diverging. Lower the "
               "learning rate, switch on clipping or use Adagrad, then press New model.", icon=":material/warning:")
probs_now = next_char_probs(state.params, vocab, context)
best = int(np.argmax(probs_now))
m3.metric(f"Most likely after {context!r}", f"{vocab.chars[best]!r} ({probs_now[best]:.3f})")

st.subheader(f"p(next character | {context!r}) over the iterations")
shown = pg.top_characters(probs_now, vocab, keep=pg.expected_next(text, context) or "")
training.probability_table(history, vocab, shown)
if len(history) > 1:
    training.probability_chart(history, vocab, shown)
learnt, verdict = pg.context_verdict(text, context, probs_now, vocab)
(st.success if learnt else st.caption)(verdict)

st.subheader("Sample")
s1, s2, s3, s4 = st.columns([2, 2, 2, 1])
temperature = s1.slider("Temperature", 0.0, 2.0, 1.0, step=0.1, key="tr_temp", persist_state=training.KEEP,
                        help="0 always takes the most likely character; 1 samples the model's probabilities; "
                             "above 1 flattens them.")
length = s2.slider("Characters to generate", 1, 400, 40, key="tr_len", persist_state=training.KEEP)
start = s3.text_input("Start with", key="tr_start", max_chars=40)
if s4.button("New sample", key="tr_resample", icon=":material/casino:"):
    st.session_state[DRAW] = st.session_state.get(DRAW, 0) + 1
missing = pg.missing_characters(vocab, start)
if not start or missing:
    st.error("Start with one or more of the text's characters"
             + (f"; {missing!r} {'is' if len(missing) == 1 else 'are'} not in the vocabulary." if missing else "."),
             icon=":material/error:")
else:
    rng = np.random.default_rng((config.seed, st.session_state.get(DRAW, 0)))  # same draw until New sample
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

if checks:
    training.gradient_check_table(checks)
