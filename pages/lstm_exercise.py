"""One LSTM step by hand: two steps forward on "hello", then back through the second; the engine checks it."""
import streamlit as st

from ui.gated_view import gated_screen

st.title("One LSTM step")
gated_screen(
    "lstm_step",
    first_step_tip="**At t = 1 both states are zero**, $h_0 = c_0 = 0$: the recurrent terms $W_h h_0$ vanish and "
                   "the forget gate has no old memory to keep, so $c_1 = i_1\\odot g_1$. Step 2 is where $f_2$ "
                   "starts to matter.",
    next_page="pages/gru_exercise.py", next_label="Now the same for a GRU",
)
