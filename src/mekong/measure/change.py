"""Change over time: growth incidence curve and poverty-change decompositions.

The two periods are two samples (cross-sections or panel rounds) given as two frames.
Every part of a decomposition is a smooth function of weighted totals of the two rounds;
its linearised variable (chain rule) gives design-based standard errors through the one
variance kernel, for independent samples or a panel (:mod:`mekong.measure._rounds`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import polars as pl
from scipy import stats

from mekong.measure._common import By, CiDistribution, Design, FrameLike, PoorIf, fmt
from mekong.measure._design import ALL, PSU, W
from mekong.measure._engine import BY_PREFIX, POP, N, _quantile, psu_influence_totals
from mekong.measure._rounds import (
    Linearised,
    Round,
    Samples,
    basis_sums,
    check_designs,
    round_variance,
)
from mekong.measure.errors import MeasureError, UndefinedMeasureError
from mekong.measure.inequality import _bandwidth, _estimators, inequality
from mekong.measure.inequality import _prepare as _prepare_inequality
from mekong.measure.poverty import PovertyEstimator, Y
from mekong.measure.poverty import _prepare as _prepare_poverty

__all__ = ["datt_ravallion", "growth_incidence", "huppi_ravallion", "shorrocks_shapley"]

GIC_POINTS = tuple(i / 100 for i in range(5, 100, 5))
_COLS = ("measure", "estimate", "se", "ci_low", "ci_high", "n", "population")
_SQRT_2PI = math.sqrt(2 * math.pi)


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
    samples: Samples = "independent",
    conf_level: float = 0.95,
) -> pl.DataFrame:
    """Growth incidence curve: growth rate of welfare at each quantile.

    Notes
    -----
    .. math:: g(p) = \\frac{q_{1}(p)}{q_{0}(p)} - 1,

    plus ``gic_mean``, the growth of the mean. With both designs, standard errors by the
    delta method, :math:`u^{(0)}_i = -\\frac{q_1}{q_0^2} u(q_0)_i` on rows of the first
    round and :math:`u^{(1)}_i = u(q_1)_i / q_0` on rows of the second, with each
    quantile's linearised variable :math:`u(q)_i = -(I(y_i \\le q) - p)/(N \\hat f(q))`
    (kernel density; see :func:`~mekong.measure.quantile_ratio`), and a normal interval.
    ``samples="independent"`` (default): the rounds' variances add,
    :math:`V(g) \\approx V(q_1)/q_0^2 + q_1^2 V(q_0)/q_0^4`. ``samples="panel"``: the
    same PSUs in both rounds (matched on stratum and PSU codes); their totals of
    :math:`w_i u_i` are added per PSU before squaring, so the covariance of the rounds
    counts (``docs/measures.md`` §6.1). A panel needs both designs with PSUs.

    References
    ----------
    Ravallion, M., Chen, S. (2003). Measuring pro-poor growth. *Economics Letters* 78(1),
    93-99.
    """
    # A design for one round only leaves the standard errors empty (a census against a
    # sample); anything else is checked as for the decompositions.
    half = (design_before is None) != (design_after is None)
    if samples != "independent" or not half:
        check_designs(design_before, design_after, samples)
    if not 0 < conf_level < 1:
        raise UndefinedMeasureError(f"conf_level must be in (0, 1), got {conf_level}")
    names = [f"quantile_{fmt(p)}" for p in points] + ["mean"]
    kw = {"welfare": welfare, "measures": names, "weight": weight, "size": size, "by": by}
    if samples == "panel":
        return _gic_panel(
            (before, after),
            (design_before, design_after),
            welfare=welfare,
            names=names,
            weight=weight,
            size=size,
            by=by,
            conf_level=conf_level,
        )
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


def _gic_panel(
    frames: tuple[FrameLike, FrameLike],
    designs: tuple[Design | None, Design | None],
    *,
    welfare: str,
    names: list[str],
    weight: str | None,
    size: str | None,
    by: By,
    conf_level: float,
) -> pl.DataFrame:
    """The growth incidence curve of a panel: per-PSU totals of both rounds' linearised
    quantiles, combined per group by the chain rule and added per PSU."""
    preps, wides, psus = [], [], []
    for frame, design in zip(frames, designs, strict=True):
        prep = _prepare_inequality(
            frame, welfare, names, weight=weight, size=size, by=by, design=design
        )
        wide, psu = psu_influence_totals(prep, _estimators(names, "none"))
        preps.append(prep)
        wides.append(wide)
        psus.append(psu)
    keys, by_cols = preps[0].keys, preps[0].by
    rounds = (Round(preps[0].lf, designs[0]), Round(preps[1].lf, designs[1]))
    e0 = wides[0].select(*keys, *[pl.col(n).alias(f"_mk_e0_{n}") for n in names])
    e1 = wides[1].select(*keys, N, POP, *[pl.col(n).alias(f"_mk_e1_{n}") for n in names])
    groups = e0.join(e1, on=keys, how="inner", nulls_equal=True)
    strata = preps[0].design.internal_strata() if preps[0].design is not None else []
    gic = [f"_mk_gic{j}" for j in range(len(names))]
    zq = float(stats.norm.ppf(1 - (1 - conf_level) / 2))
    rows = []
    for group in groups.iter_rows(named=True):
        match = pl.all_horizontal([pl.col(k) == group[k] for k in keys])
        z = []
        for t in (0, 1):
            parts = []
            for n, g in zip(names, gic, strict=True):
                q0, q1 = group[f"_mk_e0_{n}"], group[f"_mk_e1_{n}"]
                # d(q1/q0): dq1/q0 on round 1's rows, -q1 dq0/q0^2 on round 0's.
                c = 1 / q0 if t == 1 else -q1 / q0**2
                parts.append((c * pl.col(n)).alias(g))
            z.append(psus[t].filter(match).select(*strata, PSU, *parts))
        var, _ = round_variance((z[0], z[1]), rounds, gic, "panel")
        for n, g in zip(names, gic, strict=True):
            est = group[f"_mk_e1_{n}"] / group[f"_mk_e0_{n}"] - 1
            se = math.sqrt(max(var[g], 0.0))
            rows.append(
                {
                    **{b: group[k] for k, b in zip(keys, by_cols, strict=False)},
                    "measure": n.replace("quantile_", "gic_") if n != "mean" else "gic_mean",
                    "estimate": est,
                    "se": se,
                    "ci_low": est - zq * se,
                    "ci_high": est + zq * se,
                    "n": group[N],
                    "population": group[POP],
                }
            )
    schema: dict[str, pl.DataType] = {
        b: wides[1].schema[k] for k, b in zip(keys, by_cols, strict=False)
    }
    schema.update({"measure": pl.String(), "n": pl.Int64(), "population": pl.Float64()})
    schema.update({c: pl.Float64() for c in ("estimate", "se", "ci_low", "ci_high")})
    return pl.DataFrame(rows, schema=schema, orient="row").select(*schema)


def _alpha(name: str) -> float | None:
    """:math:`\\alpha` of ``fgt<alpha>``, ``None`` for ``watts``; other measures refused."""
    if name == "watts":
        return None
    if name.startswith("fgt"):
        try:
            alpha = float(name[3:])
        except ValueError:
            alpha = -1.0
        if alpha >= 0:
            return alpha
    raise MeasureError(
        f"measure {name!r} cannot be decomposed: use fgt<alpha> (e.g. 'fgt0', 'fgt2') or "
        "'watts', which are means of a row value of welfare and the line"
    )


def _prepare_rounds(
    before: FrameLike,
    after: FrameLike,
    *,
    welfare: str,
    line: float,
    names: Sequence[str],
    weight: str | None,
    size: str | None,
    by: str | None,
    design_before: Design | None,
    design_after: Design | None,
    samples: Samples,
    conf_level: float,
) -> tuple[Round, Round]:
    check_designs(design_before, design_after, samples)
    if not 0 < conf_level < 1:
        raise UndefinedMeasureError(f"conf_level must be in (0, 1), got {conf_level}")
    for name in names:
        _alpha(name)
    rounds = []
    for frame, design in ((before, design_before), (after, design_after)):
        prep = _prepare_poverty(
            frame,
            welfare=welfare,
            line=line,
            names=names,
            weight=weight,
            size=size,
            by=by,
            design=design,
        )
        # Materialised: every decomposition reads the rows twice (means, then totals).
        rounds.append(Round(prep.lf.collect().lazy(), design))
    return rounds[0], rounds[1]


def _totals(sums: pl.DataFrame, names: Sequence[str]) -> dict[str, float]:
    row = sums.select(pl.col(n).sum() for n in names).row(0, named=True)
    return {k: float(v) for k, v in row.items()}


def _psu_z(
    rounds: tuple[Round, Round],
    sums: tuple[pl.DataFrame, pl.DataFrame],
    parts: Sequence[Linearised],
) -> tuple[list[str], tuple[pl.DataFrame, pl.DataFrame]]:
    """Per-PSU totals :math:`z_{hj}` of every part's linearised variable, per round."""
    names = [f"_mk_v{j}" for j in range(len(parts))]
    z = []
    for t, rnd in enumerate(rounds):
        assert rnd.design is not None
        cols = [*rnd.design.internal_strata(), *([PSU] if rnd.design.psu is not None else [])]
        z.append(sums[t].select(*cols, *[p.z(t, n) for p, n in zip(parts, names, strict=True)]))
    return names, (z[0], z[1])


