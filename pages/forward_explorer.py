"""Forward pass explorer: the seeded "hello" network and every value of its forward pass (read-only)."""
import numpy as np
import pandas as pd
import streamlit as st

from core.course.own_text import text_problem
from core.formatting import bmatrix, fmt, format_value
from ui import exercise as ex
from ui.network import cached_trace

MAX_TEXT = 12


def visible(ch: str) -> str:
    """A character as a learner can see it: a space as ␣."""
    return "␣" if ch == " " else ch

st.title("Forward pass explorer")
st.markdown(
    "Meet the network you will compute by hand. Every number below comes from the same seeded weights, "
    "so a seed names a network: change it to see another one."
)

# Start on the network the exercises use (the current variant, else the textbook one), so what a learner
# checks here is what they compute there.
variant = ex.current_or_textbook_variant()
for key, value in (("explorer_text", variant.text), ("explorer_hidden", variant.hidden),
                   ("explorer_seed", variant.seed), ("explorer_hand", True)):
    st.session_state.setdefault(key, value)

c1, c2, c3 = st.columns([2, 1, 1])
text = c1.text_input("Text", max_chars=MAX_TEXT, key="explorer_text",
                     help=f"2 to {MAX_TEXT} characters; inputs are text[:-1], targets text[1:].")
hidden = c2.slider("Hidden size H", 1, 8, key="explorer_hidden")
seed = c3.number_input("Seed", min_value=0, max_value=2**31 - 1, step=1, key="explorer_seed")
hand = st.toggle("Hand-friendly weights (2 decimals, uniform in [-1, 1])", key="explorer_hand",
                 help="Off: scaled normal weights with standard deviation 1/sqrt(fan-in) and zero biases.")
if (text, int(seed), int(hidden), hand) == (variant.text, variant.seed, variant.hidden, True):
    st.caption("This is the network of the forward-pass and BPTT exercises.")
else:
    b1, b2 = st.columns(2)
    b1.button("Back to the exercises' network", icon=":material/undo:", on_click=ex.reset_explorer,
              args=(variant,))
    if hand and 2 <= int(hidden) <= 8 and text_problem(text) is None:  # the exercise vets the seed, may move on
        b2.page_link("pages/forward_exercise.py", label="Compute this network by hand", icon=":material/calculate:",
                     query_params={"seed": str(int(seed)), "hidden": str(int(hidden)), "text": text})

if len(text) < 2:
    st.error(f"The text needs at least two characters (an input and its target); it has {len(text)}.")
    st.stop()

vocab, params, trace = cached_trace(text, int(hidden), int(seed), hand)
inputs, targets = text[:-1], text[1:]
V, H, T = vocab.size, params.hidden, trace.T

st.subheader("Vocabulary and one-hot inputs")
st.markdown(
    f"Vocabulary in order of first appearance: **{', '.join(vocab.chars)}** (V = {V}). "
    f"Inputs **{' '.join(inputs)}**, targets **{' '.join(targets)}**."
)
st.dataframe(
    pd.DataFrame(np.eye(V, dtype=int), index=list(vocab.chars), columns=list(vocab.chars)),
    width="content",
)
st.caption("Each character is a column of the identity matrix: a one-hot vector.")

st.subheader("Parameters")
def eq(name, arr):
    return rf"{name[0]}_{{{name[2:]}}} = {bmatrix(arr, 2)}"


left, right = st.columns(2)
left.latex(eq("W_xh", params.W_xh))
left.latex(eq("W_hy", params.W_hy))
right.latex(eq("W_hh", params.W_hh))
right.latex(eq("b_h", params.b_h) + r" \qquad " + eq("b_y", params.b_y))
st.caption(f"W_xh is H×V = {H}×{V}, W_hh is {H}×{H}, W_hy is {V}×{H}; b_h has {H} entries and b_y has {V}.")

st.subheader("Every value, step by step")
COLUMNS = (("W_xh·x_t", trace.W_xh_x), ("W_hh·h_(t-1)", trace.W_hh_h_prev), ("z_t", trace.z), ("h_t", trace.h),
           ("y_t", trace.y), ("p_t", trace.p))
rows = []
for t in range(T):
    rows.append({"t": t + 1, "input": inputs[t], "target": targets[t], "x_t": format_value(trace.x[t], 1),
                 **{name: format_value(values[t], 3) for name, values in COLUMNS},
                 "predicted": visible(vocab.chars[int(trace.predicted[t])]), "E_t": fmt(trace.loss_t[t], 4)})
# st.table, not st.dataframe: a static table wraps its cells, so every column shows (p_t, the prediction and E_t
# were cut off past y_t) and every row (a text of 12 characters has 11)
st.table(pd.DataFrame(rows), hide_index=True)

predicted = "".join(vocab.chars[int(i)] for i in trace.predicted)
m1, m2, m3 = st.columns(3)
m1.metric("Predicted next characters", "".join(visible(c) for c in predicted))
m2.metric("Correct predictions", f"{sum(a == b for a, b in zip(predicted, targets, strict=True))} of {T}")
m3.metric("Total loss E", fmt(trace.loss, 4))

st.subheader("One step in detail")
t = st.slider("Step t", 1, T, 1) - 1 if T > 1 else 0  # a two-character text has a single step
# one equation per line, the long one over three, so they fit a phone's width too
st.latex(
    rf"\begin{{aligned}} z_{{{t + 1}}} &= W_{{xh}}x_{{{t + 1}}} + W_{{hh}}h_{{{t}}} + b_h \\ "
    rf"&= {bmatrix(trace.W_xh_x[t])} + {bmatrix(trace.W_hh_h_prev[t])} + {bmatrix(params.b_h, 2)} \\ "
    rf"&= {bmatrix(trace.z[t])} \end{{aligned}}"
)
st.latex(rf"h_{{{t + 1}}} = \tanh(z_{{{t + 1}}}) = {bmatrix(trace.h[t])}")
left, right = st.columns(2)
left.latex(rf"y_{{{t + 1}}} = W_{{hy}}h_{{{t + 1}}} + b_y = {bmatrix(trace.y[t])}")
right.latex(rf"p_{{{t + 1}}} = \operatorname{{softmax}}(y_{{{t + 1}}}) = {bmatrix(trace.p[t])}")
target = targets[t]
st.latex(rf"E_{{{t + 1}}} = -\ln p_{{{t + 1}}}[\text{{{target}}}] = -\ln {fmt(trace.p[t][vocab.index(target)], 4)}"
         rf" = {fmt(trace.loss_t[t], 4)}")
if t == 0:
    st.info("At t = 1 the previous state is h₀ = 0, so the recurrent term W_hh·h₀ is zero and "
            "z₁ = W_xh·x₁ + b_h: the bias is a term of its own, added to the input column W_xh·x₁. The lecture "
            "shows this on its slide: the recurrent weight there, 0.427, times h₀ = 0 is 0, so of W_hh·h₀ + b_h "
            "only the bias, 0.567, is left. The input column is still added, so h₁ is not zero even without a "
            "bias (the lecture says it would be).")
