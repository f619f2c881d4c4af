"""The forward pass, quantity by quantity: h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h), y_t, p_t, E_t."""
from __future__ import annotations

import numpy as np

from core.course.rules.base import (
    FWD_LESSON,
    Ctx,
    Env,
    Rule,
    activation,
    from_step_2,
    input_differs,
    mut,
    prediction_differs,
    several_steps,
    shape_h,
    shape_scalar,
    shape_v,
    square_hv,
    stack,
    step_ids,
)
from core.rnn.model import softmax

FIRST_STEP_LESSON = "first-step"  # the zero recurrent term at t = 1, the bias, and step 2 where memory enters

_W_xh_x = Rule(
    "W_xh_x[t]", "t", "vector", shape_h, lambda c, t: (),
    lambda c, e, t: c.params.W_xh @ e[f"x[{t}]"],  # (H,V)@(V,): a one-hot picks column x_t
    (
        mut("input_is_target", "Target used as the input", FWD_LESSON,
            r"$W_{xh}x_t$ uses the one-hot of the *input* character at step $t$, not of the target that "
            r"follows it, so it picks the input's column of $W_{xh}$.",
            lambda c, e, t: c.params.W_xh @ e[f"onehot_target[{t}]"], input_differs),
        mut("row_not_column", "Row instead of column", "one-hot",
            r"Multiplying $W_{xh}$ by a one-hot vector picks a *column* of $W_{xh}$ (the input's), not a row.",
            lambda c, e, t: c.params.W_xh[int(c.inputs[t - 1]), :] if c.H == c.V else None, square_hv),
    ),
)

_W_hh_h_prev = Rule(
    "W_hh_h_prev[t]", "t", "vector", shape_h, lambda c, t: (f"h[{t - 1}]",),
    lambda c, e, t: c.params.W_hh @ e[f"h[{t - 1}]"],  # (H,H)@(H,)
    (
        mut("W_transposed", "Transposed W_hh", FWD_LESSON,
            r"The recurrent term is $W_{hh}h_{t-1}$: row $i$ of $W_{hh}$ times $h_{t-1}$ gives element $i$; "
            r"you used the columns, i.e. $W_{hh}^\top h_{t-1}$.",
            lambda c, e, t: c.params.W_hh.T @ e[f"h[{t - 1}]"], from_step_2),
        mut("state_forgotten", "Previous state taken as zero", FIRST_STEP_LESSON,
            r"From $t = 2$ on, $h_{t-1}$ is the hidden state you computed at the step before, not $h_0 = 0$: "
            r"the recurrent term is zero only at $t = 1$. Multiply $W_{hh}$ by your $h_{t-1}$; this term is how "
            r"the network remembers the earlier characters.",
            lambda c, e, t: c.params.W_hh @ e["h[0]"], from_step_2),
        mut("bias_in_recurrent", "Bias put into the recurrent term", FIRST_STEP_LESSON,
            r"$W_{hh}h_{t-1}$ is the product alone; the bias $b_h$ is a separate, third term of "
            r"$z_t = W_{xh}x_t + W_{hh}h_{t-1} + b_h$, added when you compute $z_t$. At $t = 1$, where "
            r"$h_0 = 0$, the product is the zero vector, not $b_h$.",
            lambda c, e, t: c.params.W_hh @ e[f"h[{t - 1}]"] + c.params.b_h),
    ),
)

_z = Rule(
    "z[t]", "t", "vector", shape_h, lambda c, t: (f"W_xh_x[{t}]", f"W_hh_h_prev[{t}]"),
    lambda c, e, t: e[f"W_xh_x[{t}]"] + e[f"W_hh_h_prev[{t}]"] + c.params.b_h,
    (
        mut("no_bias", "Bias left out", FWD_LESSON,
            r"The bias is missing: $z_t = W_{xh}x_t + W_{hh}h_{t-1} + b_h$ adds $b_h$ after the two products.",
            lambda c, e, t: e[f"W_xh_x[{t}]"] + e[f"W_hh_h_prev[{t}]"]),
        mut("no_recurrent", "Recurrent term left out", FWD_LESSON,
            r"The recurrent term $W_{hh}h_{t-1}$ is missing; it is zero only at $t = 1$ (where $h_0 = 0$), and "
            r"from $t = 2$ on it is how the network remembers earlier characters.",
            lambda c, e, t: e[f"W_xh_x[{t}]"] + c.params.b_h, from_step_2),
        mut("no_input", "Input term left out", FWD_LESSON,
            r"The input term $W_{xh}x_t$ is missing: every step adds the column of $W_{xh}$ of its input.",
            lambda c, e, t: e[f"W_hh_h_prev[{t}]"] + c.params.b_h),
    ),
)

