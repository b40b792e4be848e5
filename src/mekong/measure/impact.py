"""Impact: difference-in-differences on household panels with cluster-robust errors."""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy import stats

from mekong.measure._common import FrameLike
from mekong.measure.errors import MeasureError, UnknownColumnError

__all__ = ["difference_in_differences"]


def difference_in_differences(
    frame: FrameLike,
    *,
    outcome: str,
    treated: str,
    post: str,
    cluster: str,
    unit: str | None = None,
    weight: str | None = None,
    conf_level: float = 0.95,
) -> pl.DataFrame:
    """Difference-in-differences of project vs comparison villages, before vs after.

    Parameters
    ----------
    frame
        One row per household and round.
    outcome
        Outcome column (e.g. consumption per capita, a poverty indicator).
    treated
        1 for households in project villages, 0 for comparison villages.
    post
        1 for the follow-up round, 0 for the baseline.
    cluster
        Cluster of assignment (the village); standard errors are clustered on it.
    unit
        Household identifier. When given, the panel estimator uses first differences
        :math:`\\Delta y_i = y_{i1} - y_{i0}` (household fixed effects; every household
        must appear once in each round). Without it, the pooled 2x2 regression is used.
    weight
        Optional weight (in the panel case, the baseline row's weight is used).

    Returns
    -------
    polars.DataFrame
        Rows ``did`` (the effect), ``treated_change`` and ``comparison_change``, with
        ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``n`` (households or rows) and
        ``population`` (sum of weights).

    Notes
    -----
    Pooled: weighted least squares of :math:`y = a + b T + c\\,Post + \\delta\\, T \\cdot Post`;
    panel: :math:`\\Delta y_i = c + \\delta T_i`. Cluster-robust (CR1) covariance

    .. math:: \\hat V = \\frac{G}{G-1}\\frac{n-1}{n-K} (X'WX)^{-1}
              \\Big(\\sum_g X_g' W_g e_g e_g' W_g X_g\\Big) (X'WX)^{-1},

    with :math:`G` clusters, :math:`n` observations and :math:`K` coefficients (Stata's
    ``vce(cluster)`` small-sample correction); intervals use Student's t with
    :math:`G - 1` degrees of freedom.

    References
    ----------
    Cameron, A. C., Miller, D. L. (2015). A practitioner's guide to cluster-robust
    inference. *J. Human Resources* 50(2), 317-372.
    Khandker, S. R., Koolwal, G. B., Samad, H. A. (2010). *Handbook on Impact
    Evaluation*, ch. 5. World Bank.
    """
    data = frame.lazy().collect()
    needed = [outcome, treated, post, cluster, *(c for c in (unit, weight) if c)]
    for col in needed:
        if col not in data.columns:
            raise UnknownColumnError(col, data.columns)
    nulls = {c: data[c].null_count() for c in needed if data[c].null_count()}
    if nulls:
        raise MeasureError(f"missing values in {nulls}")
    for col in (treated, post):
        if not set(data[col].cast(pl.Int64).unique().to_list()) <= {0, 1}:
            raise MeasureError(f"column {col!r} must be 0/1")
    w_expr = pl.col(weight).cast(pl.Float64) if weight else pl.lit(1.0)
    if unit is None:
        d = data.select(
            pl.col(outcome).cast(pl.Float64).alias("y"),
            pl.col(treated).cast(pl.Float64).alias("t"),
            pl.col(post).cast(pl.Float64).alias("p"),
            pl.col(cluster).alias("g"),
            w_expr.alias("w"),
        )
        x = np.column_stack(
            [np.ones(d.height), d["t"], d["p"], d["t"].to_numpy() * d["p"].to_numpy()]
        )
        names = {"did": 3}
    else:
        counts = data.group_by(unit).agg(pl.col(post).n_unique().alias("k"), pl.len())
        bad = counts.filter((pl.col("k") != 2) | (pl.col("len") != 2))
        if bad.height:
            raise MeasureError(
                f"{bad.height} household(s) in {unit!r} are not observed exactly once per "
                f"round (first: {bad[unit][0]!r}); the panel estimator needs a balanced panel"
            )
        base = data.filter(pl.col(post).cast(pl.Int64) == 0)
        follow = data.filter(pl.col(post).cast(pl.Int64) == 1)
        d = base.select(
            unit,
            pl.col(outcome).cast(pl.Float64).alias("y0"),
            pl.col(treated).cast(pl.Float64).alias("t"),
            pl.col(cluster).alias("g"),
            w_expr.alias("w"),
        ).join(follow.select(unit, pl.col(outcome).cast(pl.Float64).alias("y1")), on=unit)
        d = d.with_columns((pl.col("y1") - pl.col("y0")).alias("y"))
        x = np.column_stack([np.ones(d.height), d["t"]])
        names = {"did": 1}
    if (d["w"] <= 0).any():
        raise MeasureError(f"weight column {weight!r} has values <= 0")
    y = d["y"].to_numpy()
    w = d["w"].to_numpy()
    groups = d["g"].to_numpy()
    n, k = x.shape
    xtwx = x.T @ (x * w[:, None])
    try:
        bread = np.linalg.inv(xtwx)
    except np.linalg.LinAlgError as exc:
        raise MeasureError(
            "the design is singular: need treated and comparison households in both rounds"
        ) from exc
    beta = bread @ (x.T @ (w * y))
    resid = y - x @ beta
    scores = x * (w * resid)[:, None]
    _, inverse = np.unique(groups, return_inverse=True)
    n_clusters = int(inverse.max()) + 1
    if n_clusters < 2:
        raise MeasureError("cluster-robust errors need at least two clusters")
    summed = np.zeros((n_clusters, k))
    np.add.at(summed, inverse, scores)
    meat = summed.T @ summed
    factor = n_clusters / (n_clusters - 1) * (n - 1) / (n - k)
    cov = factor * bread @ meat @ bread
    q = float(stats.t.ppf(1 - (1 - conf_level) / 2, n_clusters - 1))
    rows = []
    if unit is None:
        # treated change = c + delta, comparison change = c.
        contrasts = {
            "did": [0, 0, 0, 1],
            "treated_change": [0, 0, 1, 1],
            "comparison_change": [0, 0, 1, 0],
        }
    else:
        contrasts = {"did": [0, 1], "treated_change": [1, 1], "comparison_change": [1, 0]}
    del names
    for name, vec in contrasts.items():
        a = np.asarray(vec, dtype=float)
        est = float(a @ beta)
        se = float(np.sqrt(a @ cov @ a))
        rows.append(
            {
                "measure": name,
                "estimate": est,
                "se": se,
                "ci_low": est - q * se,
                "ci_high": est + q * se,
                "n": n,
                "population": float(w.sum()),
            }
        )
    return pl.DataFrame(rows)
