"""Vanishing and exploding gradients: real Jacobian products of a vanilla RNN, an LSTM and a GRU, same sliders."""
import numpy as np
import pandas as pd
import streamlit as st

from core.gradients import captions, chart_data, decay, jit
from ui.charts import regions, show

INIT_NAMES = {"normal": "scaled normal", "orthogonal": "orthogonal", "identity": "identity"}
NORM_NAMES = {"singular": "largest singular value σ_max", "radius": "spectral radius ρ"}
KEEP = "session"  # widget values survive a trip to another page
EXTRA_NAMES = {"spectral": "spectral norm ‖∂s_T/∂s_k‖₂", "bound": "bound (γ·σ_max)^(T−k)",
               "clipped": "after norm clipping"}


@st.cache_resource(show_spinner=False, max_entries=16)
def blocks_for(H: int, init: str, norm: str, seed: int) -> decay.Blocks:
    """The unit recurrent matrices: the only costly part (eigen- or singular values), shared by all settings."""
    return decay.recurrent_blocks(H, init, norm, seed)


@st.cache_data(show_spinner=False, max_entries=32)
def curves_for(cfg: decay.DecayConfig) -> dict[str, decay.CellCurves]:
    """The three cells' curves for one setting (cached by setting)."""
    return decay.decay_curves(cfg, blocks_for(cfg.hidden, cfg.init, cfg.norm, cfg.seed))


@st.cache_data(show_spinner=False, max_entries=64)
def view(cfg: decay.DecayConfig, extras: tuple[str, ...]):
    """What the screen draws for one setting and choice of lines: tables, axes, words and metrics."""
    curves = curves_for(cfg)
    lines = pd.DataFrame(chart_data.decay_columns(curves, extras))
    first = pd.DataFrame(chart_data.first_step_columns(curves))
    logs = np.log10(np.r_[lines["value"].to_numpy(), first["value"].to_numpy()])
    ticks = chart_data.log_ticks(min(float(logs.min()), -8.0), max(float(logs.max()), 8.0))  # both bands in view
    overflow = {m: (c.overflow_step, c.T_run) for m, c in curves.items() if c.overflow_step is not None}
    return dict(caption=" ".join(captions.describe(curves, cfg, extras)), overflow=overflow, lines=lines,
                first=first, ticks=ticks, alt=captions.decay_alt(curves, extras), first_alt=captions.first_alt(curves),
                first_notes=captions.first_step_notes(curves), metrics=chart_data.parameter_norms(curves))


st.title("Vanishing gradients")
st.markdown(
    "Backpropagation through time multiplies one Jacobian per step: "
    r"$\frac{\partial E_T}{\partial h_k} = \frac{\partial E_T}{\partial h_T}\prod_{j=k+1}^{T}"
    r"\frac{\partial h_j}{\partial h_{j-1}}$ with $\frac{\partial h_j}{\partial h_{j-1}} = "
    r"\operatorname{diag}(f'(z_j))\,W_{hh}$. "
    "Below, a vanilla RNN, an LSTM and a GRU with the same hidden size read the same random inputs; a "
    "cross-entropy loss $E_T$ sits on the last step, and every curve comes from the real Jacobian products of "
    "that forward pass. Move a slider and watch the lecture's claim happen (or not)."
)

c1, c2, c3, c4 = st.columns(4)
T = c1.slider("Sequence length T", 1, 1000, 100, key="vg_T", persist_state=KEEP)
H = c2.slider("Hidden size H", 1, 256, 32, key="vg_H", persist_state=KEEP,
              help="The same for the three cells. The LSTM's state is (h, c), so its Jacobians are 2H x 2H.")
scale = c3.slider("Recurrent weight scale", 0.1, 3.0, 0.8, step=0.05, key="vg_scale", persist_state=KEEP,
                  help="Every recurrent matrix (each gate's, for LSTM and GRU) is scaled to this value of the "
                       "norm chosen below.")
norm = c4.radio("The scale sets the", list(NORM_NAMES), format_func=NORM_NAMES.get, key="vg_norm",
                persist_state=KEEP)
c5, c6, c7, c8 = st.columns(4)
act = c5.selectbox("Activation f", ["tanh", "sigmoid", "relu", "identity"], key="vg_act", persist_state=KEEP,
                   help="The state non-linearity (the LSTM's candidate and cell output, the GRU's candidate). "
                        "Gates stay sigmoids.")
init = c6.selectbox("Initialisation of W_hh", list(INIT_NAMES), format_func=INIT_NAMES.get, key="vg_init",
                    persist_state=KEEP)
input_scale = c7.slider("Input scale", 0.0, 5.0, 1.0, step=0.1, key="vg_input", persist_state=KEEP,
                        help="Standard deviation of the input's share of each pre-activation. Large inputs saturate "
                             "tanh and sigmoid, whose derivatives then shrink the products.")
