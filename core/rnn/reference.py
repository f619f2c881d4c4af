"""The deliberately naive character RNN: the test oracle and the benchmark baseline.

Written as in Karpathy's min-char-rnn: one-hot column vectors (shape (n, 1)), one np.dot per term,
per-step dicts, and the backward pass one chain-rule factor per line. It shares no code with
`core.rnn.model` beyond the activation functions, so agreement between the two means something.
"""
from __future__ import annotations

import numpy as np

from core.rnn.activations import get_activation


def loss_fun(W_xh, W_hh, W_hy, b_h, b_y, inputs, targets, hprev, activation="tanh", truncation=None):
    """inputs, targets: lists of ints; hprev is H x 1. Returns loss, dW_xh, dW_hh, dW_hy, db_h, db_y, h_last.

    b_h is H x 1 and b_y is V x 1 here, as in the classic code.
    """
    act = get_activation(activation)
    V = W_xh.shape[1]
    xs, zs, hs, ys, ps = {}, {}, {}, {}, {}
    hs[-1] = np.copy(hprev)
    loss = 0.0
    for t in range(len(inputs)):
        xs[t] = np.zeros((V, 1))  # encode in 1-of-k representation
        xs[t][inputs[t]] = 1
        zs[t] = np.dot(W_xh, xs[t]) + np.dot(W_hh, hs[t - 1]) + b_h
        hs[t] = act.f(zs[t])  # hidden state
        ys[t] = np.dot(W_hy, hs[t]) + b_y  # unnormalised log probabilities for next chars
        ps[t] = np.exp(ys[t] - np.max(ys[t])) / np.sum(np.exp(ys[t] - np.max(ys[t])))  # probabilities
        loss += -np.log(ps[t][targets[t], 0])  # softmax (cross-entropy loss)
    dW_xh, dW_hh, dW_hy = np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros_like(W_hy)
    db_h, db_y = np.zeros_like(b_h), np.zeros_like(b_y)
    T = len(inputs)
    if truncation is None or truncation >= T:
        dhnext = np.zeros_like(hs[0])
        for t in reversed(range(T)):
            dy = np.copy(ps[t])
            dy[targets[t]] -= 1  # backprop into y
            dW_hy += np.dot(dy, hs[t].T)
            db_y += dy
            dh = np.dot(W_hy.T, dy) + dhnext  # backprop into h
            dhraw = act.df(zs[t], hs[t]) * dh  # backprop through the non-linearity
            db_h += dhraw
            dW_xh += np.dot(dhraw, xs[t].T)
            dW_hh += np.dot(dhraw, hs[t - 1].T)
            dhnext = np.dot(W_hh.T, dhraw)
    else:
        for t in range(T):  # each loss E_t sends its gradient back `truncation` steps only
            dy = np.copy(ps[t])
            dy[targets[t]] -= 1
            dW_hy += np.dot(dy, hs[t].T)
            db_y += dy
            dh = np.dot(W_hy.T, dy)
            for s in range(t, max(-1, t - truncation), -1):
                dhraw = act.df(zs[s], hs[s]) * dh
                db_h += dhraw
                dW_xh += np.dot(dhraw, xs[s].T)
                dW_hh += np.dot(dhraw, hs[s - 1].T)
                dh = np.dot(W_hh.T, dhraw)
    return loss, dW_xh, dW_hh, dW_hy, db_h, db_y, hs[T - 1]
