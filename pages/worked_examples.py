"""Worked examples that fade: the first network fully worked, then ever more of each step left to the learner."""
import streamlit as st

from core.course.engine import solution
from core.review.fading import blanks, stages
from ui import exercise as ex
from ui import fading, identity
from ui.gated_view import show_gated_network

st.title("Worked examples")
st.markdown("A way into each exercise: the first network is **worked out in full**, every value with its equation "
            "and the numbers put in. On the next network the last value of each step is yours to compute, then the "
            "last two, and so on until you compute everything. Get the blanks right at the first try and the "
            "examples fade faster; after a named mistake you get another network at the same stage.")
identity.caption()

DEFS = ex.definitions()
ORDER = [d for d in ("forward_hello", "bptt_hello", "truncation_hello", "lstm_step", "gru_step") if d in DEFS]
choice = st.selectbox("Exercise", ORDER, key="fade_exercise", format_func=lambda d: DEFS[d].title)
definition = DEFS[choice]
fade = fading.current(definition)
inst = ex.instance(definition.id, fade.seed, fade.hidden)
ids = fading.group_ids(inst)
last = stages(ids)
mine = set(blanks(ids, fade.stage))

st.progress(fade.stage / last if last else 1.0,
            text=(f"Stage {fade.stage} of {last}: " + ("everything is worked out for you" if fade.stage == 0 else
                  "you compute everything" if fade.stage >= last else
                  "the last value of each step is yours" if fade.stage == 1 else
                  f"the last {fade.stage} values of each step are yours")))
st.caption(f"This network: hidden size {inst.hidden}, seed {inst.seed}, the text “{inst.text}”.")
with st.expander("The network", expanded=fade.stage == 0):
    if inst.network in ("lstm", "gru"):
        show_gated_network(inst, backward=True)
    else:
        ex.show_network(inst, None, backward=definition.id != "forward_hello")
ex.format_help()

for title, quantities in ex.groups(inst):
    st.subheader(title)
    for q in quantities:
        if q.id not in mine:
            with st.container(border=True):
                st.markdown(solution(inst, q.id))
    todo = [q for q in quantities if q.id in mine]
    if todo:
        ex.group_form(inst, f"fade::{title}", todo)

st.divider()
if fade.stage == 0:
    st.markdown("Read every value above and check that you could have computed it. Then try the next network, "
                "where the last value of each step is yours.")
    st.button("Next example", key="fade_next", type="primary", icon=":material/arrow_forward:",
              on_click=fading.move_on, args=(definition, fade))
elif fading.finished(inst, fade.stage):
    st.success("Every blank of this network is done.", icon=":material/check_circle:")
    st.button("Next example", key="fade_next", type="primary", icon=":material/arrow_forward:",
              on_click=fading.move_on, args=(definition, fade))
else:
    left = sum(1 for r in fading.results(inst, sorted(mine)) if not (r.revealed or r.status in ("correct", "ecf")))
    st.caption(f"{left} value{'s' if left != 1 else ''} of yours still to do on this network; then the next example "
               "appears here.")
if fade.stage >= last:
    st.page_link(ex.EXERCISE_PAGES.get(definition.id, "pages/forward_exercise.py"),
                 label="You compute everything now: go on to the full exercise", icon=":material/calculate:")