def _tidy(
    labels: Sequence[str],
    parts: Sequence[Linearised],
    rounds: tuple[Round, Round],
    sums: tuple[pl.DataFrame, pl.DataFrame],
    *,
    samples: Samples,
    conf_level: float,
    ci: CiDistribution,
) -> pl.DataFrame:
    """The library's tidy frame; ``se`` and the interval from the variance kernel when
    both rounds have a design."""
    estimate = np.array([p.value for p in parts], dtype=float)
    se = np.full(len(parts), math.nan)
    q = np.full(len(parts), math.nan)
    if rounds[0].design is not None:
        names, z = _psu_z(rounds, sums, parts)
        var, df = round_variance(z, rounds, names, samples)
        se = np.sqrt(np.clip([var[n] for n in names], 0.0, None))
        q = _quantile(conf_level, np.full(len(parts), df), ci)
    have_se = rounds[0].design is not None
    return pl.DataFrame(
        {
            "measure": list(labels),
            "estimate": estimate,
            "se": se if have_se else None,
            "ci_low": estimate - q * se if have_se else None,
            "ci_high": estimate + q * se if have_se else None,
            "n": None,
            "population": None,
        },
        schema={
            "measure": pl.String,
            "estimate": pl.Float64,
            "se": pl.Float64,
            "ci_low": pl.Float64,
            "ci_high": pl.Float64,
            "n": pl.Int64,
            "population": pl.Float64,
        },
    )


