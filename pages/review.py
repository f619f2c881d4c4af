"""Review: the skills due today, each asked on a network the learner has not seen, one value at a time."""
import streamlit as st

from core.review.plan import in_words, next_due, practise_next
from ui import exercise as ex
from ui import identity
from ui import review as rv
from ui.gated_view import show_gated_network
from ui.progress import skills

st.title("Review")
st.markdown("Every kind of value you compute (the recurrent term, softmax, $dh_{\\text{raw}}$, ...) is a **skill**. "
            "Each one comes back here just before you would forget it, scheduled by FSRS from how you answered, "
            "and always on a network you have not seen: recalling the method, not recognising the numbers.")
identity.caption()
SKILLS = skills()

cards = rv.learner_cards()
if cards is None:
    st.stop()  # the store cannot be read: the banner at the top says why
item = rv.pinned()
if item is None:
    item = rv.next_item(cards)
    if item is not None:
        rv.pin(item)

if item is None:
    when = next_due(cards, rv.now(), SKILLS)
    if not cards:
        st.info("Nothing to review yet. Review brings back what you have computed: start with the forward pass, "
                "and the values you check there come back here on the days they are due.",
                icon=":material/event_available:")
        st.page_link("pages/forward_exercise.py", label="Compute the forward pass", icon=":material/calculate:")
    else:
        st.success("Nothing is due now." + (f" The next skill falls due {in_words(when - rv.now())}." if when
                                            else ""), icon=":material/event_available:")
    options = practise_next(SKILLS, cards, rv.now(), n=len(SKILLS))
    if options:
        st.subheader("Practise a skill anyway")
        words = {o.skill.id: f"{o.skill.title} — {rv.level_words(o)}" for o in options}
        choice = st.selectbox("Skill", list(words), key="review_extra", format_func=words.__getitem__)
        if st.button("Practise this skill", key="review_extra_go", icon=":material/fitness_center:"):
            rv.pin(rv.next_item(cards, choice))
            st.rerun()
    st.stop()

skill = SKILLS.get(item.skill_id)
others = sum(1 for sid, c in cards.items() if c.due <= rv.now() and sid != skill.id and SKILLS.get(sid))
done = cards[skill.id].reviews if skill.id in cards else 0
st.subheader(skill.title)
st.caption((f"{others} more skill{'s' if others != 1 else ''} due after this one" if others else
            "The last skill due now") + f" · this skill rated {done} time{'s' if done != 1 else ''} so far")

if item.hidden is None:
    status = rv.tanh_form(item)
else:
    inst = ex.instance(item.exercise_id, item.seed, item.hidden)
    q = inst.quantity(item.qid)
    st.caption(f"A new network: hidden size {item.hidden}, seed {item.seed}, the text “{inst.text}”.")
    with st.expander("The network (its parameters and the unrolled graph)", expanded=True):
        if inst.network in ("lstm", "gru"):
            show_gated_network(inst, backward=q.id.startswith("d"))
        else:
            ex.show_network(inst, q.t if q.step_var == "t" else None, backward=q.id.startswith("d"))
    st.markdown(f"**{q.group}**")
    rv.givens(inst, item.qid)
    ex.format_help()
    ex.group_form(inst, f"review::{skill.id}", [q])
    fb = ex.get_work(inst).feedback.get(item.qid)
    status = None if fb is None or fb.status in ("blank", "invalid") else fb.status

if status is not None:
    st.caption("Your first answer set when this skill comes back; a second try is practice.")
    if st.button("Next skill", key="review_next", type="primary", icon=":material/arrow_forward:"):
        rv.pin(None)
        st.rerun()
