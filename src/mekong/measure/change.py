"""Change over time: growth incidence curve and poverty-change decompositions.

The two periods are two samples (cross-sections or panel rounds) given as two frames.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import polars as pl
from scipy import stats

from mekong.measure._common import By, Design, FrameLike, PoorIf, fmt
from mekong.measure.errors import MeasureError
from mekong.measure.inequality import inequality
from mekong.measure.poverty import poverty

__all__ = ["datt_ravallion", "growth_incidence", "huppi_ravallion", "shorrocks_shapley"]

GIC_POINTS = tuple(i / 100 for i in range(5, 100, 5))
_COLS = ("measure", "estimate", "se", "ci_low", "ci_high", "n", "population")


def growth_incidence(
    before: FrameLike,
    after: FrameLike,
    *,
    welfare: str,
    points: Sequence[float] = GIC_POINTS,
    weight: str | None = None,
    size: str | None = None,
    by: By = None,
    design_before: Design | None = None,
    design_after: Design | None = None,
    conf_level: float = 0.95,
) -> pl.DataFrame:
    """Growth incidence curve: growth rate of welfare at each quantile.

    Notes
    -----
    .. math:: g(p) = \\frac{q_{1}(p)}{q_{0}(p)} - 1,

    plus ``gic_mean``, the growth of the mean. With both designs, standard errors use the
    delta method for two independent samples,
    :math:`V(g) \\approx V(q_1)/q_0^2 + q_1^2 V(q_0)/q_0^4`, with each quantile's
    linearised variance (kernel density; see :func:`~mekong.measure.quantile_ratio`) and
    a normal interval.

    References
    ----------
    Ravallion, M., Chen, S. (2003). Measuring pro-poor growth. *Economics Letters* 78(1),
    93-99.
    """
    names = [f"quantile_{fmt(p)}" for p in points] + ["mean"]
    kw = {"welfare": welfare, "measures": names, "weight": weight, "size": size, "by": by}
    q0 = inequality(before, design=design_before, **kw)  # type: ignore[arg-type]
    q1 = inequality(after, design=design_after, **kw)  # type: ignore[arg-type]
    keys = [c for c in q0.columns if c not in _COLS]
    joined = q0.join(q1, on=[*keys, "measure"], how="inner", suffix="_1", nulls_equal=True)
    e0, e1 = pl.col("estimate"), pl.col("estimate_1")
    z = float(stats.norm.ppf(1 - (1 - conf_level) / 2))
    var = pl.col("se_1") ** 2 / e0**2 + e1**2 * pl.col("se") ** 2 / e0**4
    out = joined.with_columns(
        (e1 / e0 - 1).alias("estimate"),
        var.sqrt().alias("se"),
        pl.col("measure").str.replace("quantile_", "gic_").str.replace("^mean$", "gic_mean"),
        pl.col("n_1").alias("n"),
        pl.col("population_1").alias("population"),
    ).with_columns(
        (pl.col("estimate") - z * pl.col("se")).alias("ci_low"),
        (pl.col("estimate") + z * pl.col("se")).alias("ci_high"),
    )
    return out.select(*keys, *_COLS)


def _scaled_poverty(
    frame: FrameLike,
    factor: float,
    *,
    welfare: str,
    line: float,
    measures: Sequence[str],
    weight: str | None,
    size: str | None,
    poor_if: PoorIf,
) -> np.ndarray:
    data = frame.lazy().with_columns((pl.col(welfare) * factor).alias(welfare))
    out = poverty(
        data,
        welfare=welfare,
        line=line,
        measures=measures,
        weight=weight,
        size=size,
        poor_if=poor_if,
    )
    return out["estimate"].to_numpy()


def _means(
    before: FrameLike, after: FrameLike, welfare: str, weight: str | None, size: str | None
) -> tuple[float, float]:
    m0 = inequality(before, welfare=welfare, measures=("mean",), weight=weight, size=size)
    m1 = inequality(after, welfare=welfare, measures=("mean",), weight=weight, size=size)
    return float(m0["estimate"][0]), float(m1["estimate"][0])


def _grid(
    before: FrameLike,
    after: FrameLike,
    *,
    welfare: str,
    line: float,
    measures: Sequence[str],
    weight: str | None,
    size: str | None,
    poor_if: PoorIf,
) -> dict[str, np.ndarray]:
    """P(mu_a, L_b) for a, b in {0, 1}: period-b distribution rescaled to period-a mean."""
    mu0, mu1 = _means(before, after, welfare, weight, size)
    if not (mu0 > 0 and mu1 > 0):
        raise MeasureError("the mean welfare must be > 0 in both periods")
    kw = {
        "welfare": welfare,
        "line": line,
        "measures": measures,
        "weight": weight,
        "size": size,
        "poor_if": poor_if,
    }
    return {
        "00": _scaled_poverty(before, 1.0, **kw),  # type: ignore[arg-type]
        "10": _scaled_poverty(before, mu1 / mu0, **kw),  # type: ignore[arg-type]
        "01": _scaled_poverty(after, mu0 / mu1, **kw),  # type: ignore[arg-type]
        "11": _scaled_poverty(after, 1.0, **kw),  # type: ignore[arg-type]
    }


def _tidy(names: Sequence[str], parts: dict[str, np.ndarray]) -> pl.DataFrame:
    rows = []
    for i, m in enumerate(names):
        for part, values in parts.items():
            rows.append({"measure": f"{m}_{part}", "estimate": float(values[i])})
    frame = pl.DataFrame(rows)
    return frame.with_columns(
        pl.lit(None, dtype=pl.Float64).alias(c) for c in ("se", "ci_low", "ci_high")
    ).with_columns(
        pl.lit(None, dtype=pl.Int64).alias("n"), pl.lit(None, dtype=pl.Float64).alias("population")
    )


def datt_ravallion(
    before: FrameLike,
    after: FrameLike,
    *,
    welfare: str,
    line: float,
    measures: Sequence[str] = ("fgt0", "fgt1", "fgt2"),
    weight: str | None = None,
    size: str | None = None,
    poor_if: PoorIf = "below",
    reference: Literal["before", "after"] = "before",
) -> pl.DataFrame:
    """Datt-Ravallion decomposition of poverty change into growth and redistribution.

    Notes
    -----
    With :math:`P(\\mu_a, L_b)` the poverty of the period-:math:`b` Lorenz curve at the
    period-:math:`a` mean (welfare rescaled by :math:`\\mu_a/\\mu_b`) and the first period
    as reference,

    .. math::
        P_1 - P_0 = \\underbrace{P(\\mu_1, L_0) - P(\\mu_0, L_0)}_{\\text{growth}}
                  + \\underbrace{P(\\mu_0, L_1) - P(\\mu_0, L_0)}_{\\text{redistribution}}
                  + \\text{residual}.

    Rows ``<measure>_change``, ``_growth``, ``_redistribution`` and ``_residual``; they
    sum exactly. Point estimates only.

    References
    ----------
    Datt, G., Ravallion, M. (1992). Growth and redistribution components of changes in
    poverty measures. *J. Development Economics* 38(2), 275-295.
    """
    g = _grid(
        before,
        after,
        welfare=welfare,
        line=line,
        measures=measures,
        weight=weight,
        size=size,
        poor_if=poor_if,
    )
    if reference == "before":
        growth = g["10"] - g["00"]
        redis = g["01"] - g["00"]
    else:
        growth = g["11"] - g["01"]
        redis = g["11"] - g["10"]
    change = g["11"] - g["00"]
    return _tidy(
        measures,
        {
            "change": change,
            "growth": growth,
            "redistribution": redis,
            "residual": change - growth - redis,
        },
    )


def shorrocks_shapley(
    before: FrameLike,
    after: FrameLike,
    *,
    welfare: str,
    line: float,
    measures: Sequence[str] = ("fgt0", "fgt1", "fgt2"),
    weight: str | None = None,
    size: str | None = None,
    poor_if: PoorIf = "below",
) -> pl.DataFrame:
    """Shapley (Shorrocks 2013) growth/redistribution decomposition, without residual.

    Notes
    -----
    .. math::
        G = \\tfrac12 [P(\\mu_1,L_0) - P(\\mu_0,L_0) + P(\\mu_1,L_1) - P(\\mu_0,L_1)], \\quad
        R = \\tfrac12 [P(\\mu_0,L_1) - P(\\mu_0,L_0) + P(\\mu_1,L_1) - P(\\mu_1,L_0)],

    and :math:`G + R = P_1 - P_0` exactly (the average of the two Datt-Ravallion
    decompositions with either reference period).

    References
    ----------
    Shorrocks, A. F. (2013). Decomposition procedures for distributional analysis: a
    unified framework based on the Shapley value. *J. Econ. Inequality* 11(1), 99-126.
    """
    g = _grid(
        before,
        after,
        welfare=welfare,
        line=line,
        measures=measures,
        weight=weight,
        size=size,
        poor_if=poor_if,
    )
    growth = 0.5 * (g["10"] - g["00"] + g["11"] - g["01"])
    redis = 0.5 * (g["01"] - g["00"] + g["11"] - g["10"])
    return _tidy(measures, {"change": g["11"] - g["00"], "growth": growth, "redistribution": redis})


def huppi_ravallion(
    before: FrameLike,
    after: FrameLike,
    *,
    welfare: str,
    line: float,
    sector: str,
    measure: str = "fgt0",
    weight: str | None = None,
    size: str | None = None,
    poor_if: PoorIf = "below",
) -> pl.DataFrame:
    """Sectoral (Huppi-Ravallion) decomposition of the change in an additive measure.

    Notes
    -----
    With population shares :math:`n_{kt}` and poverty :math:`P_{kt}` of sector :math:`k`,

    .. math::
        P_1 - P_0 = \\sum_k n_{k0} (P_{k1} - P_{k0})
                  + \\sum_k P_{k0} (n_{k1} - n_{k0})
                  + \\sum_k (P_{k1} - P_{k0})(n_{k1} - n_{k0}),

    the intra-sectoral, population-shift and interaction effects. Returns one row per
    sector and effect (column ``sector``) plus totals (``sector`` null); FGT measures are
    additively decomposable, so the parts sum to the change.

    References
    ----------
    Huppi, M., Ravallion, M. (1991). The sectoral structure of poverty during an
    adjustment period: evidence for Indonesia in the mid-1980s. *World Development*
    19(12), 1653-1678.
    """
    kw = {
        "welfare": welfare,
        "line": line,
        "measures": (measure,),
        "weight": weight,
        "size": size,
        "by": sector,
        "poor_if": poor_if,
    }
    p0 = poverty(before, **kw)  # type: ignore[arg-type]
    p1 = poverty(after, **kw)  # type: ignore[arg-type]
    parts = p0.select(sector, pl.col("estimate").alias("p0"), pl.col("population").alias("w0"))
    parts = parts.join(
        p1.select(sector, pl.col("estimate").alias("p1"), pl.col("population").alias("w1")),
        on=sector,
        how="full",
        coalesce=True,
        nulls_equal=True,
    ).with_columns(pl.col("p0", "w0", "p1", "w1").fill_null(0.0))
    parts = parts.with_columns(
        (pl.col("w0") / pl.col("w0").sum()).alias("n0"),
        (pl.col("w1") / pl.col("w1").sum()).alias("n1"),
    )
    effects = parts.select(
        sector,
        (pl.col("n0") * (pl.col("p1") - pl.col("p0"))).alias("intra_sectoral"),
        (pl.col("p0") * (pl.col("n1") - pl.col("n0"))).alias("population_shift"),
        ((pl.col("p1") - pl.col("p0")) * (pl.col("n1") - pl.col("n0"))).alias("interaction"),
    ).sort(sector)
    long = effects.unpivot(index=sector, variable_name="effect", value_name="estimate")
    totals = long.group_by("effect", maintain_order=True).agg(pl.col("estimate").sum())
    after_total = float((parts["n1"] * parts["p1"]).sum())
    change = after_total - float((parts["n0"] * parts["p0"]).sum())
    if not math.isclose(float(totals["estimate"].sum()), change, abs_tol=1e-9):
        raise AssertionError("Huppi-Ravallion parts do not sum to the change")
    totals = pl.concat([totals, pl.DataFrame({"effect": ["change"], "estimate": [change]})])
    out = pl.concat(
        [
            long,
            totals.with_columns(pl.lit(None, dtype=long.schema[sector]).alias(sector)).select(
                long.columns
            ),
        ]
    )
    return out.select(
        sector,
        (pl.lit(f"{measure}_") + pl.col("effect")).alias("measure"),
        "estimate",
        *[pl.lit(None, dtype=pl.Float64).alias(c) for c in ("se", "ci_low", "ci_high")],
        pl.lit(None, dtype=pl.Int64).alias("n"),
        pl.lit(None, dtype=pl.Float64).alias("population"),
    )
