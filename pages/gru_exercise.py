"""One GRU step by hand: two steps forward on "hello", then back through the second; the engine checks it."""
import streamlit as st

from ui.gated_view import gated_screen

st.title("One GRU step")
gated_screen(
    "gru_step",
    first_step_tip="**At t = 1 the old state is zero**, $h_0 = 0$: the reset gate has nothing to mask and "
                   "$h_1 = (1 - z_1)\\odot n_1$. Step 2 is where both gates start to matter.",
    next_page="pages/vanishing_gradients.py", next_label="See how far a GRU's gradient survives",
)
