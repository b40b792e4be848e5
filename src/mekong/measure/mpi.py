"""Multidimensional poverty: the Alkire-Foster adjusted headcount ratio and its parts.

Identification is exact. Indicator weights and the cut-offs :math:`k` (poverty),
vulnerability and severity are rational numbers; weights are scaled to integers over
their common denominator :math:`D`, deprivation scores :math:`c_i` are integer sums and
a person is poor iff :math:`c_i \\cdot k_{den} \\ge k_{num} \\cdot D`. So a score of exactly
:math:`k` counts: 6 of 12 equally weighted deprivations at :math:`k = 1/2` is poor, which
a floating-point sum of twelve 1/12s (0.49999999999999994) gets wrong.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from typing import Unpack

import polars as pl

from mekong.measure._common import FrameLike, Options, document, split_options
from mekong.measure._design import ALL, design_table, linearised_variance
from mekong.measure._engine import Check, collapse, prepare, run
from mekong.measure._ratio import RatioEstimator
from mekong.measure.errors import MeasureError

__all__ = ["alkire_foster", "as_fraction"]

Rational = Fraction | int | float | str
SCORE = "_mk_score"
# Point estimates collapse the rows to deprivation profiles (at most 2 to the power of
# the number of indicators per group) when there are at most this many indicators.
_COLLAPSE_MAX_INDICATORS = 16


def as_fraction(value: Rational, what: str) -> Fraction:
    """Read a weight or cut-off as an exact fraction.

    ``Fraction``, ``int`` and strings such as ``"1/18"`` are exact; a ``float`` is taken
    as the nearest fraction with denominator at most 10^6 (so ``1/3`` and ``0.3333333``
    both give 1/3 only in the first case; pass ``"1/3"`` or ``Fraction(1, 3)`` to be safe).
    """
    try:
        if isinstance(value, float):
            if not math.isfinite(value):
                raise ValueError
            frac = Fraction(value).limit_denominator(1_000_000)
        else:
            frac = Fraction(value)
    except (ValueError, ZeroDivisionError, TypeError) as exc:
        raise MeasureError(
            f"{what} must be a number or a fraction like '1/3', got {value!r}"
        ) from exc
    return frac


def _int_weights(
    weights: Mapping[str, Rational],
) -> tuple[dict[str, int], int, dict[str, Fraction]]:
    """Normalise weights to sum to 1 and scale them to integers over a common denominator."""
    fr = {name: as_fraction(w, f"weight of indicator {name!r}") for name, w in weights.items()}
    if any(w <= 0 for w in fr.values()):
        bad = [n for n, w in fr.items() if w <= 0]
        raise MeasureError(f"indicator weights must be > 0; check {bad}")
    total = sum(fr.values(), Fraction(0))
    norm = {n: w / total for n, w in fr.items()}
    denom = math.lcm(*(w.denominator for w in norm.values()))
    ints = {n: int(w * denom) for n, w in norm.items()}
    return ints, denom, norm


def _at_least(cut: Fraction, denom: int) -> pl.Expr:
    """Exact test ``score / denom >= cut`` on the integer score."""
    return pl.col(SCORE) * cut.denominator >= cut.numerator * denom


@document
def alkire_foster(
    frame: FrameLike,
    *,
    indicators: Mapping[str, Rational],
    k: Rational,
    cutoffs: Mapping[str, float] | None = None,
    vulnerable: Rational = Fraction(1, 5),
    severe: Rational = Fraction(1, 2),
    **options: Unpack[Options],
) -> pl.DataFrame:
    """Alkire-Foster multidimensional poverty (M0) with its partial indices.

    Parameters
    ----------
    frame
        One row per person or household.
    indicators
        Indicator column -> weight. Weights are relative (normalised to sum to 1) and
        may be ``Fraction``, ``int``, ``"1/18"`` strings or floats (see
        :func:`as_fraction`).
    k
        Poverty cut-off as a fraction of the total weight, :math:`0 < k \\le 1`
        (e.g. ``"1/3"`` for the global MPI). Poor iff :math:`c_i \\ge k`.
    cutoffs
        Deprivation cut-off per indicator: deprived iff achievement < cut-off. Without
        it, each indicator column must already be a 0/1 (or boolean) deprivation.
    vulnerable, severe
        Shares vulnerable (:math:`\\text{vulnerable} \\le c_i < k`, global MPI: 1/5) and
        in severe poverty (:math:`c_i \\ge \\text{severe}`, global MPI: 1/2).

    Notes
    -----
    With deprivations :math:`g_{ij} \\in \\{0,1\\}`, normalised weights :math:`v_j`,
    score :math:`c_i = \\sum_j v_j g_{ij}` and :math:`p_i = I(c_i \\ge k)`:

    * ``H`` :math:`= \\sum_i w_i p_i / N` (incidence),
    * ``A`` :math:`= \\sum_i w_i p_i c_i / \\sum_i w_i p_i` (intensity among the poor),
    * ``M0`` :math:`= H \\times A = \\sum_i w_i p_i c_i / N`,
    * ``uncensored_<j>`` :math:`= \\sum_i w_i g_{ij} / N`,
      ``censored_<j>`` :math:`= \\sum_i w_i p_i g_{ij} / N`,
    * ``contribution_<j>`` :math:`= v_j \\cdot \\text{censored}_j / M0`
      (percentage contributions, summing to 1),
    * ``vulnerable``, ``severe`` as above;
    * with ``by``: ``population_share`` :math:`N_g/N` and ``m0_contribution``
      :math:`= N_g M0_g / (N\\, M0)`, the group's share of the overall M0 (subgroup
      decomposition; shares sum to 1 over groups).

    All are ratios of totals, linearised as :math:`(a_i - R b_i)/\\sum w b`.

    References
    ----------
    Alkire, S., Foster, J. (2011). Counting and multidimensional poverty measurement.
    *J. Public Econ.* 95(7-8), 476-487.
    Alkire, S., Santos, M. E. (2014). Measuring acute poverty in the developing world:
    robustness and scope of the Multidimensional Poverty Index. *World Dev.* 59, 251-274.

    Examples
    --------
    Six of twelve equally weighted deprivations at :math:`k = 1/2` is poor:

    >>> import polars as pl
    >>> from mekong.measure import alkire_foster
    >>> cols = {f"d{j}": [1 if j < 6 else 0] for j in range(12)}
    >>> out = alkire_foster(pl.DataFrame(cols), indicators={c: 1 for c in cols}, k="1/2")
    >>> out.filter(pl.col("measure") == "H")["estimate"][0]
    1.0
    """
    if not indicators:
        raise MeasureError("give at least one indicator")
    ints, denom, norm = _int_weights(indicators)
    k_f = as_fraction(k, "k")
    if not 0 < k_f <= 1:
        raise MeasureError(f"k is a fraction of the total weight in (0, 1], got {k}")
    vul_f, sev_f = as_fraction(vulnerable, "vulnerable"), as_fraction(severe, "severe")
    cutoffs = dict(cutoffs or {})
    unknown_cut = set(cutoffs) - set(indicators)
    if unknown_cut:
        raise MeasureError(f"cut-offs given for columns that are not indicators: {unknown_cut}")

    names = list(indicators)
    internal = {f"_mk_i{j}": col for j, col in enumerate(names)}
    checks = [
        Check(
            col,
            ~((pl.col(f"_mk_i{j}") == 0) | (pl.col(f"_mk_i{j}") == 1)),
            "not 0/1 (deprivation indicators must be 0/1 unless a cut-off is given)",
            "other",
        )
        for j, col in enumerate(names)
        if col not in cutoffs
    ]
    prep_opts, run_opts = split_options(options)
    prep = prepare(
        frame,
        inputs=internal,
        checks=checks,
        float_inputs=False,
        **prep_opts,  # type: ignore[arg-type]
    )

    def deprived(j: int, col: str) -> pl.Expr:
        x = pl.col(f"_mk_i{j}")
        if col in cutoffs:
            return (x.cast(pl.Float64) < cutoffs[col]).cast(pl.Int8)
        return x.cast(pl.Int8)  # already validated as 0/1 (or boolean)

    dep = {col: deprived(j, col) for j, col in enumerate(names)}
    if prep.design is None and len(names) <= _COLLAPSE_MAX_INDICATORS:
        # Every measure is a weighted total of functions of the deprivations: sum the
        # weights of each (group, deprivation profile) once, then measure those rows.
        profiles = {f"_mk_g{j}": dep[col] for j, col in enumerate(names)}
        prep = collapse(prep, profiles)
        dep = {col: pl.col(f"_mk_g{j}") for j, col in enumerate(names)}
    # Only the integer score and the poverty flag become columns; every other part stays
    # an expression fused into the one aggregation pass (materialising 30 float columns
    # costs more than the sums themselves).
    score = pl.sum_horizontal([dep[c].cast(pl.Int64) * ints[c] for c in names])
    prep.lf = prep.lf.with_columns(score.alias(SCORE)).with_columns(
        _at_least(k_f, denom).cast(pl.Float64).alias("_mk_poor")
    )
    poor, one = pl.col("_mk_poor"), pl.lit(1.0)
    pc = poor * pl.col(SCORE) / denom
    vul = (_at_least(vul_f, denom) & ~_at_least(k_f, denom)).cast(pl.Float64)
    est_names = ["H", "A", "M0", "vulnerable", "severe"]
    nums = [poor, pc, pc, vul, _at_least(sev_f, denom).cast(pl.Float64)]
    dens = [one, poor, one, one, one]
    scales = [1.0] * 5
    for col in names:
        g = dep[col]
        est_names += [f"uncensored_{col}", f"censored_{col}", f"contribution_{col}"]
        nums += [g, g * poor, g * poor]
        dens += [one, one, pc]
        scales += [1.0, 1.0, float(norm[col])]
    estimator = RatioEstimator(
        names=tuple(est_names),
        numerators=tuple(nums),
        denominators=tuple(dens),
        scales=tuple(scales),
    )
    out = run(prep, [estimator], **run_opts)  # type: ignore[arg-type]
    if prep.by:
        out = pl.concat([out, _subgroup(prep, pc, out, run_opts)], how="vertical_relaxed")
        out = out.sort(prep.by, maintain_order=True)
    return out


def _subgroup(
    prep: object, m0_row: pl.Expr, within: pl.DataFrame, run_opts: dict[str, object]
) -> pl.DataFrame:
    """Population shares and contributions of each group to the overall M0.

    Group sizes and totals come from the within-group output (``n``, ``population`` and
    ``M0`` of each group), so point estimates need no further pass over the rows.
    Unlike within-group measures these have non-zero linearised values outside the
    group (the denominator is the whole sample), so the kernel runs on the whole sample
    with one influence column per group.
    """
    from mekong.measure._engine import Prepared, _quantile

    assert isinstance(prep, Prepared)
    by = prep.by
    lf = prep.lf.with_columns(m0_row.alias("_mk_m0"))
    groups = (
        within.filter(pl.col("measure") == "M0")
        .select(
            *by,
            "n",
            "population",
            (pl.col("estimate") * pl.col("population")).alias("_mk_t"),
        )
        .sort(by)
    )
    n_tot = float(groups["population"].sum())
    t_tot = float(groups["_mk_t"].sum())
    groups = groups.with_columns(
        (pl.col("population") / n_tot).alias("population_share"),
        (pl.col("_mk_t") / t_tot if t_tot > 0 else pl.lit(None, dtype=pl.Float64)).alias(
            "m0_contribution"
        ),
        pl.lit(None, dtype=pl.Float64).alias("_mk_se_ps"),
        pl.lit(None, dtype=pl.Float64).alias("_mk_se_mc"),
        pl.lit(None, dtype=pl.Float64).alias("_mk_df"),
    )
    design = prep.design
    if design is not None and run_opts.get("variance", "linearisation") == "linearisation":
        in_group = [
            pl.all_horizontal(
                [pl.col(k).eq_missing(v) for k, v in zip(prep.keys, key, strict=True)]
            ).cast(pl.Float64)
            for key in groups.select(by).rows()
        ]
        cols = []
        for i, ind in enumerate(in_group):
            ps = float(groups["population_share"][i])
            cols.append(((ind - ps) / n_tot).alias(f"_mk_ps{i}"))
            mc = groups["m0_contribution"][i]
            if mc is not None:
                cols.append(
                    ((ind * pl.col("_mk_m0") - mc * pl.col("_mk_m0")) / t_tot).alias(f"_mk_mc{i}")
                )
            else:
                cols.append(pl.lit(0.0).alias(f"_mk_mc{i}"))
        infl = lf.with_columns(pl.lit(0, dtype=pl.Int8).alias(ALL), *cols)
        values = [c for i in range(groups.height) for c in (f"_mk_ps{i}", f"_mk_mc{i}")]
        table = design_table(prep.lf, design)
        var = linearised_variance(infl, keys=[ALL], values=values, design=design, table=table)
        ps_se = [math.sqrt(max(var[f"_mk_ps{i}"][0], 0.0)) for i in range(groups.height)]
        mc_se = [math.sqrt(max(var[f"_mk_mc{i}"][0], 0.0)) for i in range(groups.height)]
        groups = groups.with_columns(
            pl.Series("_mk_se_ps", ps_se),
            pl.Series("_mk_se_mc", mc_se),
            pl.lit(float(var["_mk_df"][0])).alias("_mk_df"),
        )
    conf = float(run_opts.get("conf_level", 0.95))  # type: ignore[arg-type]
    ci = run_opts.get("ci", "t")
    rows = []
    for name, se_col in (("population_share", "_mk_se_ps"), ("m0_contribution", "_mk_se_mc")):
        part = groups.select(
            *by,
            pl.lit(name).alias("measure"),
            pl.col(name).alias("estimate"),
            pl.col(se_col).alias("se"),
            "_mk_df",
            "n",
            "population",
        )
        rows.append(part)
    long = pl.concat(rows)
    df = long["_mk_df"].to_numpy().astype(float)
    q = _quantile(conf, df, ci)  # type: ignore[arg-type]
    long = long.with_columns(pl.Series("_mk_q", q)).with_columns(
        (pl.col("estimate") - pl.col("_mk_q") * pl.col("se")).alias("ci_low"),
        (pl.col("estimate") + pl.col("_mk_q") * pl.col("se")).alias("ci_high"),
    )
    return long.select(
        *by,
        "measure",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        pl.col("n").cast(pl.Int64),
        "population",
    )
