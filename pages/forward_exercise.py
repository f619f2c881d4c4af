"""Forward pass by hand: the learner computes every value of the "hello" forward pass; the engine checks it."""
import streamlit as st

from ui import exercise as ex

DEFINITION = ex.definitions()["forward_hello"]

st.title("Forward pass: hello")
inst, grouped = ex.exercise_header(DEFINITION)

choice = ex.group_picker(inst, grouped, key="forward_group", horizontal=True)
title, quantities = grouped[choice]
step = quantities[0].t if quantities[0].step_var == "t" else None
ex.show_network(inst, step)
ex.format_help()

st.subheader(title)
if step == 1:
    col = inst.vocab.index(inst.text[0])
    st.info(f"**A one-hot vector times a matrix selects a column.** $x_1$ has its 1 at position {col + 1}, "
            f"so $W_{{xh}}x_1$ is column {col + 1} of $W_{{xh}}$: no multiplication needed.",
            icon=":material/lightbulb:")
    zeros = "`[" + ", ".join("0" for _ in range(inst.hidden)) + "]`"
    st.info(f"**At t = 1 the previous state is h₀ = 0**, so the recurrent term $W_{{hh}}h_0$ is the zero vector, "
            f"{zeros}. The bias $b_h$ is not part of it: it is the third term of "
            "$z_1 = W_{xh}x_1 + W_{hh}h_0 + b_h$, which at this step is $W_{xh}x_1 + b_h$. The lecture makes the "
            "same point on its slide: the recurrent weight there, 0.427, times $h_0 = 0$ is 0, so of "
            "$W_{hh}h_0 + b_h$ only the bias, 0.567, is left. The lecture then says that without a bias the first "
            "step would output only zeros; it would not: the input term $W_{xh}x_1$ is still added, so $h_1$ is not "
            "zero even without a bias.", icon=":material/lightbulb:")
if step is not None:
    st.caption("Softmax makes every $p_{t,i}$ positive and divides by their sum, so the entries of $p_t$ add up "
               "to 1: a quick check of your own $p_t$. The prediction is the character with the largest $p_t$ "
               "(the arg-max, not a 0.5 threshold).")
ex.group_form(inst, title, quantities)
if choice + 1 < len(grouped):
    st.caption(f"Next: {grouped[choice + 1][0]} (choose it above).")
else:
    st.page_link("pages/bptt_exercise.py", label="Continue with backpropagation through time on this network",
                 icon=":material/arrow_forward:")

st.divider()
st.subheader("Your score on this network")
ex.summary(inst)