_h = Rule(
    "h[t]", "t", "vector", shape_h, lambda c, t: (f"z[{t}]",),
    lambda c, e, t: c.act.f(e[f"z[{t}]"]),
    (
        mut("sigmoid_not_tanh", "Sigmoid instead of tanh", "tanh",
            r"This is the sigmoid $1/(1+e^{-z})$ of $z_t$; the network uses $\tanh(z_t)$, which ranges over "
            r"$(-1, 1)$ and is zero at zero.",
            lambda c, e, t: activation("sigmoid").f(e[f"z[{t}]"])),
        mut("no_tanh", "tanh left out", "tanh",
            r"The activation is missing: $h_t = \tanh(z_t)$, applied to each element of $z_t$.",
            lambda c, e, t: activation("identity").f(e[f"z[{t}]"])),
    ),
)

_y = Rule(
    "y[t]", "t", "vector", shape_v, lambda c, t: (f"h[{t}]",),
    lambda c, e, t: c.params.W_hy @ e[f"h[{t}]"] + c.params.b_y,  # (V,H)@(H,) + (V,)
    (
        mut("no_bias", "Bias left out", FWD_LESSON,
            r"The output bias is missing: $y_t = W_{hy}h_t + b_y$.",
            lambda c, e, t: c.params.W_hy @ e[f"h[{t}]"]),
        mut("off_by_one", "h_{t-1} used where h_t belongs", FWD_LESSON,
            r"The output at step $t$ reads the hidden state of the same step, $h_t$, not $h_{t-1}$.",
            lambda c, e, t: c.params.W_hy @ e[f"h[{t - 1}]"] + c.params.b_y),
    ),
)

def distribution_sanity(value: np.ndarray) -> list[str]:
    """What is wrong with a probability vector as such: a negative entry, or entries that do not add up to 1."""
    if value.ndim != 1:
        return []
    if np.any(value < 0):
        if abs(float(value.sum()) - 1) <= 0.01:  # adds up to 1 with a negative entry: divided without exp
            return ["Probabilities cannot be negative. These add up to 1, as scores divided by their own sum "
                    "do, but softmax exponentiates every score before dividing."]
        return ["Probabilities cannot be negative: softmax exponentiates every score."]
    if abs(float(value.sum()) - 1) > 0.01:
        return [f"Your probabilities add up to {float(value.sum()):.3g}, not 1: divide by the sum."]
    return []


CLEAR_OF_ZERO = 10.0  # y / sum(y) is looked for where |sum(y)| >= sum(|y|) / CLEAR_OF_ZERO ...
CLEAR_OF_ONE = 0.03  # ... and where dividing by sum(y) moves the scores by more than 3%


def division_by_sum_shows(c: Ctx, s: int) -> bool:
    """Is y_s / sum(y_s) (the true scores over their sum) a value a learner can reach, and tell from y_s itself?

    Near a zero sum the quotients blow up, and a rounding of the scores in their 4th digit moves them by more
    than the tolerance (the rounding is magnified by sum|y| / |sum y|, at most CLEAR_OF_ZERO here). Near a sum
    of 1 the division changes nothing a learner could see: the answer is the scores themselves, "Softmax left
    out", like the recurrent term left out at t = 1."""
    y = np.asarray(c.trace.y[s - 1], dtype=np.float64)
    total = float(y.sum())
    return bool(CLEAR_OF_ZERO * abs(total) >= float(np.abs(y).sum()) > 0 and abs(1 / total - 1) > CLEAR_OF_ONE)


def _over_own_sum(y) -> np.ndarray | None:
    """y / sum(y), or None where the sum is (numerically) zero: the quotient must be a finite number."""
    y = np.asarray(y, dtype=np.float64)
    total = float(y.sum())
    if not abs(total) > 1e-9 * max(float(np.abs(y).sum()), 1e-300):
        return None
    return y / total


