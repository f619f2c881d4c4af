"""What float64 can and cannot resolve: exact zeros, runs whose rounding grows, and the stable sigmoid's gates."""
from __future__ import annotations

import math

import numpy as np
import pytest

from core.gradients import captions, chart_data, decay, jit

EXTREME = dict(T=1000, hidden=256, scale=3.0, activation="relu")  # the setting


@pytest.mark.parametrize("compiled", [False, True], ids=["numpy", "compiled"])
def test_the_lstm_first_step_line_no_longer_jumps_to_the_floor(compiled):
    """A sigmoid that returned exactly 0 below z = -37 flipped ReLU'(c) from 1 to 0 and the line fell to 1e-300."""
    cfg = decay.DecayConfig(**EXTREME)
    n = decay.build_networks(cfg)
    tr = jit.forward("lstm", n.lstm, n.X, "relu") if compiled else decay.FAST_FORWARD["lstm"](n.lstm, n.X, "relu")
    H = n.lstm.hidden
    for gate, a in ((tr.i, tr.a[:, :H]), (tr.f, tr.a[:, H:2 * H]), (tr.o, tr.a[:, 3 * H:])):
        representable = a > -700  # e^-700 = 1e-304: the true gate is a normal float64 there
        assert np.all(gate[representable] > 0), "a sigmoid gate rounded to exactly 0 where float64 can hold it"
    c = decay.decay_curves(cfg, models=("lstm",), compiled=compiled)["lstm"]
    assert np.all(np.isfinite(c.first_log10)) and c.first_log10.min() > -300
    assert np.all(c.first_log10[1:] > c.first_log10[:-1] - 3), "no length drops to the floor from its neighbour"


def _nudged_curves(cfg, monkeypatch) -> dict:
    """The NumPy path with every input one ulp larger."""
    real = decay.build_networks

    def build(c, blocks=None):
        nets = real(c, blocks)
        nets.X = nets.X * (1 + 2.0 ** -52)
        return nets

    monkeypatch.setattr(decay, "build_networks", build)
    try:
        return decay.decay_curves(cfg, compiled=False)
    finally:
        monkeypatch.setattr(decay, "build_networks", real)


@pytest.mark.parametrize("setting, unresolved", [
    (EXTREME, {"lstm"}),
    (dict(T=1000, hidden=64, scale=3.0, activation="relu", norm="radius"), {"gru"}),
    (dict(T=1000, hidden=128), set()),
    (dict(T=1000, hidden=64, scale=3.0, activation="tanh"), set()),
    (dict(T=1000, hidden=32, activation="identity", init="orthogonal", scale=3.0), set()),  # a linear explosion
])
def test_runs_flagged_unresolved_are_those_a_one_ulp_nudge_changes(setting, unresolved, monkeypatch):
    """The flag comes from the run's own Jacobians; the nudge checks it: where the flag is up, moving every input by
    one ulp moves the curves by more than 1 %; where it is down, by no more than the estimate says (within 100x)."""
    cfg = decay.DecayConfig(**setting)
    plain, nudged = decay.decay_curves(cfg, compiled=False), _nudged_curves(cfg, monkeypatch)
    assert {m for m, c in plain.items() if not c.resolved} == unresolved
    for m, c in plain.items():
        a, b = c.grad_log10, nudged[m].grad_log10
        n = min(len(a), len(b))
        both = np.isfinite(a[:n]) & np.isfinite(b[:n])
        moved = float(np.max(np.abs(a[:n][both] - b[:n][both]), initial=0.0))
        if m in unresolved:
            assert moved > math.log10(1.01) or len(a) != len(b), f"{m}: flagged, yet a nudge does not move it"
        else:
            allowed = max(1e-9, 10 ** (c.rounding_log10 + 2))
            assert moved <= allowed, f"{m}: not flagged, yet a one-ulp nudge moves it by {moved:.1e} decades"


def test_unresolved_runs_are_drawn_faded_with_a_note_and_named_in_the_caption():
    cfg = decay.DecayConfig(**EXTREME)
    curves = decay.decay_curves(cfg)
    cols = chart_data.decay_columns(curves, ("spectral",))
    lstm = cols["cell"] == "LSTM"
    assert not cols["resolved"][lstm].any() and cols["resolved"][~lstm].all()
    assert all("float64 cannot resolve" in n for n in cols["note"][lstm])
    assert "The LSTM's run is beyond float64" in " ".join(captions.describe(curves, cfg))
    assert "The LSTM's run is beyond float64" in " ".join(captions.first_step_notes(curves))


def test_exact_zeros_are_not_drawn_and_the_caption_says_why():
    """ReLU at radius 3 blows the vanilla state up: at one length the softmax saturates and sends back exactly 0."""
    cfg = decay.DecayConfig(T=1000, hidden=256, scale=3.0, activation="relu", norm="radius")
    curves = decay.decay_curves(cfg)
    v = curves["vanilla"]
    zero = ~np.isfinite(v.first_log10)
    assert zero.any() and v.first_saturated[zero].all()
    first = chart_data.first_step_columns(curves)
    drawn = set(first["L"][first["cell"] == "Vanilla RNN"])
    assert drawn == set(v.first_lengths[~zero]), "an exact 0 is left out, not drawn at 1e-300"
    assert np.all(first["value"] > 1e-300)
    notes = " ".join(captions.first_step_notes(curves))
    Ls = ", ".join(str(int(L)) for L in v.first_lengths[zero])
    assert f"The vanilla RNN's gradient reaching step 1 is exactly 0 at L = {Ls} (not drawn)" in notes
    assert "softmax at step L predicts the target with probability 1" in notes


def test_a_saturated_loss_draws_no_gradient_line_and_says_so():
    cfg = decay.DecayConfig(T=1000, hidden=1, activation="identity", init="identity", scale=3.0)
    curves = decay.decay_curves(cfg)
    cols = chart_data.decay_columns(curves)
    assert "Vanilla RNN" not in set(cols["cell"][cols["series"] == chart_data.SERIES["gradient"]])
    assert "sends back nothing (no line)" in " ".join(captions.describe(curves, cfg))


def test_log_ticks_are_round_decades():
    assert chart_data.log_ticks(-8, 8) == [-8, -6, -4, -2, 0, 2, 4, 6, 8]
    assert chart_data.log_ticks(-60, 10) == [-60, -50, -40, -30, -20, -10, 0, 10]
    assert chart_data.log_ticks(-900, 900) == [-300, -200, -100, 0, 100, 200, 300]
    for lo, hi in ((-8, 8), (-27.3, 9.1), (-300, 300), (-10, 250)):
        t = chart_data.log_ticks(lo, hi)
        assert t[0] <= max(lo, -300) and t[-1] >= min(hi, 300) and len(t) <= chart_data.MAX_TICKS
