"""The worked-solution export `python -m core trace`, a public interface for instructors and tooling."""
import json
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import ROOT


def run(*args):
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)


def test_trace_prints_the_documented_json():
    out = run("trace", "--text", "hello", "--hidden", "3", "--seed", "0")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) == {"text", "vocab", "hidden", "seed", "params", "steps", "loss", "grads"}
    assert data["vocab"] == ["h", "e", "l", "o"] and data["hidden"] == 3 and data["seed"] == 0
    assert set(data["params"]) == set(data["grads"]) == {"W_xh", "W_hh", "W_hy", "b_h", "b_y"}
    assert np.array(data["params"]["W_xh"]).shape == (3, 4)
    assert np.array(data["params"]["W_hy"]).shape == (4, 3)
    steps = data["steps"]
    assert [s["t"] for s in steps] == [1, 2, 3, 4]
    assert "".join(s["input"] for s in steps) == "hell" and "".join(s["target"] for s in steps) == "ello"
    for key in ("t", "input", "target", "x", "W_xh_x", "W_hh_h_prev", "z", "h", "y", "p", "loss"):
        assert key in steps[0], key
    # the export is self-consistent: recompute each step from the exported parameters
    P = {k: np.array(v) for k, v in data["params"].items()}
    h = np.zeros(3)
    total = 0.0
    for s in steps:
        x = np.array(s["x"])
        np.testing.assert_allclose(s["W_xh_x"], P["W_xh"] @ x)
        np.testing.assert_allclose(s["W_hh_h_prev"], P["W_hh"] @ h)
        z = P["W_xh"] @ x + P["W_hh"] @ h + P["b_h"]
        h = np.tanh(z)
        np.testing.assert_allclose(s["h"], h)
        y = P["W_hy"] @ h + P["b_y"]
        p = np.exp(y) / np.exp(y).sum()
        np.testing.assert_allclose(s["p"], p)
        total += -np.log(p[data["vocab"].index(s["target"])])
    assert data["loss"] == pytest.approx(total)


def test_hand_friendly_weights_have_two_decimals():
    data = json.loads(run("trace", "--seed", "5").stdout)
    for arr in data["params"].values():
        a = np.array(arr)
        np.testing.assert_allclose(a, np.round(a, 2), atol=1e-12)
        assert np.all(np.abs(a) <= 1)


@pytest.mark.parametrize("args,fragment", [
    (["trace", "--text", ""], "two characters"),
    (["trace", "--text", "h"], "two characters"),
    (["trace", "--hidden", "0"], "positive"),
    (["trace", "--hidden", "-3"], "positive"),
    (["trace", "--hidden", "three"], "invalid int"),
    (["trace", "--seed", "-1"], "seed"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_arguments_give_one_line_and_exit_code_2(args, fragment):
    out = run(*args)
    assert out.returncode == 2
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0] and "Traceback" not in out.stderr
