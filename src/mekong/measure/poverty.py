"""Monetary poverty: FGT family, number of poor, Watts, Sen and Sen-Shorrocks-Thon.

All measures compare welfare :math:`y_i` (income or consumption per capita or per adult
equivalent) with a poverty line :math:`z` (a number, or a column for lines that differ by
region or household). With survey weights :math:`w_i` (household weight x size for
person-level measures) and :math:`N = \\sum_i w_i` over the group:

* poor means :math:`y_i < z` (the World Bank's rule) or, with ``poor_if="at_or_below"``,
  :math:`y_i \\le z` (R ``convey``'s rule);
* :math:`g_i = (z - y_i)/z` for the poor and 0 otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Unpack

import polars as pl

from mekong.measure._common import (
    By,
    Design,
    FrameLike,
    Options,
    PoorIf,
    document,
    fmt,
    split_options,
)
from mekong.measure._design import W, attach, group_agg
from mekong.measure._engine import Aggregation, Check, LinearForm, Prepared, prepare, run
from mekong.measure._gini import gini_agg, gini_rows
from mekong.measure.errors import MeasureError

__all__ = ["PovertyEstimator", "fgt", "poor_count", "poverty", "sen", "sst", "watts"]

Y = "_mk_y"
Z = "_mk_z"

POVERTY_MEASURES = ("poor", "watts", "sen", "gini_poor", "sst")


def _parse(name: str) -> tuple[str, float]:
    if name.startswith("fgt"):
        alpha = float(name[3:])
        if not math.isfinite(alpha) or alpha < 0:
            raise MeasureError(f"measure {name!r}: the FGT alpha must be a number >= 0")
        return "fgt", alpha
    if name in POVERTY_MEASURES:
        return name, 0.0
    raise ValueError(name)


def is_poverty_measure(name: str) -> bool:
    """Whether ``name`` is a measure of this module (``fgt<alpha>``, ``watts``, ...);
    raises :class:`MeasureError` for an FGT with a negative or non-finite alpha."""
    try:
        _parse(name)
    except MeasureError:
        raise
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class PovertyEstimator:
    """Estimator for any set of poverty measures sharing one line and one rule."""

    names: tuple[str, ...]
    line: float | str
    poor_if: PoorIf = "below"

    def _poor(self) -> pl.Expr:
        y, z = pl.col(Y), line_expr(self.line)
        return (y < z) if self.poor_if == "below" else (y <= z)

    def _gap(self) -> pl.Expr:
        """The normalised gap :math:`(z - y)/z` of the poor, 0 for everyone else.

        Clipping at 0 gives the same values under either rule (at :math:`y = z` the gap
        is 0) without a conditional, which evaluates both branches anyway.
        """
        z = line_expr(self.line)
        return ((z - pl.col(Y)) / z).clip(lower_bound=0.0)

    def _row_value(self, name: str) -> pl.Expr:
        kind, alpha = _parse(name)
        if kind == "fgt":
            if alpha == 0:
                return self._poor().cast(pl.Float64)
            gap = self._gap()
            # Products instead of pow() for the usual alphas: 10x cheaper per row.
            if alpha == 1:
                return gap
            if alpha == 2:
                return gap * gap
            return gap.pow(alpha)
        if kind == "watts":
            # log(z / y) below the line, log(1) = 0 at or above it, under either rule.
            return (line_expr(self.line) / pl.col(Y)).clip(lower_bound=1.0).log()
        if kind == "poor":
            return self._poor().cast(pl.Float64)
        raise AssertionError(name)

    @property
    def order_preserving(self) -> bool:
        """Sen and SST sort rows for their Gini parts; the rest keep the input order."""
        return not (self._needs_gini_poor or "sst" in self.names)

    @property
    def _needs_gini_poor(self) -> bool:
        return "sen" in self.names or "gini_poor" in self.names

    def aggregation(self) -> Aggregation:
        """Totals (private ``_mk_p*``/``_mk_g*`` columns, kept for the influence step) and
        the measures computed from them; any row order will do."""
        w = pl.col(W)
        aggs: list[pl.Expr] = [w.sum().alias("_mk_pN")]
        for name in self._totals_needed():
            aggs.append((w * self._row_value(name)).sum().alias(f"_mk_pT_{name}"))
        if self._needs_gini_poor:
            poor_w = w * self._poor().cast(pl.Float64)
            aggs.extend(gini_agg(pl.col(Y), poor_w, "_mk_gp"))
        if "sst" in self.names:
            aggs.extend(gini_agg(self._gap(), w, "_mk_gg"))
        return Aggregation(aggs=aggs, finish=self._finish())

    def linear_form(self, keys: list[str]) -> LinearForm | None:
        """FGT, Watts and the number of poor are ratios of totals (or totals):
        :math:`u_i = (v_i - P)/N = v_i/N - (P/N) \\cdot 1`; Sen and SST need sorted
        Ginis of other variables, so they take the per-row path."""
        del keys
        if not self.order_preserving:
            return None
        totals: dict[str, pl.Expr] = {"_mk_pN": pl.lit(1.0)}
        for name in self._totals_needed():
            totals[f"_mk_pT_{name}"] = self._row_value(name)
        n = pl.col("_mk_pN")
        influence: dict[str, dict[str, pl.Expr]] = {}
        for name in self.names:
            t = f"_mk_pT_{name}"
            if name == "poor":
                influence[name] = {t: pl.lit(1.0)}
            else:
                influence[name] = {t: 1 / n, "_mk_pN": -pl.col(t) / n**2}
        return LinearForm(totals=totals, finish=self._finish(), influence=influence)

    def estimate(self, lf: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
        agg = self.aggregation()
        return group_agg(lf, keys, agg.aggs).with_columns(agg.finish)

    def _totals_needed(self) -> list[str]:
        need: list[str] = []
        for name in self.names:
            kind, _ = _parse(name)
            if kind in ("fgt", "watts", "poor"):
                need.append(name)
            elif kind in ("sen", "gini_poor", "sst"):
                need.extend(["fgt0", "fgt1"])
        return list(dict.fromkeys(need))

    def _finish(self) -> list[pl.Expr]:
        n = pl.col("_mk_pN")
        exprs: list[pl.Expr] = []
        p0, p1 = pl.col("_mk_pT_fgt0") / n, pl.col("_mk_pT_fgt1") / n
        for name in self.names:
            kind, _ = _parse(name)
            if kind == "poor":
                exprs.append(pl.col("_mk_pT_poor").alias(name))
            elif kind in ("fgt", "watts"):
                exprs.append((pl.col(f"_mk_pT_{name}") / n).alias(name))
            elif kind == "gini_poor":
                exprs.append(pl.col("_mk_gpG").alias(name))
            elif kind == "sen":
                gp = pl.col("_mk_gpG")
                exprs.append((p0 * gp + p1 * (1 - gp)).alias(name))
            elif kind == "sst":
                exprs.append((p1 * (1 + pl.col("_mk_ggG"))).alias(name))
        return exprs

    def influence(self, lf: pl.LazyFrame, keys: list[str], est: pl.LazyFrame) -> pl.LazyFrame:
        private = [c for c in est.collect_schema().names() if c.startswith(("_mk_p", "_mk_g"))]
        totals = self._totals_needed()
        rows = attach(lf, est, keys, private)
        n = pl.col("_mk_pN")
        u: dict[str, pl.Expr] = {}
        for name in totals:
            value = self._row_value(name)
            if name == "poor":
                u[name] = value
            else:
                u[name] = (value - pl.col(f"_mk_pT_{name}") / n) / n
        if self._needs_gini_poor:
            rows = gini_rows(rows, keys, pl.col(Y), self._poor(), "_mk_gp")
        if "sst" in self.names:
            rows = gini_rows(rows, keys, self._gap(), None, "_mk_gg")
        out: list[pl.Expr] = []
        for name in self.names:
            kind, _ = _parse(name)
            if kind in ("fgt", "watts", "poor"):
                out.append(u[name].alias(name))
            elif kind == "gini_poor":
                out.append(pl.col("_mk_gpu").alias(name))
            elif kind == "sen":
                # S = P0 G_p + P1 (1 - G_p): product rule on the three linearised variables.
                gp = pl.col("_mk_gpG")
                p0 = pl.col("_mk_pT_fgt0") / n
                p1 = pl.col("_mk_pT_fgt1") / n
                out.append(
                    (gp * u["fgt0"] + (1 - gp) * u["fgt1"] + (p0 - p1) * pl.col("_mk_gpu")).alias(
                        name
                    )
                )
            elif kind == "sst":
                gg = pl.col("_mk_ggG")
                p1 = pl.col("_mk_pT_fgt1") / n
                out.append(((1 + gg) * u["fgt1"] + p1 * pl.col("_mk_ggu")).alias(name))
        return rows.with_columns(out)


def _prepare(
    frame: FrameLike,
    *,
    welfare: str,
    line: float | str,
    names: Sequence[str],
    weight: str | None,
    size: str | None,
    by: By,
    design: Design | None,
) -> Prepared:
    inputs = {Y: welfare}
    z = line_expr(line)
    checks: list[Check] = [Check(welfare, pl.col(Y) < 0, "< 0 (welfare must be >= 0)")]
    if isinstance(line, str):
        inputs[Z] = line
        checks.append(Check(line, ~(pl.col(Z) > 0), "<= 0 (poverty lines must be > 0)"))
    elif not line > 0:
        raise MeasureError(f"the poverty line must be > 0, got {line}")
    if "watts" in names:
        checks.append(
            Check(
                welfare,
                (pl.col(Y) <= 0) & (pl.col(Y) < z),
                "= 0 below the line (Watts needs the log welfare of the poor)",
            )
        )
    return prepare(
        frame, inputs=inputs, by=by, weight=weight, size=size, design=design, checks=checks
    )


def line_expr(line: float | str) -> pl.Expr:
    """The poverty line as an expression: a literal, or the internal line column."""
    return pl.col(Z) if isinstance(line, str) else pl.lit(float(line))


@document
def poverty(
    frame: FrameLike,
    *,
    welfare: str,
    line: float | str,
    measures: Sequence[str] = ("fgt0", "fgt1", "fgt2", "watts"),
    poor_if: PoorIf = "below",
    **options: Unpack[Options],
) -> pl.DataFrame:
    """Several poverty measures in one pass over the data.

    Parameters
    ----------
    frame
        Polars DataFrame or LazyFrame, one row per household (or person).
    welfare
        Column of income or consumption per capita or per adult equivalent (>= 0).
    line
        Poverty line in the welfare's currency and unit: a number, or a column name for
        lines that differ by row (e.g. regional lines).
    measures
        Any of ``"fgt<alpha>"`` (e.g. ``"fgt0"``, ``"fgt1.5"``), ``"poor"`` (number of
        poor), ``"watts"``, ``"sen"``, ``"gini_poor"`` (Gini among the poor) and ``"sst"``.
    poor_if
        ``"below"`` (default, World Bank): poor if :math:`y < z`; ``"at_or_below"``
        (R ``convey``): poor if :math:`y \\le z`.
    """
    names = tuple(dict.fromkeys(measures))
    for name in names:
        if not is_poverty_measure(name):
            raise MeasureError(
                f"unknown poverty measure {name!r}; use fgt<alpha>, {', '.join(POVERTY_MEASURES)}"
            )
    prep_opts, run_opts = split_options(options)
    prep = _prepare(frame, welfare=welfare, line=line, names=names, **prep_opts)  # type: ignore[arg-type]
    est = PovertyEstimator(names=names, line=line, poor_if=poor_if)
    return run(prep, [est], **run_opts)  # type: ignore[arg-type]


@document
def fgt(
    frame: FrameLike,
    *,
    welfare: str,
    line: float | str,
    alpha: float | Sequence[float] = (0, 1, 2),
    poor_if: PoorIf = "below",
    **options: Unpack[Options],
) -> pl.DataFrame:
    """Foster-Greer-Thorbecke poverty measures :math:`P_\\alpha` for any :math:`\\alpha \\ge 0`.

    Parameters
    ----------
    frame, welfare, line, poor_if
        As in :func:`poverty`.
    alpha
        One or several poverty-aversion parameters; measures are named ``fgt<alpha>``.

    Notes
    -----
    .. math:: P_\\alpha = \\frac{1}{N} \\sum_i w_i\\, g_i^\\alpha\\, I_i,
       \\qquad g_i = \\frac{z - y_i}{z},

    with :math:`I_i` the poverty indicator. :math:`P_0` is the headcount ratio,
    :math:`P_1` the poverty gap index and :math:`P_2` the squared poverty gap (severity)
    index. :math:`P_\\alpha` is a ratio of two totals, so its linearised variable is
    :math:`u_i = (g_i^\\alpha I_i - P_\\alpha) / N`.

    References
    ----------
    Foster, J., Greer, J., Thorbecke, E. (1984). A class of decomposable poverty measures.
    *Econometrica* 52(3), 761-766.

    Haughton, J., Khandker, S. R. (2009). *Handbook on Poverty and Inequality*, ch. 4.
    World Bank.

    Examples
    --------
    The handbook's country C (Haughton & Khandker 2009, p. 70-72), line 125:

    >>> import polars as pl
    >>> from mekong.measure import fgt
    >>> data = pl.DataFrame({"exp": [100.0, 110.0, 150.0, 160.0]})
    >>> fgt(data, welfare="exp", line=125)["estimate"].round(4).to_list()
    [0.5, 0.08, 0.0136]
    """
    alphas = [alpha] if isinstance(alpha, int | float) else list(alpha)
    if any(a < 0 for a in alphas):
        raise MeasureError(f"alpha must be >= 0, got {alphas}")
    measures = [f"fgt{fmt(a)}" for a in alphas]
    return poverty(frame, welfare=welfare, line=line, measures=measures, poor_if=poor_if, **options)


@document
def poor_count(
    frame: FrameLike,
    *,
    welfare: str,
    line: float | str,
    poor_if: PoorIf = "below",
    **options: Unpack[Options],
) -> pl.DataFrame:
    """Number of poor, :math:`\\hat N_p = \\sum_i w_i I_i` (measure ``"poor"``).

    With ``size`` this counts persons. Being a total, its linearised variable is
    :math:`u_i = I_i`. Parameters as in :func:`poverty`.
    """
    return poverty(
        frame, welfare=welfare, line=line, measures=("poor",), poor_if=poor_if, **options
    )


@document
def watts(
    frame: FrameLike,
    *,
    welfare: str,
    line: float | str,
    poor_if: PoorIf = "below",
    **options: Unpack[Options],
) -> pl.DataFrame:
    """Watts index (measure ``"watts"``).

    Notes
    -----
    .. math:: W = \\frac{1}{N} \\sum_i w_i \\ln(z / y_i)\\, I_i,
       \\qquad u_i = (\\ln(z/y_i) I_i - W)/N.

    Welfare of the poor must be > 0. Parameters as in :func:`poverty`.

    References
    ----------
    Watts, H. W. (1968). An economic definition of poverty. In D. P. Moynihan (ed.),
    *On Understanding Poverty*. Basic Books.
    """
    return poverty(
        frame, welfare=welfare, line=line, measures=("watts",), poor_if=poor_if, **options
    )


@document
def sen(
    frame: FrameLike,
    *,
    welfare: str,
    line: float | str,
    poor_if: PoorIf = "below",
    **options: Unpack[Options],
) -> pl.DataFrame:
    """Sen poverty index, with the Gini of the poor (measures ``"sen"``, ``"gini_poor"``).

    Notes
    -----
    .. math:: S = P_0 G_p + P_1 (1 - G_p)
                = P_0 \\Big[1 - (1 - G_p) \\frac{\\mu_p}{z}\\Big],

    with :math:`G_p` the weighted Gini of welfare among the poor and :math:`\\mu_p` their
    mean (the replication-invariant form in Haughton & Khandker 2009, eq. 4.9). By
    convention :math:`G_p = 0` when nobody is poor. The linearised variable is
    :math:`G_p u_{P_0} + (1 - G_p) u_{P_1} + (P_0 - P_1) u_{G_p}`, with :math:`u_{G_p}`
    the Gini's linearised variable on the (fixed) domain of the poor.

    References
    ----------
    Sen, A. (1976). Poverty: an ordinal approach to measurement. *Econometrica* 44(2),
    219-231.
    """
    return poverty(
        frame,
        welfare=welfare,
        line=line,
        measures=("sen", "gini_poor"),
        poor_if=poor_if,
        **options,
    )


@document
def sst(
    frame: FrameLike,
    *,
    welfare: str,
    line: float | str,
    poor_if: PoorIf = "below",
    **options: Unpack[Options],
) -> pl.DataFrame:
    """Sen-Shorrocks-Thon index (measure ``"sst"``).

    Notes
    -----
    .. math:: SST = P_0 \\cdot \\bar g_p \\cdot (1 + G_g) = P_1 (1 + G_g),

    with :math:`\\bar g_p` the mean gap ratio of the poor and :math:`G_g` the Gini of the
    gap ratios :math:`g_i` over the whole population (zeros for the non-poor). Its
    linearised variable is :math:`(1 + G_g) u_{P_1} + P_1 u_{G_g}`.

    References
    ----------
    Shorrocks, A. F. (1995). Revisiting the Sen poverty index. *Econometrica* 63(5),
    1225-1230.
    Osberg, L., Xu, K. (2000). International comparisons of poverty intensity: index
    decomposition and bootstrap inference. *J. Human Resources* 35(1), 51-81.
    """
    return poverty(frame, welfare=welfare, line=line, measures=("sst",), poor_if=poor_if, **options)
