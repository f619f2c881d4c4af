"""Home: what the app is, what a learner does here, and the notation used everywhere."""
import streamlit as st

from ui import identity, review

st.title("Recurrent neural networks, by hand")
st.markdown(
    """
Learn how a vanilla RNN works by **doing the maths yourself**. You will take the lecture's tiny
character-level network that reads **"hello"** and:

1. **Compute the forward pass** step by step: the one-hot input, $W_{xh}x_t$, $W_{hh}h_{t-1}$, the bias,
   $\\tanh$, the output $W_{hy}h_t$, the softmax and the loss. Type each value in and get it checked, with
   feedback that names your mistake.
2. **Backpropagate through time**: $\\partial E/\\partial W_{hy}$, $\\partial E/\\partial W_{hh}$ and
   $\\partial E/\\partial W_{xh}$, one chain-rule factor at a time.
3. **See gradients vanish and explode** as sequences get longer, computed from real Jacobian products.
4. **Train a small character RNN**, watch its loss fall and sample text from it.
5. **Read short lessons and take concept quizzes**; your progress is kept for the next time you come.
"""
)

if identity.class_mode() and identity.current() is None:  # a class server: sign in first, nothing else to see
    identity.learner_box()
    st.stop()

st.subheader("Where to start")
START = [  # rows of (page, link, icon, what it is, query): the hello network, what comes next, then the rest
    [("pages/forward_explorer.py", "Meet the network", ":material/visibility:",
      "The seeded \"hello\" network and every value of its forward pass.", None),
     ("pages/worked_examples.py", "Start from worked examples", ":material/school:",
      "A network worked out in full, then ever more of each step yours to compute.", None),
     ("pages/forward_exercise.py", "Compute the forward pass", ":material/calculate:",
      "Step by step, checked as you go, with hints and worked solutions.", None),
     ("pages/bptt_exercise.py", "Backpropagate through time", ":material/undo:",
      "The chain rule, one factor at a time, on the same network.", None)],
    [("pages/forward_exercise.py", "Your own word", ":material/edit:",
      "The same exercises on any short text: a name, \"abba\", \"hey you\". Starts on \"abba\".", {"text": "abba"}),
     ("pages/truncation_exercise.py", "Truncate and clip", ":material/content_cut:",
      "Truncated BPTT with k = 2 and gradient clipping, by hand on \"hello\".", None),
     ("pages/lstm_exercise.py", "One LSTM step", ":material/memory:",
      "Four gates, a memory and one step back, by hand, on \"hello\".", None),
     ("pages/gru_exercise.py", "One GRU step", ":material/alt_route:",
      "Update and reset gates, one stated convention, and one step back.", None)],
    [("pages/vanishing_gradients.py", "Watch gradients vanish", ":material/trending_down:",
      "Vanilla RNN, LSTM and GRU side by side, from real Jacobian products.", None),
     ("pages/train_rnn.py", "Train and sample", ":material/model_training:",
      "Train a character RNN on \"hello\" or your own text and sample from it.", None),
     ("pages/lessons.py", "Read the lessons", ":material/menu_book:",
      "Short lessons on every topic of the lecture, each with a quiz.", None)],
]
for row in START:
    for col, (page, label, icon, caption, query) in zip(st.columns(len(row)), row, strict=True):
        col.page_link(page, label=label, icon=icon, query_params=query)
        col.caption(caption)

identity.learner_box()
review.home_summary()

st.subheader("Notation")
st.markdown(
    "The lecture uses two notations. This app writes the first one everywhere, column vectors throughout."
)
st.markdown(
    """
| This app | Lecture's second notation | Shape | Meaning |
|---|---|---|---|
| $W_{xh}$ | $U$ | $H \\times V$ | input → hidden weights |
| $W_{hh}$ | $W$ | $H \\times H$ | hidden → hidden (recurrent) weights |
| $W_{hy}$ | $V$ | $V \\times H$ | hidden → output weights |
| $h_t$ | $s_t$ | $H$ | hidden state at step $t$ ($h_0 = 0$) |
| $p_t = \\operatorname{softmax}(y_t)$ | $\\hat y_t$ | $V$ | predicted distribution of the next character |
| $E_t$ | $E_t$ | scalar | loss at step $t$; $E = \\sum_t E_t$ |

$H$ is the hidden size and $V$ the vocabulary size (4 for "hello": h, e, l, o in order of first appearance).
"""
)

st.subheader("The equations")
st.latex(r"z_t = W_{xh}\,x_t + W_{hh}\,h_{t-1} + b_h \qquad h_t = \tanh(z_t)")
st.latex(r"y_t = W_{hy}\,h_t + b_y \qquad p_t = \operatorname{softmax}(y_t),\quad "
         r"p_{t,i} = \frac{e^{y_{t,i}}}{\sum_j e^{y_{t,j}}}")
st.latex(r"E_t = -\log p_{t,\,\text{target}_t} \qquad E = \sum_{t=1}^{T} E_t")
st.caption(
    "Inputs are the text without its last character (h e l l), targets the text without its first (e l l o): "
    "at every step the network predicts the next character."
)
