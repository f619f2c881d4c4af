"""Activations: tanh, sigmoid and ReLU with their derivatives, the lecture's tanh' slip, and why 1 vs 1/4 matters."""
import math
import time

import numpy as np
import pandas as pd
import streamlit as st

from core.course import tanh_prime as am
from core.course.answers import FORMAT_HELP
from core.gradients import bounds
from core.gradients.captions import sci
from core.rnn import activation_curves as curves_of
from core.rnn.activations import ACTIVATIONS
from ui import identity
from ui.charts import show
from ui.progress import save_checked

KEEP = "session"
EXERCISE = "act_exercise"  # session key: {"seed", "answer", "check", "attempts"}


@st.cache_data(show_spinner=False, max_entries=16)
def curves(half_width: float, names: tuple[str, ...], lecture: bool) -> pd.DataFrame:
    z = np.linspace(-half_width, half_width, 201)
    df = pd.DataFrame(curves_of.curve_table(z, names))
    if lecture:  # the transcript's "1 - x^2" read with x = z
        name = "1 − z² (the lecture, x read as z)"
        df = pd.concat([df, pd.DataFrame({"x": z, "y": 1 - z * z, "curve": name, "kind": "lecture",
                                          "activation": name})], ignore_index=True)
    return df


st.title("Activations and their derivatives")
st.markdown(
    "Every step of backpropagation through time multiplies by $f'(z_t)$, so the activation's derivative decides "
    "how much gradient survives each step. Here are the three you meet most, side by side."
)

c1, c2, c3 = st.columns([2, 1, 1])
names = c1.pills("Show", list(curves_of.SHOWN), selection_mode="multi", default=list(curves_of.SHOWN), key="act_names",
                 persist_state=KEEP, format_func={"tanh": "tanh", "sigmoid": "sigmoid", "relu": "ReLU"}.get)
half = c2.slider("z from −a to a, a =", 1.0, 10.0, 4.0, step=0.5, key="act_range", persist_state=KEEP)
lecture = c3.toggle("Add the lecture's 1 − z²", value=True, key="act_lecture", persist_state=KEEP)
if names or lecture:
    data = curves(float(half), tuple(n for n in curves_of.SHOWN if n in names), lecture)
    left, right = st.columns(2)
    with left:
        show("functions", {"curves": data}, title="f(z)", key="act_functions")
    with right:
        show("derivatives", {"curves": data}, title="f′(z): tanh′ = 1 − tanh², σ′ = σ(1 − σ), ReLU′ = 0 or 1",
             key="act_derivatives")
else:
    st.caption("Pick at least one activation to draw.")
st.markdown(
    "- **tanh** is zero-centred with slope at most **1** (at z = 0); **sigmoid** squashes to (0, 1) with slope "
    "at most **1/4**; **ReLU** passes positive inputs unchanged (slope 1) and blocks negative ones (slope 0).\n"
    "- Both tanh′ and σ′ fall towards 0 for large |z|: a saturated unit passes almost no gradient back."
)

st.subheader("tanh′(z) = 1 − tanh²(z), not 1 − z²")
st.markdown(
    "The lecture says the derivative of tanh is *1 − x²*. That is right when **x is the output** "
    "$h = \\tanh(z)$: $\\frac{d}{dz}\\tanh z = 1 - \\tanh^2 z = 1 - h^2$, which is why BPTT code writes "
    "`(1 - h * h) * dh`. Read with x as the **input**, it is wrong, and badly so away from 0."
)
z = st.slider("z", -3.0, 3.0, 2.0, step=0.05, key="act_z", persist_state=KEEP)
m1, m2, m3, m4 = st.columns(4)
m1.metric("h = tanh(z)", f"{math.tanh(z):.4f}")
m2.metric("1 − h² (correct)", f"{am.tanh_prime(z):.4f}")
m3.metric("1 − z² (input read as x)", f"{am.lecture_literal(z):.4f}")
m4.metric("difference", f"{am.lecture_literal(z) - am.tanh_prime(z):+.4f}")
if abs(z) > 1:
    st.warning(f"At z = {z:g}, 1 − z² = {am.lecture_literal(z):.2f} is negative, but tanh only ever increases: its "
               "slope cannot be negative.", icon=":material/report:")
elif abs(z) < 0.3:
    st.caption("Near 0, tanh(z) ≈ z, so the two formulas almost agree: the slip only shows further out.")

