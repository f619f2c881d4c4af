"""Row-form step operators of the three cells: the NumPy path's vector-Jacobian and Jacobian-vector products.

core.gradients.sweep pushes blocks of rows through these, one step at a time. The compiled path
(core.gradients.kernels) has the same products as loops; tests compare both with the explicit step
Jacobians of core.gradients.cells.
"""
from __future__ import annotations

import numpy as np

from core.gradients import cells

EXACT_DIM = 8  # state sizes up to this get the exact spectral norm (the tracked rows are the identity)
LENGTHS = 12  # sequence lengths at which the gradient reaching step 1 is measured

# A row vector v holds dE/ds_t; v J_t is dE/ds_{t-1} (a vector-Jacobian product). For tangents, a row holds
# ds_{t-1} and J_t v is ds_t. Each operator owns two buffers of shape (P, width, Hp): P parts of Hp entries
# per row (the LSTM's rows have an h part and a c part, P = 2; otherwise P = 1), so every part of a block
# of rows is a contiguous (w, Hp) matrix. back/fwd read buffer `cur` and write the other one. Steps are
# numbered t = 1..T as in core.gradients.cells; the factors of step t sit in row t - 1. The views each width
# needs are made once and cached: at T = 1000 the overhead of NumPy calls, not arithmetic, is the cost.


class Ops:
    P: int = 1

    def __init__(self, Hp: int, width: int):
        self.Hp, self.S, self.width = Hp, self.P * Hp, width
        self.bufs = (np.zeros((self.P, width, Hp)), np.zeros((self.P, width, Hp)))
        self._cache: dict = {}

    def views(self, w: int, cur: int):
        key = (w, cur)
        if key not in self._cache:
            self._cache[key] = self._make_views(self.bufs[cur][:, :w], self.bufs[1 - cur][:, :w], w)
        return self._cache[key]

    def _make_views(self, src, dst, w): ...

    def back(self, t: int, w: int, cur: int) -> None: ...

    def fwd(self, t: int, w: int, cur: int) -> None: ...


class _VanillaOps(Ops):
    def __init__(self, p: cells.VanillaParams, fac: cells.VanillaFactors, width: int):
        super().__init__(p.hidden, width)
        self.W, self.WT = p.W_hh, np.ascontiguousarray(p.W_hh.T)
        self.fp = list(fac.fprime)
        self.tmp = np.empty((width, self.Hp))

    def _make_views(self, src, dst, w):
        return src[0], dst[0], self.tmp[:w]

    def back(self, t, w, cur):
        src, dst, tmp = self.views(w, cur)
        np.multiply(src, self.fp[t - 1], out=tmp)  # dE/dz_t = f'(z_t) * dE/dh_t
        np.dot(tmp, self.W, out=dst)  # dE/dh_{t-1} = W_hh^T dE/dz_t, in row form

    def fwd(self, t, w, cur):
        src, dst, _ = self.views(w, cur)
        np.dot(src, self.WT, out=dst)  # W_hh dh_{t-1}
        np.multiply(dst, self.fp[t - 1], out=dst)


