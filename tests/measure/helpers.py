"""Test helpers: numerical derivatives of estimators with respect to one weight."""

from __future__ import annotations

import numpy as np
import polars as pl

from mekong.measure._design import ALL, W
from mekong.measure._engine import Estimator, rows_for


def influence_and_derivative(
    frame: pl.DataFrame, estimator: Estimator, step: float = 1e-6
) -> tuple[np.ndarray, np.ndarray]:
    """Linearised variables of ``estimator`` and central differences of its estimate.

    ``frame`` holds internal columns (``_mk_y``, ``_mk_w`` ...). The linearised variable
    :math:`u_k` must equal :math:`\\partial \\hat\\theta / \\partial w_k`.
    """
    lf = frame.with_columns(pl.lit(0, dtype=pl.Int8).alias(ALL)).with_row_index("_row").lazy()
    keys = [ALL]
    rows = rows_for(estimator, lf, keys)
    est = estimator.estimate(rows, keys).collect()
    infl = estimator.influence(rows, keys, est.lazy()).sort("_row").collect()
    names = list(estimator.names)
    u = infl.select(names).to_numpy()
    deriv = np.zeros_like(u)
    w = frame[W].to_numpy()
    for k in range(frame.height):
        vals = []
        for sign in (1, -1):
            w2 = w.copy()
            w2[k] += sign * step
            lf2 = lf.with_columns(pl.Series(W, w2))
            vals.append(estimator.estimate(lf2, keys).collect().select(names).to_numpy()[0])
        deriv[k] = (vals[0] - vals[1]) / (2 * step)
    return u, deriv