_p = Rule(
    "p[t]", "t", "vector", shape_v, lambda c, t: (f"y[{t}]",),
    lambda c, e, t: softmax(e[f"y[{t}]"]),
    (
        mut("no_softmax", "Softmax left out", "softmax",
            r"These are the logits $y_t$ themselves; probabilities need the softmax, "
            r"$p_{t,i} = e^{y_{t,i}} / \sum_j e^{y_{t,j}}$.",
            lambda c, e, t: np.array(e[f"y[{t}]"], dtype=np.float64)),
        mut("not_normalised", "Softmax not normalised", "softmax",
            r"The exponentials $e^{y_{t,i}}$ were not divided by their sum, so they do not add up to 1.",
            lambda c, e, t: np.exp(e[f"y[{t}]"])),
        mut("sigmoid_not_softmax", "Sigmoid instead of softmax", "softmax",
            r"A sigmoid of each logit on its own does not make a distribution; softmax divides each "
            r"$e^{y_{t,i}}$ by the sum over the whole vocabulary.",
            lambda c, e, t: activation("sigmoid").f(e[f"y[{t}]"])),
        mut("no_exp", "Scores divided by their sum, without exponentials", "softmax",
            r"That is $y_t / \sum_j y_{t,j}$: the scores divided by their sum. Those add up to 1, but they are "
            r"not probabilities: a score can be negative, and so can the sum, or it can be close to 0 and blow "
            r"the quotients up. Softmax exponentiates first, $p_{t,i} = e^{y_{t,i}} / \sum_j e^{y_{t,j}}$, and "
            r"every $e^{y}$ is positive, so every probability is too.",
            lambda c, e, t: _over_own_sum(e[f"y[{t}]"]), division_by_sum_shows),
    ),
    sanity=distribution_sanity,
)

_pred = Rule(
    "pred[t]", "t", "char", shape_scalar, lambda c, t: (f"p[{t}]",),
    lambda c, e, t: c.vocab.chars[int(np.argmax(e[f"p[{t}]"]))],
    (
        mut("target_char", "Target instead of prediction", "softmax",
            r"That is the character that *should* come next (the target); the network predicts the character "
            r"with the largest probability in $p_t$, right or wrong.",
            lambda c, e, t: c.vocab.chars[int(c.targets[t - 1])], prediction_differs),
    ),
)


def _p_at_target(c: Ctx, e: Env, t: int) -> float:
    return float(np.asarray(e[f"p[{t}]"])[int(c.targets[t - 1])])


def _safe_log(f, x: float):
    return np.array(f(x)) if x > 0 else None  # a learner's p may hold a zero or a negative


_loss_t = Rule(
    "loss[t]", "t", "number", shape_scalar, lambda c, t: (f"p[{t}]",),
    lambda c, e, t: _neg(_safe_log(np.log, _p_at_target(c, e, t))),
    (
        mut("log10", "log base 10", "cross-entropy",
            r"That is a base-10 logarithm; the cross-entropy uses the natural log, $\ln$.",
            lambda c, e, t: _neg(_safe_log(np.log10, _p_at_target(c, e, t)))),
        mut("loss_sign", "Minus sign left out", "cross-entropy",
            r"The loss is $E_t = -\ln p_{t,\text{target}}$: the log of a probability is negative, so the minus "
            r"sign makes the loss positive.",
            lambda c, e, t: _safe_log(np.log, _p_at_target(c, e, t))),
        mut("max_prob", "Largest probability instead of the target's", "cross-entropy",
            r"The loss takes the probability of the *target* character, not the largest one (the prediction).",
            lambda c, e, t: _neg(_safe_log(np.log, float(np.max(e[f"p[{t}]"])))), prediction_differs),
    ),
)


def _neg(a):
    return None if a is None else -a


_loss = Rule(
    "loss", None, "number", shape_scalar, lambda c, t: tuple(step_ids("loss", c)),
    lambda c, e, t: np.sum(stack(e, step_ids("loss", c))),
    (
        mut("mean_not_sum", "Mean instead of sum", "cross-entropy",
            r"The total loss in this course is the sum over the steps, $E = \sum_t E_t$, not the mean.",
            lambda c, e, t: np.mean(stack(e, step_ids("loss", c))), several_steps),
        mut("last_only", "Only the last step", "cross-entropy",
            r"The total loss adds the losses of all the steps, $E = \sum_t E_t$, not only the last one.",
            lambda c, e, t: np.array(e[f"loss[{c.T}]"], dtype=np.float64), several_steps),
        mut("loss_sign", "Minus sign left out", "cross-entropy",
            r"Each $E_t = -\ln p_{t,\text{target}}$ is positive, so their sum is too: the minus sign of the "
            r"cross-entropy is missing.",
            lambda c, e, t: -np.sum(stack(e, step_ids("loss", c)))),
    ),
)