class _LSTMOps(Ops):
    P = 2  # rows are (h part, c part)

    def __init__(self, p: cells.LSTMParams, fac: cells.LSTMFactors, width: int):
        super().__init__(p.hidden, width)
        H = self.Hp
        self.W = p.W_h  # (4H, H) rows i, f, g, o
        self.WT = np.ascontiguousarray(p.W_h.T)  # (H, 4H)
        self.alpha, self.beta, self.f = list(fac.alpha), list(fac.beta), list(fac.f)
        self.gamma = list(fac.gamma)  # (3, H) each: i, f, g
        self.dc_all = np.empty((width, H))
        self.da = np.empty((width, 4, H))
        self.tmp = np.empty((width, H))

    def _make_views(self, src, dst, w):
        da = self.da[:w]
        return (src[0], src[1], dst[0], dst[1], self.dc_all[:w], self.dc_all[:w, None, :], da[:, :3], da[:, 0],
                da[:, 1], da[:, 2], da[:, 3], da.reshape(w, 4 * self.Hp), self.tmp[:w])

    def back(self, t, w, cur):
        dh, dc, dh2, dc2, dc_all, dc_all3, da_ifg, _, _, _, da_o, da2, _ = self.views(w, cur)
        k = t - 1
        np.multiply(dh, self.alpha[k], out=dc_all)
        np.add(dc_all, dc, out=dc_all)  # c_t reaches E directly and through h_t = o * phi(c_t)
        np.multiply(self.gamma[k], dc_all3, out=da_ifg)  # input, forget and candidate gates
        np.multiply(dh, self.beta[k], out=da_o)  # output gate
        np.dot(da2, self.W, out=dh2)  # W_h^T da, in row form
        np.multiply(dc_all, self.f[k], out=dc2)  # the cell path is only scaled by f

    def fwd(self, t, w, cur):
        dh, dc, dh2, dc2, _, _, da_ifg, da_i, da_f, da_g, da_o, da2, tmp = self.views(w, cur)
        k = t - 1
        np.dot(dh, self.WT, out=da2)  # da = W_h dh_{t-1}
        np.multiply(da_ifg, self.gamma[k], out=da_ifg)
        np.multiply(dc, self.f[k], out=dc2)
        np.add(dc2, da_i, out=dc2)
        np.add(dc2, da_f, out=dc2)
        np.add(dc2, da_g, out=dc2)  # dc_t = f dc_{t-1} + the three gate terms
        np.multiply(dc2, self.alpha[k], out=dh2)
        np.multiply(da_o, self.beta[k], out=tmp)
        np.add(dh2, tmp, out=dh2)  # dh_t = o phi'(c_t) dc_t + phi(c_t) o(1-o) da_o


class _GRUOps(Ops):
    def __init__(self, p: cells.GRUParams, fac: cells.GRUFactors, width: int):
        super().__init__(p.hidden, width)
        H = self.Hp
        self.W_zr, self.W_n = p.W_h[:2 * H], p.W_h[2 * H:]
        self.W_zrT, self.W_nT = np.ascontiguousarray(self.W_zr.T), np.ascontiguousarray(self.W_n.T)
        self.z, self.r = list(fac.z), list(fac.r)
        self.kz, self.kn, self.kr = list(fac.kappa_z), list(fac.kappa_n), list(fac.kappa_r)
        self.da = np.empty((width, 2, H))
        self.dan = np.empty((width, H))
        self.q = np.empty((width, H))
        self.tmp = np.empty((width, H))

    def _make_views(self, src, dst, w):
        da = self.da[:w]
        return (src[0], dst[0], da[:, 0], da[:, 1], da.reshape(w, 2 * self.Hp), self.dan[:w], self.q[:w],
                self.tmp[:w])

    def back(self, t, w, cur):
        src, dst, da_z, da_r, da2, dan, q, tmp = self.views(w, cur)
        k = t - 1
        np.multiply(src, self.kn[k], out=dan)  # da_n
        np.multiply(src, self.kz[k], out=da_z)
        np.dot(dan, self.W_n, out=q)  # gradient reaching r * h_{t-1}
        np.multiply(q, self.kr[k], out=da_r)
        np.dot(da2, self.W_zr, out=dst)  # through the two gates
        np.multiply(src, self.z[k], out=tmp)
        np.add(dst, tmp, out=dst)  # directly, z * dh
        np.multiply(q, self.r[k], out=tmp)
        np.add(dst, tmp, out=dst)  # through r * h_{t-1}

    def fwd(self, t, w, cur):
        src, dst, da_z, da_r, da2, dan, q, tmp = self.views(w, cur)
        k = t - 1
        np.dot(src, self.W_zrT, out=da2)  # [da_z, da_r] = W_hzr dh_{t-1}
        np.multiply(src, self.r[k], out=q)
        np.multiply(da_r, self.kr[k], out=tmp)
        np.add(q, tmp, out=q)  # d(r * h_{t-1})
        np.dot(q, self.W_nT, out=dan)  # da_n = W_hn d(r * h_{t-1})
        np.multiply(src, self.z[k], out=dst)
        np.multiply(da_z, self.kz[k], out=tmp)
        np.add(dst, tmp, out=dst)
        np.multiply(dan, self.kn[k], out=tmp)
        np.add(dst, tmp, out=dst)


OPS = {"vanilla": _VanillaOps, "lstm": _LSTMOps, "gru": _GRUOps}


def make_ops(model: str, p, fac) -> Ops:
    """The row-form step operators of one cell, with buffers wide enough for every row a sweep carries."""
    return OPS[model](p, fac, 1 + EXACT_DIM + LENGTHS)


