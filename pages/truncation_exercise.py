"""Truncated BPTT and gradient clipping by hand, on the "hello" network; the engine checks every value."""
import numpy as np
import pandas as pd
import streamlit as st

from core.formatting import bmatrix
from ui import exercise as ex

DEFINITION = ex.definitions()["truncation_hello"]

st.title("Truncated BPTT and clipping")
inst, grouped = ex.exercise_header(DEFINITION)
v = inst.values

with st.expander("Full BPTT of this network (given: the values truncation starts from)", expanded=True):
    cols = st.columns(inst.ctx.T)
    for t, col in enumerate(cols, start=1):
        col.markdown(f"**Step {t}**: target ‘{v[f'target[{t}]']}’")
        col.latex(rf"W_{{hy}}^\top dy_{{{t}}} = {bmatrix(v[f'dh_out[{t}]'], 4)}")
        col.latex(rf"1 - h_{{{t}}}^2 = {bmatrix(v[f'fpr[{t}]'], 4)}")
        col.latex(rf"dh_{{{t}}} = {bmatrix(v[f'dh[{t}]'], 4)}")
    st.latex(rf"g = \frac{{\partial E}}{{\partial W_{{hh}}}} = {bmatrix(v['dW_hh'], 4)}")
    st.caption("These come from the BPTT exercise on the same network: full BPTT, every loss sent back to every "
               "earlier step. $dh_t$ is shown for comparison only: truncation must not use it.")

choice = ex.group_picker(inst, grouped, key="truncation_group", horizontal=False)
title, quantities = grouped[choice]
step = quantities[0].t if quantities[0].step_var == "t" else None
ex.show_network(inst, step, backward=True)
ex.format_help()

st.subheader(title)
ex.group_form(inst, title, quantities)

work = ex.get_work(inst)
if "clip_norm" in work.feedback:  # the balance between the steps, before and after clipping by the norm
    st.subheader("Clipping fixes the size, not the balance")
    T, scale = inst.ctx.T, float(v["clip_scale"])
    norms = np.array([np.linalg.norm(v[f"dW_hh_trunc[{t}]"]) for t in range(1, T + 1)])
    share = norms / norms.sum() if norms.sum() > 0 else norms
    st.dataframe(pd.DataFrame({
        "step t": range(1, T + 1), "‖contribution‖ before": norms.round(4),
        "after norm clipping": (scale * norms).round(4),
        "share before": [f"{s:.1%}" for s in share], "share after": [f"{s:.1%}" for s in share],
    }), hide_index=True, width="stretch")
    st.caption("Norm clipping multiplies every step's contribution $\\tilde{dh}_{\\mathrm{raw},t}h_{t-1}^\\top$ "
               f"by the same factor ({scale:.4g}), so each step keeps its share: a distant step whose share had "
               "vanished stays vanished. Element-wise clipping changes the shares, but blindly (its cosine with "
               "the gradient is below 1): neither brings back what vanished.")

st.divider()
st.subheader("Your score on this network")
ex.summary(inst)