def _dr_grid(
    rounds: tuple[Round, Round], *, line: float, names: Sequence[str], poor_if: PoorIf
) -> tuple[list[dict[str, Linearised]], tuple[pl.DataFrame, pl.DataFrame]]:
    """:math:`P(\\mu_a, L_b)` for a, b in {0, 1} and every measure, linearised, with the
    per-PSU basis sums they are linear in (see ``docs/measures.md``, section 6.1).

    Pass 1 gives each round's :math:`N_t, \\mu_t` (and the kernel bandwidth for
    :math:`P_0`); pass 2 the totals of the row values at the scale
    :math:`s_0 = \\mu_1/\\mu_0` (round 0 at the round-1 mean) or :math:`s_1 = \\mu_0/\\mu_1`.
    Rescaling welfare by :math:`s` is the same as dividing the line by :math:`s`, which
    the row values use.
    """
    alphas = [_alpha(m) for m in names]
    density = 0.0 in alphas
    first = []
    for rnd in rounds:
        stats_lf = rnd.lf.select(
            pl.col(W).sum().alias("n"), (pl.col(W) * pl.col(Y)).sum().alias("y")
        )
        if density:
            stats_lf = pl.concat(
                [stats_lf, _bandwidth(rnd.lf, [ALL]).select("_mk_h")], how="horizontal"
            )
        first.append(stats_lf.collect().row(0, named=True))
    n = [float(r["n"]) for r in first]
    mu = [float(r["y"]) / n[t] for t, r in enumerate(first)]
    if not (mu[0] > 0 and mu[1] > 0):
        raise MeasureError("the mean welfare must be > 0 in both periods")
    scale = (mu[1] / mu[0], mu[0] / mu[1])
    own = PovertyEstimator(names=tuple(names), line=line, poor_if=poor_if)
    y = pl.col(Y)
    sums = []
    for t, rnd in enumerate(rounds):
        s = scale[t]
        cross = PovertyEstimator(names=tuple(names), line=line / s, poor_if=poor_if)
        basis: dict[str, pl.Expr] = {"_mk_b1": pl.lit(1.0), "_mk_by": y}
        for i, (m, alpha) in enumerate(zip(names, alphas, strict=True)):
            basis[f"_mk_bo{i}"] = own._row_value(m)
            basis[f"_mk_bx{i}"] = cross._row_value(m)
            # y * d phi(s y)/d(s y): the derivative of the row value with respect to s.
            if alpha is None:
                deriv = pl.when(cross._poor()).then(-1.0 / s).otherwise(0.0)
            elif alpha > 0:
                gap = cross._gap()
                deriv = (
                    pl.when(cross._poor())
                    .then(-(alpha / line) * y * gap.pow(alpha - 1))
                    .otherwise(0.0)
                )
            else:
                # Gaussian kernel at the rescaled line, for the density of welfare there.
                h = float(first[t]["_mk_h"])
                deriv = (-0.5 * ((line / s - y) / h) ** 2).exp()
            basis[f"_mk_bd{i}"] = deriv
        sums.append(basis_sums(rnd, basis))
    totals = [_totals(sums[t], list(sums[t].columns[-len(basis) :])) for t in (0, 1)]

    def own_cell(t: int, i: int) -> Linearised:
        # P = T_phi / N: u = (phi - P) / N.
        p = totals[t][f"_mk_bo{i}"] / n[t]
        return Linearised(p, {(t, f"_mk_bo{i}"): 1 / n[t], (t, "_mk_b1"): -p / n[t]})

    def cross_cell(a: int, i: int) -> Linearised:
        # P_a(s), s = mu_b / mu_a: the round-a ratio at fixed s, plus dP/ds * ds with
        # ds = s (d mu_b / mu_b - d mu_a / mu_a) and d mu_t = (y - mu_t) / N_t.
        b, s = 1 - a, scale[a]
        p = totals[a][f"_mk_bx{i}"] / n[a]
        if alphas[i] == 0:
            h = float(first[a]["_mk_h"])
            dens = totals[a][f"_mk_bd{i}"] / (n[a] * h * _SQRT_2PI)
            slope = -(line / s**2) * dens
        else:
            slope = totals[a][f"_mk_bd{i}"] / n[a]
        if not math.isfinite(slope):
            raise UndefinedMeasureError(
                f"the growth component of {names[i]!r} has no linearisation: someone sits "
                "exactly on the rescaled line and alpha < 1"
            )
        ds = slope * s
        coef = {
            (a, f"_mk_bx{i}"): 1 / n[a],
            (a, "_mk_b1"): -p / n[a] + ds / n[a],
            (a, "_mk_by"): -ds / (n[a] * mu[a]),
            (b, "_mk_by"): ds / (n[b] * mu[b]),
            (b, "_mk_b1"): -ds / n[b],
        }
        return Linearised(p, coef)

    grid = [
        {"00": own_cell(0, i), "11": own_cell(1, i), "10": cross_cell(0, i), "01": cross_cell(1, i)}
        for i in range(len(names))
    ]
    return grid, (sums[0], sums[1])


