"""Backpropagation through time by hand, on the forward screen's network, in both of the lecture's notations."""
import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from core.course.answers import parse_answer
from core.formatting import bmatrix
from core.rnn.gradcheck import relative_error
from ui import exercise as ex
from ui.notation import lecture_label

DEFINITION = ex.definitions()["bptt_hello"]

st.title("Backpropagation through time")
inst, grouped = ex.exercise_header(DEFINITION)

with st.expander("The two notations of the lecture, side by side", expanded=False):
    st.markdown(
        "| This app | Lecture (second half) | Meaning |\n|---|---|---|\n"
        "| $W_{xh}$ | $U$ | input → hidden |\n| $W_{hh}$ | $W$ | hidden → hidden |\n"
        "| $W_{hy}$ | $V$ | hidden → output |\n| $h_t$ | $s_t$ | hidden state |\n"
        "| $p_t$ | $\\hat y_t$ | predicted distribution |\n| one-hot target | $y_t$ | what should come next |\n"
        "| $dy_t = p_t - \\text{onehot}(\\text{target}_t)$ | $\\hat y_t - y_t$ | gradient at the output scores |\n"
    )

with st.expander("The forward pass of this network (the values BPTT starts from)", expanded=True):
    tr = inst.trace
    cols = st.columns(tr.T)
    for t, col in enumerate(cols):
        target = inst.text[t + 1]
        col.markdown(f"**Step {t + 1}**: input ‘{inst.text[t]}’, target ‘{target}’")
        col.latex(rf"h_{{{t + 1}}} = {bmatrix(tr.h[t], 4)}")
        col.latex(rf"p_{{{t + 1}}} = {bmatrix(tr.p[t], 4)}")
    st.caption(f"Total loss E = {tr.loss:.4f}. The targets are one-hot vectors, like the inputs; "
               "$h_0 = 0$.")

if inst.chain is None and DEFINITION.chain_T:
    st.caption(f"“{inst.text}” has {inst.trace.T} step{'s' if inst.trace.T != 1 else ''}: the lecture's single "
               f"loss $E_{DEFINITION.chain_T}$ needs {DEFINITION.chain_T}, so its chain is left out here.")
choice = ex.group_picker(inst, grouped, key="bptt_group", horizontal=False)
title, quantities = grouped[choice]
step = quantities[0].t if quantities[0].step_var == "t" else None
ex.show_network(inst, step, backward=True)
ex.format_help()

st.subheader(title)
ex.group_form(inst, title, quantities, lecture_labels={q.id: lecture_label(q.label) for q in quantities})

work = ex.get_work(inst)
K = inst.chain.T if inst.chain is not None else None
if K is not None and any(qid.startswith(f"dE{K}_dW_hh") for qid in work.feedback):  # K is the file's chain_T
    st.subheader(f"How much each step contributes to $\\partial E_{K}/\\partial W_{{hh}}$")
    share = inst.chain.share
    df = pd.DataFrame({"k": [f"k = {k}" for k in range(1, K + 1)], "share": share,
                       "norm": np.linalg.norm(inst.chain.terms_W_hh.reshape(K, -1), axis=1)})
    chart = alt.Chart(df).mark_bar().encode(
        color=alt.value("primary"),  # Streamlit puts the theme's primary colour here, light or dark
        x=alt.X("k:N", title="term of the sum", sort=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("share:Q", title="share of the total (Frobenius norm)", axis=alt.Axis(format="%")),
        tooltip=["k", alt.Tooltip("share:Q", format=".1%"), alt.Tooltip("norm:Q", format=".4f")],
    )
    st.altair_chart(chart, width="stretch", alt=f"Bar chart: the share of each of the {K} terms of the sum in "
                    f"∂E_{K}/∂W_hh; the largest is k = {int(np.argmax(share)) + 1} with {share.max():.0%}.")
    st.caption("The k = 1 term holds $h_0 = 0$, so it is zero for $W_{hh}$; terms further back pass through more "
               "Jacobians $\\mathrm{diag}(1-h_j^2)W_{hh}$, which is where gradients start to vanish.")

# The independent check: the learner's summed gradients against central differences of the total loss.
GRADS = {"dW_hy": "W_hy", "db_y": "b_y", "dW_hh": "W_hh", "dW_xh": "W_xh", "db_h": "b_h"}
AGREES = 1e-2  # relative error of a hand computation that agrees up to rounding
answered = {qid: work.answers.get(qid, "") for qid in GRADS if qid in work.feedback}
if answered:
    st.subheader("Your gradients against finite differences")
    numeric = ex.numerical_grads(DEFINITION.id, inst.seed, inst.hidden, inst.text)
    rows = []
    for qid, name in GRADS.items():
        if qid not in answered:
            continue
        parsed = parse_answer(answered[qid], numeric[name].shape)
        exact = getattr(inst.backward.grads, name)
        if parsed.ok and parsed.value.size == numeric[name].size:
            err = relative_error(parsed.value.reshape(numeric[name].shape), numeric[name])
            yours, verdict = f"{err:.1e}", "✓ agrees" if err < AGREES else "✗ disagrees: look again"
        else:
            yours, verdict = "unreadable", "–"
        rows.append({"gradient": f"∂E/∂{name}", "your relative error": yours, "verdict": verdict,
                     "BPTT (exact) relative error": f"{relative_error(exact, numeric[name]):.1e}"})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption("Central differences nudge each weight by ±10⁻⁶ and rerun the forward pass: "
               f"(E(w+ε) − E(w−ε)) / 2ε. A relative error below {AGREES:g} means your hand-computed gradient "
               "agrees up to rounding; exact BPTT agrees to about 10⁻⁹.")

st.divider()
st.subheader("Your score on this network")
ex.summary(inst)
