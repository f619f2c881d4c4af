"""Concept quiz: one lesson's questions, each checked and explained; a retry draws them in a new order."""
import numpy as np
import streamlit as st

from core.course.answers import FORMAT_HELP
from core.course.quiz import draw, grade, quiz_seed, score
from core.progress import StoreError
from core.progress.summary import is_mastered, quiz_exercise
from ui import identity
from ui.content import choose_lesson, get_content, show_problems
from ui.progress import get_store, save_checked

ROUNDS_KEY = "quiz_rounds"  # lesson slug -> {"round", "order", "results"}: survives page switches
DRAFTS_KEY = "quiz_drafts"  # widget key -> value typed or picked, restored after a page switch
KIND_LABEL = {"single": "one answer", "multiple": "one or more answers", "numeric": "a number",
              "mistake": "spot the mistake"}

st.title("Concept quiz")
content = get_content()
show_problems(content)
slug = choose_lesson(content, "quiz_pick")
questions = content.quiz(slug) if slug else []
if not questions:
    st.info("This lesson has no quiz questions yet.")
    st.stop()
identity.caption()
try:
    history = get_store().attempts(identity.active(), exercise_id=quiz_exercise(slug))
except StoreError:
    history = []
if history:
    latest = {a.quantity_id: a for a in history if a.quantity_id in {q.id for q in questions}}
    right = sum(is_mastered(a) for a in latest.values())
    st.caption(f"Before this round: {right} of {len(questions)} questions right in your latest answers "
               f"(last answered {history[-1].created_at[:10]}).")

rounds = st.session_state.setdefault(ROUNDS_KEY, {})
state = rounds.get(slug)
if state is None or set(state["order"] or ()) != {q.id for q in questions}:  # first visit, or the quiz changed
    state = rounds[slug] = {"round": 0, "order": None, "results": {}}
seed = quiz_seed(slug, state["round"])
drawn = draw(questions, np.random.default_rng(seed), previous=state.get("previous"))
state["order"] = [d.question.id for d in drawn]
results: dict[str, dict] = state["results"]

drafts: dict = st.session_state.setdefault(DRAFTS_KEY, {})


def kept(key: str, **kw) -> dict:
    """Widget arguments that restore the widget's value from the drafts and copy every change back."""
    if key not in st.session_state and key in drafts:
        st.session_state[key] = drafts[key]
        kw.pop("index", None)  # the restored state gives the value; passing both makes Streamlit warn
    return dict(key=key, on_change=lambda: drafts.__setitem__(key, st.session_state[key]), **kw)


top = st.empty()  # filled after the questions
with st.expander("How to type numbers"):
    st.markdown(FORMAT_HELP)

for k, d in enumerate(drawn, start=1):
    q = d.question
    key = f"quiz_{slug}_{state['round']}_{q.id}"
    done = results.get(q.id)
    with st.container(border=True):
        st.markdown(f"**Question {k} of {len(drawn)}** · {KIND_LABEL[q.kind]}")
        if q.kind == "mistake":
            st.markdown(f"The lecture says:\n\n> *{q.quote}*")
        st.markdown(q.prompt)
        if q.kind in ("single", "mistake"):
            pos = st.radio("Your answer", range(len(d.order)), format_func=lambda i, d=d: d.choices[i],
                           disabled=done is not None, label_visibility="collapsed", **kept(key, index=None))
            response = None if pos is None else d.order[pos]
        elif q.kind == "multiple":
            response = [d.order[i] for i, text in enumerate(d.choices)
                        if st.checkbox(text, disabled=done is not None, **kept(f"{key}_{i}"))]
        else:
            response = st.text_input(f"Your answer{f' ({q.unit})' if q.unit else ''}", disabled=done is not None,
                                     placeholder="e.g. 0.4621 or [0.1, -0.2, 0.3]", **kept(key))
        if done is None and st.button("Check", key=f"{key}_check"):
            verdict = grade(q, response)
            if not verdict.counts:
                st.warning(verdict.message, icon=":material/edit:")
            else:
                saved = save_checked(quiz_exercise(slug), [(q.id, verdict)], variant_seed=seed, lesson=slug)
                results[q.id] = {"verdict": verdict, "seed": seed, "saved": saved}
                st.rerun()  # show the answer locked, with its feedback, and the score updated
        if done is not None:
            o = done["verdict"]
            show = {"correct": st.success, "partial": st.warning, "close": st.warning}.get(o.status, st.error)
            show(o.message)
            if o.read_as:
                st.caption(f"Your answer, read as: {o.read_as}")
            elif o.answer_text:
                st.caption(f"Your answer: {o.answer_text}")
            for note in o.notes:
                st.caption(note)
            st.info(f"**Why.** {q.explanation}", icon=":material/lightbulb:")
            if not done.get("saved", True):
                st.caption("This answer was checked but could not be saved.")

earned, answered = score(r["verdict"] for r in results.values())
top.progress(answered / len(drawn), text=f"Round {state['round'] + 1}: {answered} of {len(drawn)} answered, "
                                         f"score {earned:g} of {answered}")
if answered == len(drawn):
    st.success(f"Round finished: {earned:g} of {len(drawn)}.", icon=":material/flag:")
label = "Retry in a new order" if answered == len(drawn) else "Start again in a new order"
if st.button(label, key="quiz_retry", type="primary" if answered == len(drawn) else "secondary"):
    state["previous"] = state["order"]
    state["round"] += 1
    state["results"] = {}
    for k in [k for k in drafts if k.startswith(f"quiz_{slug}_")]:
        del drafts[k]
    st.rerun()