seed = c8.number_input("Seed", 0, 2**31 - 1, 0, step=1, key="vg_seed", persist_state=KEEP)
with st.expander("Gates and clipping"):
    g1, g2 = st.columns(2)
    gate_bias = g1.slider("Memory gate bias (LSTM forget gate, GRU update gate)", -5.0, 5.0, 1.0, step=0.5,
                          key="vg_gate", persist_state=KEEP,
                          help="sigmoid(bias) is the share of the old memory a step keeps when the inputs are "
                               "quiet: 1 gives 0.73, 5 gives 0.993.")
    clip = g2.select_slider("Norm clipping threshold", [0.01, 0.1, 0.5, 1.0, 5.0, 10.0, 100.0, 1000.0], 1.0,
                            key="vg_clip", persist_state=KEEP,
                            help="If the whole parameter gradient of E_T has a larger norm, it is rescaled to this "
                                 "norm (Pascanu et al., 2013).")

cfg = decay.DecayConfig(T=int(T), hidden=int(H), scale=float(scale), norm=norm, activation=act, init=init,
                        input_scale=float(input_scale), gate_bias=float(gate_bias), clip=float(clip), seed=int(seed))
extras = st.segmented_control("Lines besides the gradients", list(chart_data.EXTRAS), selection_mode="multi",
                              default=["bound"], format_func=EXTRA_NAMES.get, key="vg_lines", persist_state=KEEP)
v = view(cfg, tuple(e for e in chart_data.EXTRAS if e in (extras or [])))

st.info(v["caption"], icon=":material/insights:")
for m, (step, T_run) in v["overflow"].items():
    st.warning(f"{decay.LABELS[m]}: the hidden state passed {decay.STATE_CAP:.0e} at step {step}; its curves cover "
               f"steps 1 to {T_run} only.", icon=":material/warning:")
show("decay", {"curves": v["lines"], "regions": regions(v["ticks"])}, key="vg_chart", alt_text=v["alt"],
     log_ticks=v["ticks"])
st.caption(
    "Log scale. Shaded: vanishing (below 10⁻⁶) and exploding (above 10⁶). The spectral norm is exact for states "
    f"of up to {decay.EXACT_DIM} numbers and otherwise an estimate from below (see the note at the end). Values "
    "beyond 10^±300 are drawn at the edge as triangles; their tooltip gives the true value. Exact zeros are not "
    "drawn; faded lines are runs float64 cannot resolve."
    + (f" Lines are drawn at {len(chart_data.thin(T))} of the {T} distances." if T > chart_data.MAX_POINTS else "")
)
if jit.compiling():  # the first minute after a fresh install: the same curves, from the slower NumPy loops
    st.caption("The fast, compiled version of these loops is being prepared (once after the app is installed, "
               "about 20 seconds); until then each change takes a little longer.")
for col, m in zip(st.columns(3), decay.MODELS, strict=True):
    col.markdown(f"**{decay.LABELS[m]}**")
    a, b = col.columns(2)
    a.metric("‖∂E_T/∂θ‖", v["metrics"][m][0],
             help="The whole parameter gradient of E_T: the cell's weights and biases and the readout W_hy.")
    b.metric(f"after clipping to {clip:g}", v["metrics"][m][1])

st.subheader("How much reaches the first step, as sequences grow")
show("first", {"first": v["first"], "regions": regions(v["ticks"])}, key="vg_chart_first", alt_text=v["first_alt"],
     log_ticks=v["ticks"])
st.caption(" ".join(["For each length L the loss sits on step L and the gradient ‖∂E_L/∂s_1‖ is read at the first "
                     "state (same inputs, same weights; a longer sequence only adds steps). A straight falling line on "
                     "this log axis is exponential decay: the first steps of long sequences stop learning.",
                     *v["first_notes"]]))

with st.expander("How these numbers are computed"):
    st.markdown(
        f"""
* **Forward pass.** Inputs are {decay.INPUT_DIM}-dimensional Gaussian vectors times the input scale; every
  recurrent matrix is drawn with the chosen initialisation and scaled to the chosen norm. Each step's loss is
  the cross-entropy of a softmax over {decay.OUTPUTS} classes read from $h_t$, with a random target.
* **‖∂E_T/∂s_k‖** is exact: one backward sweep of vector-Jacobian products, as in BPTT. For the LSTM the
  state is $s_k = (h_k, c_k)$.
* **Spectral norm ‖∂s_T/∂s_k‖₂.** Forming and multiplying the Jacobians costs $H^3$ per step, so the sweep
  carries a few unit directions $u$ at step $T$ and reports the largest gain $\\max_u \\|(\\partial s_T/
  \\partial s_k)^\\top u\\|$ over them. That is never above the true norm, equals it when the directions span
  the whole state (up to {decay.EXACT_DIM} numbers), and is otherwise within a few tens of percent in our tests
  (up to about 4x below for LSTM/GRU with orthogonal weights of radius 1 and H = 128, where many directions
  decay at almost the same rate).
* **Bound** (vanilla only): $\\|\\partial h_T/\\partial h_k\\| \\le (\\gamma\\,\\sigma_{{max}}(W_{{hh}}))^{{T-k}}$
  with $\\gamma = \\sup|f'|$: 1 for tanh, ReLU and identity, 1/4 for sigmoid (Pascanu, Mikolov and Bengio, 2013).
* **Overflow.** Rows are rescaled every few steps and their scale kept as a logarithm, so a gradient of
  $10^{{500}}$ is computed, not turned into inf. A forward state beyond {decay.STATE_CAP:.0e} ends that cell's run.
"""
    )
