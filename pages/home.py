"""Home: what the app is, what a learner does here, and the notation used everywhere."""
import streamlit as st

from ui.progress import learner_box

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

st.subheader("Where to start")
c1, c2, c3 = st.columns(3)
c1.page_link("pages/forward_explorer.py", label="Meet the network", icon=":material/visibility:")
c1.caption("The seeded \"hello\" network and every value of its forward pass.")
c2.page_link("pages/forward_exercise.py", label="Compute the forward pass", icon=":material/calculate:")
c2.caption("Step by step, checked as you go, with hints and worked solutions.")
c3.page_link("pages/lessons.py", label="Read the lessons", icon=":material/menu_book:")
c3.caption("Short lessons on every topic of the lecture, each with a quiz.")
c1.page_link("pages/bptt_exercise.py", label="Backpropagate through time", icon=":material/undo:")
c1.caption("The chain rule, one factor at a time, on the same network.")
c2.page_link("pages/vanishing_gradients.py", label="Watch gradients vanish", icon=":material/trending_down:")
c2.caption("Vanilla RNN, LSTM and GRU side by side, from real Jacobian products.")
c3.page_link("pages/train_rnn.py", label="Train and sample", icon=":material/model_training:")
c3.caption("Train a character RNN on \"hello\" or your own text and sample from it.")

learner_box()

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