st.subheader("Why a bound of 1 versus 1/4 matters")
st.markdown(
    "Backpropagating over n steps multiplies n Jacobians $\\operatorname{diag}(f'(z_j))\\,W_{hh}$, so "
    "$\\|\\partial h_T/\\partial h_{T-n}\\| \\le (\\gamma\\,\\sigma_{max}(W_{hh}))^n$ with $\\gamma = \\sup|f'|$. "
    "The activation's bound is raised to the n-th power."
)
b1, b2 = st.columns(2)
sigma = b1.slider("σ_max(W_hh)", 0.1, 5.0, 1.0, step=0.05, key="act_sigma", persist_state=KEEP)
n_max = b2.slider("Steps n", 5, 200, 50, key="act_n", persist_state=KEEP)
n = np.arange(0, n_max + 1)
rows = []
for label, gamma in (("tanh and ReLU (γ = 1)", 1.0), ("sigmoid (γ = 1/4)", 0.25)):
    lg = bounds.product_bound_log10(gamma, sigma, n)
    rows.append(pd.DataFrame({"n": n, "activation": label, "value": 10.0 ** np.clip(lg, -300, 300),
                              "shown": [sci(x) for x in lg]}))
show("products", {"bounds": pd.concat(rows, ignore_index=True)}, key="act_products")
lines = []
for name in ("tanh", "sigmoid"):
    k = bounds.steps_to_vanish(ACTIVATIONS[name].gamma, sigma)
    g = ACTIVATIONS[name].gamma * sigma
    if k is None:
        lines.append(f"**{name}**: γ·σ_max = {g:.2f} ≥ 1, so the bound never forces the gradient to vanish "
                     "(it may still vanish, or explode).")
    else:
        exact = (f" ((γ·σ_max)^{k - 1} is exactly 1e-6, not below)" if bounds.reaches_exactly(ACTIVATIONS[name].gamma,
                 sigma, k - 1) else "")
        lines.append(f"**{name}**: γ·σ_max = {g:.4g}, so after **{k} steps** the gradient is guaranteed to be below "
                     f"1e-6 of where it started{exact}.")
st.markdown("\n".join(f"- {x}" for x in lines))
st.caption("For sigmoid to escape the guarantee, σ_max(W_hh) must exceed 4; tanh only needs more than 1. "
           "ReLU's bound is 1 too, but its zero slope for negative inputs cuts units out of the product entirely.")

st.subheader("Exercise: compute tanh′(z)")
work = st.session_state.setdefault(EXERCISE, {"seed": 0, "check": None, "answer": "", "attempts": 0})
z_ex = am.exercise_z(work["seed"])
work.setdefault("shown_at", time.time())  # a first right answer within 30 s rates the skill Easy
st.markdown(f"For **z = {z_ex:g}**, compute $\\tanh'(z)$ to at least three significant digits.")
with st.form("act_form", border=True):
    answer = st.text_input("tanh′(z) =", key="act_answer", placeholder="e.g. 0.4200")
    submitted = st.form_submit_button("Check", type="primary")
if submitted:
    check = am.check_tanh_prime(answer, z_ex)
    work.update(check=check, answer=answer)
    if check.counts:
        save_checked(am.EXERCISE_ID, [("tanh_prime", check)], variant_seed=work["seed"], lesson="tanh",
                     first_try={"tanh_prime": work["attempts"] == 0},
                     seconds={"tanh_prime": time.time() - work["shown_at"]})
        work["attempts"] += 1
check = work["check"]
if check is not None:
    look = {"correct": st.success, "close": st.warning, "mistake": st.error, "wrong": st.error,
            "invalid": st.warning, "blank": st.warning}[check.status]
    look(check.message)
    if check.read_as:
        st.caption(f"Read as: {check.read_as}")
n1, n2 = st.columns([1, 3])
if n1.button("New z", key="act_new", icon=":material/autorenew:"):
    work.update(seed=work["seed"] + 1, check=None, answer="", attempts=0, shown_at=time.time())
    st.session_state.pop("act_answer", None)  # the old answer belongs to the old z
    st.rerun()
with n2.expander("Hint"):
    st.markdown("First compute h = tanh(z) (in radians), then 1 − h². The lecture's '1 − x²' uses x = h.")
with st.expander("How to type an answer"):
    st.markdown(FORMAT_HELP)
identity.caption()
