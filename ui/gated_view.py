"""How the LSTM and GRU screens draw their network: inputs, stacked weights by gate, the given gradients, and
the learner's backward answers against central differences."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from core.course.answers import parse_answer
from core.course.engine import Instance
from core.course.gated_check import step_numeric
from core.course.rules.gated import GATES
from core.formatting import bmatrix, fmt
from core.rnn.gradcheck import relative_error
from ui import exercise as ex
from ui.exercise import instance

AGREES = 1e-2  # relative error of a hand computation that agrees up to rounding


def blocks_latex(name: str, a: np.ndarray, gates: tuple[str, ...], decimals: int = 2) -> str:
    """A stacked weight matrix (or bias) with its gate blocks labelled on the left and ruled off."""
    a = a[:, None] if a.ndim == 1 else a
    H = a.shape[0] // len(gates)
    rows = []
    for n, gate in enumerate(gates):
        for r in range(H):
            rows.append(rf"{gate} & " + " & ".join(fmt(x, decimals) for x in a[n * H + r]))
    body = r" \\ \hline ".join(r" \\ ".join(rows[n * H:(n + 1) * H]) for n in range(len(gates)))
    return rf"{name} = \left[\begin{{array}}{{c|{'r' * a.shape[1]}}}{body}\end{{array}}\right]"


@st.cache_data(show_spinner=False, max_entries=64)
def _numeric(definition_id: str, seed: int, hidden: int) -> dict[str, np.ndarray]:
    """Cached: the finite differences run once per variant."""
    return step_numeric(instance(definition_id, seed, hidden).ctx)


def show_gated_network(inst: Instance, backward: bool) -> None:
    """The inputs and zero initial state, W_x, W_h and b by gate, and (going back) the given gradients."""
    gates = GATES[inst.network]
    c = inst.ctx
    left, right = st.columns([2, 3])
    with left:
        chars = [c.vocab.chars[int(i)] for i in c.inputs]
        start = "$h_0 = c_0 = 0$." if inst.network == "lstm" else "$h_0 = 0$."
        st.markdown(f"Vocabulary of “{inst.text}” in order of first appearance: **{', '.join(c.vocab.chars)}**. "
                    f"Inputs **{' '.join(chars)}**; {start}")
        st.latex(r" \quad ".join(rf"x_{t + 1} = {bmatrix(c.X[t], 0)}" for t in range(c.T)))
        st.caption(f"Gate order in the stacked weights: {', '.join(gates)} (rows of {c.H} each).")
        if backward:
            given = rf"dh_{{{c.T}}} = {bmatrix(c.dh, 2)}"
            if c.dc is not None:
                given += rf" \qquad dc_{{\mathrm{{in}}}} = {bmatrix(c.dc, 2)}"
            st.markdown("**Given**: the gradients that reach the last step from the rest of the network.")
            st.latex(given)
    with right:
        st.latex(blocks_latex("W_x", c.params.W_x, gates))
        st.latex(blocks_latex("W_h", c.params.W_h, gates) + r" \qquad " + blocks_latex("b", c.params.b, gates))


def forward_values(inst: Instance) -> None:
    """The forward values the backward part starts from (shown once the learner goes back)."""
    tr, c = inst.trace, inst.ctx
    names = ("i", "f", "g", "o", "c", "h") if inst.network == "lstm" else ("z", "r", "n", "h")
    cols = st.columns(c.T)
    for t, col in enumerate(cols):
        col.markdown(f"**Step {t + 1}**")
        col.latex(r" \quad ".join(rf"{n}_{t + 1} = {bmatrix(getattr(tr, n)[t], 4)}" for n in names))


def finite_difference_table(inst: Instance, answers: dict[str, str]) -> None:
    """The learner's backward answers against central differences of L through the last step."""
    numeric = _numeric(inst.definition.id, inst.seed, inst.hidden)
    rows = []
    for q in inst.quantities:
        if q.id not in numeric or q.id not in answers:
            continue
        parsed = parse_answer(answers[q.id], q.shape)
        if parsed.ok:
            err = relative_error(parsed.value, numeric[q.id])
            yours, verdict = f"{err:.1e}", "✓ agrees" if err < AGREES else "✗ disagrees: look again"
        else:
            yours, verdict = "unreadable", "–"
        rows.append({"gradient": q.id.split("[")[0], "your relative error": yours, "verdict": verdict,
                     "chain rule (exact) relative error": f"{relative_error(q.truth, numeric[q.id]):.1e}"})
    if rows:
        st.subheader("Your gradients against finite differences")
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
        st.caption("Central differences nudge each value by ±10⁻⁶ and recompute the rest of the step: "
                   f"(L(v+ε) − L(v−ε)) / 2ε, with no chain rule at all. Below {AGREES:g}, your gradient agrees up "
                   "to rounding.")


def gated_screen(definition_id: str, first_step_tip: str, next_page: str, next_label: str) -> None:
    """The whole LSTM or GRU exercise screen under its title: variant, groups, form, checks and score."""
    inst, grouped = ex.exercise_header(ex.definitions()[definition_id])
    choice = ex.group_picker(inst, grouped, key=f"{definition_id}_group", horizontal=True)
    title, quantities = grouped[choice]
    backward = quantities[0].id.startswith("d")  # the quantities of the way back are the d... ones
    show_gated_network(inst, backward)
    if backward:
        with st.expander("The forward values this step goes back from", expanded=False):
            forward_values(inst)
    ex.format_help()
    st.subheader(title)
    if not backward and quantities[0].t == 1:
        st.info(first_step_tip, icon=":material/lightbulb:")
    ex.group_form(inst, title, quantities)
    if choice + 1 < len(grouped):
        st.caption(f"Next: {grouped[choice + 1][0]} (choose it above).")
    else:
        st.page_link(next_page, label=next_label, icon=":material/arrow_forward:")
    work = ex.get_work(inst)
    finite_difference_table(inst, {qid: work.answers.get(qid, "") for qid in work.feedback})
    st.divider()
    st.subheader("Your score on this network")
    ex.summary(inst)
