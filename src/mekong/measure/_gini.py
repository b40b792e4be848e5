"""Weighted Gini of any variable within groups: estimate and linearised variable.

The building block of :func:`~mekong.measure.gini`, Sen's index (Gini of the poor) and the
Sen-Shorrocks-Thon index (Gini of the poverty gaps).
"""

from __future__ import annotations

import polars as pl

from mekong.measure._design import W, over, sort_by_keys

__all__ = ["gini_agg", "gini_rows"]


def gini_agg(
    v: pl.Expr,
    w: pl.Expr,
    prefix: str,
    *,
    presorted: bool = False,
    cum_w: pl.Expr | None = None,
) -> list[pl.Expr]:
    """Aggregations giving ``{prefix}N``, ``{prefix}Y`` and ``{prefix}G`` per group.

    .. math:: G = \\frac{\\sum_i w_i y_i (2 N_i - w_i)}{N Y} - 1,
       \\quad N_i = \\sum_{j \\le i} w_j \\text{ in ascending order of } y,

    which equals :math:`\\sum_i\\sum_j w_i w_j |y_i - y_j| / (2 N Y)` and does not depend
    on how ties are ordered. ``G`` is set to 0 when :math:`Y = 0`. With ``presorted`` the
    rows are already in ascending order of ``v`` within each group (a global sort is
    multi-threaded and much faster than a sort inside the aggregation). ``cum_w`` is a
    row-level column already holding :math:`N_i` (as computed once for the linearised
    values): the sum then needs neither order nor a cumulative sum inside the groups.
    """
    n_tot = w.sum()
    y_tot = (w * v).sum()
    if cum_w is not None:
        s = (w * v * (2 * cum_w - w)).sum()
    else:
        ws = w if presorted else w.sort_by(v)
        vs = v if presorted else v.sort()
        s = (ws * vs * (2 * ws.cum_sum() - ws)).sum()
    g = pl.when(y_tot > 0).then(s / (n_tot * y_tot) - 1).otherwise(0.0)
    return [n_tot.alias(f"{prefix}N"), y_tot.alias(f"{prefix}Y"), g.alias(f"{prefix}G")]


def gini_rows(
    lf: pl.LazyFrame, keys: list[str], v: pl.Expr, mask: pl.Expr | None, prefix: str
) -> pl.LazyFrame:
    """Add ``{prefix}u``, the linearised variable of the Gini, to every row.

    ``lf`` must already hold the group's ``{prefix}N``, ``{prefix}Y`` and ``{prefix}G``.

    .. math:: u_k = \\frac{2 (N_k y_k - Y_k) + Y - N y_k - G (Y + N y_k)}{N Y},

    with :math:`N_k, Y_k` the cumulative weight and weighted total up to unit :math:`k`
    (Langel & Tillé 2013, eq. 9). It is the exact derivative of :math:`\\hat G` with
    respect to :math:`w_k`; ties need no special care because tied units add
    :math:`w_j (y_k - y_j) = 0` to :math:`N_k y_k - Y_k`. Rows outside ``mask`` get 0.
    """
    w = pl.col(W) if mask is None else pl.col(W) * mask.cast(pl.Float64)
    tmp_v = f"{prefix}v"
    lf = lf.with_columns(v.alias(tmp_v), w.alias(f"{prefix}w")).sort(sort_by_keys(keys, tmp_v))
    vv = pl.col(tmp_v)
    ww = pl.col(f"{prefix}w")
    nk = over(ww.cum_sum(), keys)
    yk = over((ww * vv).cum_sum(), keys)
    n, y, g = pl.col(f"{prefix}N"), pl.col(f"{prefix}Y"), pl.col(f"{prefix}G")
    u = (2 * (nk * vv - yk) + y - n * vv - g * (y + n * vv)) / (n * y)
    u = pl.when(y > 0).then(u).otherwise(0.0)
    if mask is not None:
        u = pl.when(mask).then(u).otherwise(0.0)
    return lf.with_columns(u.alias(f"{prefix}u")).drop(tmp_v, f"{prefix}w")