@dataclass(frozen=True)
class _Common:
    welfare: str
    line: float
    weight: str | None
    size: str | None
    poor_if: PoorIf
    design_before: Design | None
    design_after: Design | None
    samples: Samples
    conf_level: float
    ci: CiDistribution


def _decompose(
    before: FrameLike,
    after: FrameLike,
    measures: Sequence[str],
    c: _Common,
    parts: Callable[[dict[str, Linearised]], dict[str, Linearised]],
) -> pl.DataFrame:
    names = list(dict.fromkeys(measures))
    rounds = _prepare_rounds(
        before,
        after,
        welfare=c.welfare,
        line=c.line,
        names=names,
        weight=c.weight,
        size=c.size,
        by=None,
        design_before=c.design_before,
        design_after=c.design_after,
        samples=c.samples,
        conf_level=c.conf_level,
    )
    grid, sums = _dr_grid(rounds, line=c.line, names=names, poor_if=c.poor_if)
    labels: list[str] = []
    lins: list[Linearised] = []
    for m, g in zip(names, grid, strict=True):
        for part, lin in parts(g).items():
            labels.append(f"{m}_{part}")
            lins.append(lin)
    return _tidy(labels, lins, rounds, sums, samples=c.samples, conf_level=c.conf_level, ci=c.ci)


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
    design_before: Design | None = None,
    design_after: Design | None = None,
    samples: Samples = "independent",
    conf_level: float = 0.95,
    ci: CiDistribution = "t",
) -> pl.DataFrame:
    """Datt-Ravallion decomposition of poverty change into growth and redistribution.

    Parameters
    ----------
    before, after
        The two rounds, one row per household (or person).
    welfare, line, weight, size, poor_if
        As in :func:`~mekong.measure.poverty`; ``line`` is a number, the same real line
        in both rounds.
    measures
        ``fgt<alpha>`` (any :math:`\\alpha \\ge 0`) and ``watts``.
    reference
        Period whose mean or distribution the other component holds fixed.
    design_before, design_after
        Survey designs of the two rounds, both or neither; with them every part gets a
        design-based standard error and interval.
    samples
        ``"independent"`` (default): two cross-sections with different households, the
        rounds' variances add. ``"panel"``: the same PSUs in both rounds, matched by
        their stratum and PSU codes (give the household id as ``psu`` when households
        are sampled directly); the covariance between rounds counts.
    conf_level, ci
        As for every measure (``ci="t"``: design degrees of freedom, summed over the two
        rounds for independent samples).

    Returns
    -------
    polars.DataFrame
        Rows ``<measure>_change``, ``_growth``, ``_redistribution`` and ``_residual``
        (they sum exactly) with ``estimate``, ``se``, ``ci_low``, ``ci_high``; ``n`` and
        ``population`` are null (a part belongs to neither round).

    Notes
    -----
    With :math:`P(\\mu_a, L_b)` the poverty of the period-:math:`b` Lorenz curve at the
    period-:math:`a` mean (welfare rescaled by :math:`\\mu_a/\\mu_b`) and the first period
    as reference,

    .. math::
        P_1 - P_0 = \\underbrace{P(\\mu_1, L_0) - P(\\mu_0, L_0)}_{\\text{growth}}
                  + \\underbrace{P(\\mu_0, L_1) - P(\\mu_0, L_0)}_{\\text{redistribution}}
                  + \\text{residual}.

    The linearised variable of :math:`P(\\mu_1, L_0) = P_0(s)`, :math:`s = \\mu_1/\\mu_0`,
    is, on a row of round 0 and of round 1,

    .. math::
        u_i^{(0)} = \\frac{\\phi(s y_i) - P_0(s)}{N_0}
                    - P_0'(s)\\, s\\, \\frac{y_i - \\mu_0}{N_0 \\mu_0}, \\qquad
        u_i^{(1)} = P_0'(s)\\, s\\, \\frac{y_i - \\mu_1}{N_1 \\mu_1},

    with :math:`\\phi` the measure's row value and
    :math:`P_0'(s) = \\frac{1}{N_0}\\sum_i w_i y_i \\phi'(s y_i)` for
    :math:`\\alpha > 0` and Watts, :math:`-\\frac{z}{s^2} \\hat f_0(z/s)` (Gaussian
    kernel density, Silverman's bandwidth) for the headcount. The parts' linearised
    variables are the same differences of those of the four :math:`P(\\mu_a, L_b)`.

    References
    ----------
    Datt, G., Ravallion, M. (1992). Growth and redistribution components of changes in
    poverty measures. *J. Development Economics* 38(2), 275-295.

    Deville, J.-C. (1999). Variance estimation for complex statistics and estimators:
    linearization and residual techniques. *Survey Methodology* 25(2), 193-203.

    Examples
    --------
    Means 112.5 and 130; at the after mean the poor of before have welfare 57.8 and
    92.4 (gaps sum to 0.4978, :math:`P_1 = 0.1244` against 0.175); at the before mean
    those of after have 51.9 and 86.5 (:math:`P_1 = 0.1538`):

    >>> import polars as pl
    >>> from mekong.measure import datt_ravallion
    >>> before = pl.DataFrame({"y": [50.0, 80.0, 120.0, 200.0]})
    >>> after = pl.DataFrame({"y": [60.0, 100.0, 130.0, 230.0]})
    >>> out = datt_ravallion(before, after, welfare="y", line=100.0, measures=["fgt1"])
    >>> out["measure"].to_list()
    ['fgt1_change', 'fgt1_growth', 'fgt1_redistribution', 'fgt1_residual']
    >>> out["estimate"].round(4).to_list()
    [-0.075, -0.0506, -0.0212, -0.0033]
    """
    common = _Common(
        welfare, line, weight, size, poor_if, design_before, design_after, samples, conf_level, ci
    )

    def parts(g: dict[str, Linearised]) -> dict[str, Linearised]:
        if reference == "before":
            growth, redis = g["10"] - g["00"], g["01"] - g["00"]
        else:
            growth, redis = g["11"] - g["01"], g["11"] - g["10"]
        change = g["11"] - g["00"]
        return {
            "change": change,
            "growth": growth,
            "redistribution": redis,
            "residual": change - growth - redis,
        }

    if reference not in ("before", "after"):
        raise MeasureError(f"reference must be 'before' or 'after', got {reference!r}")
    return _decompose(before, after, measures, common, parts)


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
    design_before: Design | None = None,
    design_after: Design | None = None,
    samples: Samples = "independent",
    conf_level: float = 0.95,
    ci: CiDistribution = "t",
) -> pl.DataFrame:
    """Shapley (Shorrocks 2013) growth/redistribution decomposition, without residual.

    Parameters as in :func:`datt_ravallion` (without ``reference``). Rows
    ``<measure>_change``, ``_growth`` and ``_redistribution``.

    Notes
    -----
    .. math::
        G = \\tfrac12 [P(\\mu_1,L_0) - P(\\mu_0,L_0) + P(\\mu_1,L_1) - P(\\mu_0,L_1)], \\quad
        R = \\tfrac12 [P(\\mu_0,L_1) - P(\\mu_0,L_0) + P(\\mu_1,L_1) - P(\\mu_1,L_0)],

    and :math:`G + R = P_1 - P_0` exactly (the average of the two Datt-Ravallion
    decompositions with either reference period). Linearised variables: the same
    averages of those of the four :math:`P(\\mu_a, L_b)` (see :func:`datt_ravallion`).

    References
    ----------
    Shorrocks, A. F. (2013). Decomposition procedures for distributional analysis: a
    unified framework based on the Shapley value. *J. Econ. Inequality* 11(1), 99-126.
    """
    common = _Common(
        welfare, line, weight, size, poor_if, design_before, design_after, samples, conf_level, ci
    )

    def parts(g: dict[str, Linearised]) -> dict[str, Linearised]:
        growth = 0.5 * (g["10"] - g["00"] + g["11"] - g["01"])
        redis = 0.5 * (g["01"] - g["00"] + g["11"] - g["10"])
        return {"change": g["11"] - g["00"], "growth": growth, "redistribution": redis}

    return _decompose(before, after, measures, common, parts)


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
    design_before: Design | None = None,
    design_after: Design | None = None,
    samples: Samples = "independent",
    conf_level: float = 0.95,
    ci: CiDistribution = "t",
) -> pl.DataFrame:
    """Sectoral (Huppi-Ravallion) decomposition of the change in an additive measure.

    Parameters
    ----------
    sector
        Column of the sector (or region, or any partition) of each row, in both rounds.
    measure
        ``fgt<alpha>`` or ``watts`` (additively decomposable).
    before, after, welfare, line, weight, size, poor_if, design_before, design_after,
    samples, conf_level, ci
        As in :func:`datt_ravallion`.

    Notes
    -----
    With population shares :math:`n_{kt} = N_{kt}/N_t` and poverty :math:`P_{kt}` of
    sector :math:`k`,

    .. math::
        P_1 - P_0 = \\sum_k n_{k0} (P_{k1} - P_{k0})
                  + \\sum_k P_{k0} (n_{k1} - n_{k0})
                  + \\sum_k (P_{k1} - P_{k0})(n_{k1} - n_{k0}),

    the intra-sectoral, population-shift and interaction effects. Returns one row per
    sector and effect (column ``sector``) plus totals (``sector`` null); FGT measures are
    additively decomposable, so the parts sum to the change. Each effect is a product of
    ratios of totals, so its linearised variable follows from the product rule and
    :math:`u(P_{kt})_i = 1_{i \\in k}(\\phi_i - P_{kt})/N_{kt}`,
    :math:`u(n_{kt})_i = (1_{i \\in k} - n_{kt})/N_t` on rows of round :math:`t`.

    References
    ----------
    Huppi, M., Ravallion, M. (1991). The sectoral structure of poverty during an
    adjustment period: evidence for Indonesia in the mid-1980s. *World Development*
    19(12), 1653-1678.
    """
    rounds = _prepare_rounds(
        before,
        after,
        welfare=welfare,
        line=line,
        names=[measure],
        weight=weight,
        size=size,
        by=sector,
        design_before=design_before,
        design_after=design_after,
        samples=samples,
        conf_level=conf_level,
    )
    key = f"{BY_PREFIX}0"
    values = pl.concat(
        [r.lf.select(pl.col(key).unique()) for r in rounds], how="vertical_relaxed"
    ).collect()[key]
    sectors = values.unique().sort()
    phi = PovertyEstimator(names=(measure,), line=line, poor_if=poor_if)._row_value(measure)
    basis: dict[str, pl.Expr] = {}
    for j, k in enumerate(sectors.to_list()):
        member = (pl.col(key) == pl.lit(k, dtype=sectors.dtype)).cast(pl.Float64)
        basis[f"_mk_w{j}"] = member
        basis[f"_mk_p{j}"] = member * phi
    sums = (basis_sums(rounds[0], basis), basis_sums(rounds[1], basis))
    totals = [_totals(s, list(basis)) for s in sums]
    pop = [sum(totals[t][f"_mk_w{j}"] for j in range(len(sectors))) for t in (0, 1)]

    def share(t: int, j: int) -> Linearised:
        # n = N_k / N: d n = dN_k / N - n dN / N, and N is the sum of every N_k.
        nk = totals[t][f"_mk_w{j}"] / pop[t]
        coef = {(t, f"_mk_w{i}"): -nk / pop[t] for i in range(len(sectors))}
        coef[(t, f"_mk_w{j}")] += 1 / pop[t]
        return Linearised(nk, coef)

    def rate(t: int, j: int) -> Linearised:
        nk = totals[t][f"_mk_w{j}"]
        if nk == 0:
            return Linearised(0.0)
        p = totals[t][f"_mk_p{j}"] / nk
        return Linearised(p, {(t, f"_mk_p{j}"): 1 / nk, (t, f"_mk_w{j}"): -p / nk})

    effects: dict[str, list[Linearised]] = {"intra_sectoral": [], "population_shift": []}
    effects["interaction"] = []
    level = [Linearised(0.0), Linearised(0.0)]
    for j in range(len(sectors)):
        n0, n1, p0, p1 = share(0, j), share(1, j), rate(0, j), rate(1, j)
        effects["intra_sectoral"].append(n0 * (p1 - p0))
        effects["population_shift"].append(p0 * (n1 - n0))
        effects["interaction"].append((p1 - p0) * (n1 - n0))
        level = [level[0] + n0 * p0, level[1] + n1 * p1]
    labels: list[str] = []
    parts: list[Linearised] = []
    row_sector: list[object] = []
    for effect, per_sector in effects.items():
        labels.extend([f"{measure}_{effect}"] * len(sectors))
        parts.extend(per_sector)
        row_sector.extend(sectors.to_list())
    change = level[1] - level[0]
    summed = [sum(v, Linearised(0.0)) for v in effects.values()]
    if not math.isclose(sum(p.value for p in summed), change.value, abs_tol=1e-9):
        raise AssertionError("Huppi-Ravallion parts do not sum to the change")
    labels.extend(f"{measure}_{effect}" for effect in (*effects, "change"))
    parts.extend([*summed, change])
    row_sector.extend([None] * (len(effects) + 1))
    out = _tidy(labels, parts, rounds, sums, samples=samples, conf_level=conf_level, ci=ci)
    return out.select(pl.Series(sector, row_sector, dtype=sectors.dtype), pl.all())
