"""The extensive form of the two-stage program: every sample's LP side by side, their
committed decisions shared (SPEC §6.4).

Non-anticipativity is imposed by sharing columns rather than by equality rows: a committed
decision (same key in every sample) is one column of the extensive form, its bounds the
intersection of the samples' bounds and its cost the probability-weighted sum — the same
program as N copies tied by equalities, with fewer rows and columns for HiGHS. A committed
decision that exists in only some samples (a start window moved by a delay) is fixed at 0.

Objective: (1−λ)·Σ_s p_s·m_s + λ·CVaR_α, with the Rockafellar–Uryasev form
CVaR_α = max_η { η − (1/α)·Σ_s p_s·z_s }, z_s ≥ η − m_s, z_s ≥ 0 (one margin row per sample,
added only when λ > 0). Money is in the model's unit (k$).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.risk.sample_lp import Plan, SampleLp, arrays_program
from optimizer.solve.compile import INF, LinearProgram


@dataclass
class Extensive:
    """The stacked program and how each sample's columns map into it."""

    lp: LinearProgram
    col_maps: list[np.ndarray]  # sample -> its columns' extensive-form columns
    shared: dict  # committed key -> extensive-form column

    def plan(self, x: np.ndarray) -> Plan:
        """The committed decisions of extensive-form solution ``x``."""
        return {k: float(x[j]) for k, j in self.shared.items()}

    def sample_values(self, s: int, x: np.ndarray) -> np.ndarray:
        return x[self.col_maps[s]]


def stack(samples: list[SampleLp], risk_aversion: float = 0.0, alpha: float = 1.0) -> Extensive:
    """The extensive form of equally likely ``samples``, with risk aversion λ and CVaR level
    α (a fraction)."""
    n = len(samples)
    p = 1.0 / n
    shared: dict = {}
    counts: dict = {}
    col_maps = []
    width = 0
    for s in samples:
        cmap = np.empty(s.num_col, dtype=np.int64)
        own = np.ones(s.num_col, dtype=bool)
        own[s.committed_cols] = False
        cmap[own] = width + np.arange(int(own.sum()))
        width += int(own.sum())
        for j, key in zip(s.committed_cols.tolist(), s.committed_keys, strict=True):
            g = shared.get(key)
            if g is None:
                g = shared[key] = width
                width += 1
            counts[key] = counts.get(key, 0) + 1
            cmap[j] = g
        col_maps.append(cmap)
    cvar = risk_aversion > 0
    eta = width
    total = width + (n + 1 if cvar else 0)  # then η, then z_s
    cost = np.zeros(total)
    lower = np.full(total, -INF)
    upper = np.full(total, INF)
    for s, cmap in zip(samples, col_maps, strict=True):
        np.add.at(cost, cmap, (1.0 - risk_aversion) * p * s.cost)
        np.maximum.at(lower, cmap, s.col_lower)
        np.minimum.at(upper, cmap, s.col_upper)
    partial = [shared[k] for k, c in counts.items() if c < n]
    lower[partial] = upper[partial] = 0.0
    starts, index, values = [np.zeros(1, dtype=np.int32)], [], []
    row_lower, row_upper = [], []
    nnz = 0
    for s, cmap in zip(samples, col_maps, strict=True):
        starts.append(s.starts[1:] + nnz)
        index.append(cmap[s.index])
        values.append(s.values)
        row_lower.append(s.row_lower)
        row_upper.append(s.row_upper)
        nnz += len(s.index)
    offset = (1.0 - risk_aversion) * p * sum(s.offset for s in samples)
    if cvar:
        cost[eta] = risk_aversion
        lower[eta + 1 :] = 0.0
        cost[eta + 1 :] = -risk_aversion * p / alpha
        for k, (s, cmap) in enumerate(zip(samples, col_maps, strict=True)):
            nz = np.flatnonzero(s.cost)
            cols = np.concatenate((cmap[nz], [eta, eta + 1 + k]))
            index.append(cols)
            values.append(np.concatenate((s.cost[nz], [-1.0, 1.0])))
            nnz += len(cols)
            starts.append(np.array([nnz]))
            row_lower.append(np.array([-s.offset]))  # m_s − η + z_s ≥ 0
            row_upper.append(np.array([INF]))
    integer = np.unique(
        np.concatenate([c[s.integer] for s, c in zip(samples, col_maps, strict=False)])
    )
    lp = arrays_program(
        cost,
        lower,
        upper,
        np.concatenate(row_lower),
        np.concatenate(row_upper),
        np.concatenate(starts).astype(np.int32),
        np.concatenate(index).astype(np.int32),
        np.concatenate(values),
        integer.astype(np.int32),
        offset,
    )
    return Extensive(lp, col_maps, shared)


def cvar_usd(margins: np.ndarray, alpha: float) -> float:
    """CVaR_α of equally likely ``margins``: max_η { η − (1/α)·mean(max(0, η − m)) }, the
    mean of the worst α of the distribution (the maximum sits at one of the margins)."""
    m = np.asarray(margins, dtype=float)
    shortfall = np.maximum(0.0, m[:, None] - m[None, :]).mean(axis=1)
    return float(np.max(m - shortfall / alpha))
