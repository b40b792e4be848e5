"""Inequality: Gini, Theil, generalised entropy, Atkinson, Palma, shares, Lorenz, quantiles.

Notation: welfare :math:`y_i \\ge 0`, weights :math:`w_i`, :math:`N = \\sum w_i`,
:math:`Y = \\sum w_i y_i`, :math:`\\mu = Y/N`, all within a group. Each measure comes with
its linearised variable :math:`u_i = \\partial \\hat\\theta / \\partial w_i` so that the
design kernel gives its standard error.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Unpack

import polars as pl

from mekong.measure._common import FrameLike, Options, document, fmt, split_options
from mekong.measure._design import W, attach, group_agg, over, sort_by_keys
from mekong.measure._engine import (
    Aggregation,
    Check,
    Estimator,
    LinearForm,
    N,
    Prepared,
    prepare,
    run,
)
from mekong.measure._gini import gini_agg
from mekong.measure._sort import sort_within_groups
from mekong.measure.errors import MeasureError

__all__ = [
    "GiniEstimator",
    "MomentEstimator",
    "QuantileEstimator",
    "atkinson",
    "ge",
    "generalised_lorenz",
    "gini",
    "inequality",
    "is_inequality_measure",
    "lorenz",
    "palma",
    "quantile_ratio",
    "quantile_share",
    "theil",
]

Y = "_mk_y"
GiniCorrection = Literal["none", "small_sample"]


# --------------------------------------------------------------------------- parsing


def _moment_kind(name: str) -> tuple[str, float] | None:
    if name == "mean":
        return "mean", 0.0
    if name == "theil_t":
        return "ge", 1.0
    if name == "theil_l":
        return "ge", 0.0
    for prefix in ("ge", "atkinson"):
        if name.startswith(prefix):
            try:
                return prefix, float(name[len(prefix) :])
            except ValueError:
                return None
    return None


def _quantile_kind(name: str) -> tuple[str, tuple[float, ...]] | None:
    fixed = {
        "palma": ("ratio", (0.9, 1.0, 0.0, 0.4)),
        "s80_s20": ("ratio", (0.8, 1.0, 0.0, 0.2)),
        "s90_s10": ("ratio", (0.9, 1.0, 0.0, 0.1)),
        "p90_p10": ("qratio", (0.9, 0.1)),
        "p90_p50": ("qratio", (0.9, 0.5)),
        "p50_p10": ("qratio", (0.5, 0.1)),
    }
    if name in fixed:
        return fixed[name]
    parts = name.split("_")
    try:
        if parts[0] == "share" and len(parts) == 3:
            lo, hi = float(parts[1]), float(parts[2])
            if 0 <= lo < hi <= 1:
                return "share", (lo, hi)
        if parts[0] in ("lorenz", "glorenz", "quantile") and len(parts) == 2:
            p = float(parts[1])
            if 0 <= p <= 1:
                return parts[0], (p,)
    except ValueError:
        return None
    return None


def is_inequality_measure(name: str) -> bool:
    """Whether ``name`` is a measure of this module."""
    return name == "gini" or _moment_kind(name) is not None or _quantile_kind(name) is not None


def _needs_positive(name: str) -> bool:
    kind = _moment_kind(name)
    if kind is None:
        return False
    k, a = kind
    return (k == "ge" and a <= 0) or (k == "atkinson" and a >= 1)


# --------------------------------------------------------------------------- estimators


@dataclass(frozen=True)
class GiniEstimator:
    """Weighted Gini coefficient of welfare (measure ``"gini"``).

    Rows are sorted once by group and welfare (a multi-threaded global sort); the
    estimate and the linearised variable both come from cumulative sums on that order.
    """

    correction: GiniCorrection = "none"
    names: tuple[str, ...] = ("gini",)

    def _factor(self) -> pl.Expr:
        if self.correction == "none":
            return pl.lit(1.0)
        n = pl.len().cast(pl.Float64)
        return n / (n - 1)

    def prepare_rows(self, lf: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
        w = pl.col(W)
        # Sorted by welfare alone (numpy's sort of packed keys): group_by() and over()
        # keep that order within every group.
        return (
            sort_within_groups(lf, Y, None)
            .with_columns(
                over(w.cum_sum(), keys).alias("_mk_gnc"),
                over((w * pl.col(Y)).cum_sum(), keys).alias("_mk_gyc"),
            )
            .collect()
            .lazy()
        )

    def aggregation(self) -> Aggregation:
        """The Gini's totals from cumulative sums over rows sorted by welfare."""
        aggs = gini_agg(pl.col(Y), pl.col(W), "_mk_g", presorted=True)
        return Aggregation(
            aggs=[*aggs, self._factor().alias("_mk_gf")],
            finish=[(pl.col("_mk_gG") * pl.col("_mk_gf")).alias("gini")],
            order=Y,
        )

    def linear_form(self, keys: list[str]) -> LinearForm:
        """The Gini from cumulative sums on rows sorted by welfare, in totals.

        With :math:`N_i, Y_i` the cumulative weight and weighted welfare in ascending
        order and :math:`D = \\sum_i w_i (N_i y_i - Y_i)`, :math:`G = D / (NY)`: since
        :math:`\\sum_i w_i Y_i = NY - \\sum_i w_i y_i N_i + \\sum_i w_i^2 y_i`,
        :math:`D = \\sum_i w_i y_i (2 N_i - w_i) - NY`, the numerator of
        :func:`~mekong.measure._gini.gini_agg` less :math:`NY`. The linearised variable
        (Langel & Tillé 2013, eq. 9) is linear in three row values,

        .. math:: u_i = \\frac{2}{NY} (N_i y_i - Y_i) + \\frac{1 - G}{N}
                       - \\frac{1 + G}{Y} y_i,

        times the small-sample factor (which depends on the row count only).
        """
        w, y = pl.col(W), pl.col(Y)
        del keys
        nk, yk = pl.col("_mk_gnc"), pl.col("_mk_gyc")
        cumulative = {"_mk_gnc": w, "_mk_gyc": w * y}
        totals = {"_mk_gN": pl.lit(1.0), "_mk_gY": y, "_mk_gD": nk * y - yk}
        n_tot, y_tot, d = pl.col("_mk_gN"), pl.col("_mk_gY"), pl.col("_mk_gD")
        if self.correction == "none":
            factor = pl.lit(1.0)
        else:
            n = pl.col(N)
            factor = n / (n - 1)
        ok = y_tot > 0
        g = pl.when(ok).then(d / (n_tot * y_tot)).otherwise(0.0)
        finish = [g.alias("_mk_gG"), factor.alias("_mk_gf"), (g * factor).alias("gini")]
        gg, f = pl.col("_mk_gG"), pl.col("_mk_gf")

        def coef(e: pl.Expr) -> pl.Expr:
            return pl.when(ok).then(e * f).otherwise(0.0)

        influence = {
            "gini": {
                "_mk_gD": coef(2 / (n_tot * y_tot)),
                "_mk_gN": coef((1 - gg) / n_tot),
                "_mk_gY": coef(-(1 + gg) / y_tot),
            }
        }
        return LinearForm(
            totals=totals, finish=finish, influence=influence, cumulative=cumulative, order=Y
        )

    def estimate(self, lf: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
        agg = self.aggregation()
        aggs = agg.aggs
        if "_mk_gnc" in lf.collect_schema().names():
            # Rows from prepare_rows: reuse the cumulative weights of the influence step.
            cum = gini_agg(pl.col(Y), pl.col(W), "_mk_g", cum_w=pl.col("_mk_gnc"))
            aggs = [*cum, self._factor().alias("_mk_gf")]
        else:
            lf = lf.sort(sort_by_keys(keys, Y))
        return group_agg(lf, keys, aggs).with_columns(agg.finish)

    def influence(self, lf: pl.LazyFrame, keys: list[str], est: pl.LazyFrame) -> pl.LazyFrame:
        rows = attach(lf, est, keys, ["_mk_gN", "_mk_gY", "_mk_gG", "_mk_gf"])
        y, nk, yk = pl.col(Y), pl.col("_mk_gnc"), pl.col("_mk_gyc")
        n, yt, g = pl.col("_mk_gN"), pl.col("_mk_gY"), pl.col("_mk_gG")
        # Langel & Tillé (2013), eq. 9; see mekong.measure._gini.gini_rows.
        u = (2 * (nk * y - yk) + yt - n * y - g * (yt + n * y)) / (n * yt)
        u = pl.when(yt > 0).then(u).otherwise(0.0) * pl.col("_mk_gf")
        return rows.with_columns(u.alias("gini"))


@dataclass(frozen=True)
class MomentEstimator:
    """Mean, generalised entropy (incl. Theil T and L) and Atkinson indices."""

    names: tuple[str, ...]

    def _parts(self) -> list[tuple[str, str, float]]:
        out = []
        for name in self.names:
            kind = _moment_kind(name)
            assert kind is not None
            out.append((name, kind[0], kind[1]))
        return out

    def _powers(self) -> list[float]:
        """Exponents a whose totals S_a = sum w y^a are needed."""
        pw: list[float] = []
        for _, kind, a in self._parts():
            if kind == "ge" and a not in (0.0, 1.0):
                pw.append(a)
            if kind == "atkinson" and a != 1.0:
                pw.append(1 - a)
        return list(dict.fromkeys(pw))

    def _aggs(self) -> list[pl.Expr]:
        w, y = pl.col(W), pl.col(Y)
        aggs = [w.sum().alias("_mk_mN"), (w * y).sum().alias("_mk_mY")]
        for i, a in enumerate(self._powers()):
            aggs.append((w * y.pow(a)).sum().alias(f"_mk_mS{i}"))
        aggs.append((w * y.log()).sum().alias("_mk_mB"))
        ylogy = pl.when(y > 0).then(y * y.log()).otherwise(0.0)
        aggs.append((w * ylogy).sum().alias("_mk_mA"))
        return aggs

    def _s(self, a: float) -> pl.Expr:
        return pl.col(f"_mk_mS{self._powers().index(a)}")

    def _value(self, kind: str, a: float) -> pl.Expr:
        n, yt, b, at = pl.col("_mk_mN"), pl.col("_mk_mY"), pl.col("_mk_mB"), pl.col("_mk_mA")
        mu = yt / n
        if kind == "mean":
            return mu
        if kind == "ge":
            if a == 1.0:
                return at / yt - (yt / n).log()
            if a == 0.0:
                return (yt / n).log() - b / n
            ratio = self._s(a) * n.pow(a - 1) * yt.pow(-a)
            return (ratio - 1) / (a * (a - 1))
        if a == 1.0:
            return 1 - (b / n).exp() / mu
        return 1 - (self._s(1 - a) / n).pow(1 / (1 - a)) / mu

    def _u(self, kind: str, a: float) -> pl.Expr:
        n, yt, b, at = pl.col("_mk_mN"), pl.col("_mk_mY"), pl.col("_mk_mB"), pl.col("_mk_mA")
        y = pl.col(Y)
        mu = yt / n
        dmu = (y - mu) / n
        if kind == "mean":
            return dmu
        if kind == "ge":
            if a == 1.0:
                ylogy = pl.when(y > 0).then(y * y.log()).otherwise(0.0)
                return ylogy / yt - at * y / yt**2 - y / yt + 1 / n
            if a == 0.0:
                return y / yt - 1 / n - y.log() / n + b / n**2
            s = self._s(a)
            ratio = s * n.pow(a - 1) * yt.pow(-a)
            d = ratio * (y.pow(a) / s + (a - 1) / n - a * y / yt)
            return d / (a * (a - 1))
        if a == 1.0:
            m = (b / n).exp()
            dm = m * (y.log() - b / n) / n
        else:
            s = self._s(1 - a)
            m = (s / n).pow(1 / (1 - a))
            dm = m / (1 - a) * (y.pow(1 - a) / s - 1 / n)
        return -dm / mu + m * dmu / mu**2

    def aggregation(self) -> Aggregation:
        vals = [self._value(k, a).alias(name) for name, k, a in self._parts()]
        return Aggregation(aggs=self._aggs(), finish=vals)

    def estimate(self, lf: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
        agg = self.aggregation()
        return group_agg(lf, keys, agg.aggs).with_columns(agg.finish)

    def influence(self, lf: pl.LazyFrame, keys: list[str], est: pl.LazyFrame) -> pl.LazyFrame:
        private = [c for c in est.collect_schema().names() if c.startswith("_mk_m")]
        rows = attach(lf, est, keys, private)
        return rows.with_columns([self._u(k, a).alias(name) for name, k, a in self._parts()])


@dataclass(frozen=True)
class QuantileEstimator:
    """Quantiles, quantile shares and ratios, Palma, Lorenz and generalised Lorenz ordinates.

    The Lorenz curve is the piecewise-linear curve of the weighted sample (a unit may be
    split at :math:`p`), so shares are exact for any weights:

    .. math:: L(p) = \\frac{1}{Y}\\Big[Y_{j-1} + (pN - N_{j-1})\\, y_{(j)}\\Big],
       \\quad j = \\min\\{i : N_i \\ge pN\\},

    and :math:`q_p = y_{(j)} = \\min\\{y : F(y) \\ge p\\}` (R ``convey``'s quantile).
    """

    names: tuple[str, ...]

    def _ps(self) -> list[float]:
        ps: list[float] = []
        for name in self.names:
            kq = _quantile_kind(name)
            assert kq is not None
            kind, args = kq
            if kind == "ratio":
                ps.extend([args[0], args[3]])
            elif kind == "share":
                ps.extend(args)
            else:
                ps.extend(args)
        return sorted(set(ps))

    @staticmethod
    def _col(prefix: str, p: float) -> str:
        return f"_mk_q{prefix}_{p!r}"

    def _aggs(self) -> list[pl.Expr]:
        w, y = pl.col(W), pl.col(Y)
        ws, ys = w.sort_by(y), y.sort_by(y)
        nc = ws.cum_sum()
        yc = (ws * ys).cum_sum()
        n_tot = nc.last()
        aggs = [n_tot.alias("_mk_qN"), yc.last().alias("_mk_qY")]
        for p in self._ps():
            target = p * n_tot
            if p == 0:
                part = pl.lit(0.0)
            elif p == 1:
                part = yc.last()
            else:
                j = (nc - ws < target) & (nc >= target)
                part = ((yc - ws * ys) + (target - (nc - ws)) * ys).filter(j).first()
            # Relative tolerance so that 0.1 * 30 units does not skip the third unit.
            jq = nc >= target * (1 - 1e-12)
            q = ys.filter(jq).first()
            aggs.append(part.alias(self._col("T", p)))
            aggs.append(q.alias(self._col("q", p)))
        return aggs

    def _value(self, name: str) -> pl.Expr:
        kq = _quantile_kind(name)
        assert kq is not None
        kind, args = kq
        n, yt = pl.col("_mk_qN"), pl.col("_mk_qY")

        def t(p: float) -> pl.Expr:
            return pl.col(self._col("T", p))

        if kind == "ratio":
            top, bottom = args[0], args[3]
            return (yt - t(top)) / t(bottom)
        if kind == "share":
            return (t(args[1]) - t(args[0])) / yt
        if kind == "lorenz":
            return t(args[0]) / yt
        if kind == "glorenz":
            return t(args[0]) / n
        if kind == "quantile":
            return pl.col(self._col("q", args[0]))
        return pl.col(self._col("q", args[0])) / pl.col(self._col("q", args[1]))

    def estimate(self, lf: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
        vals = [self._value(name).alias(name) for name in self.names]
        return group_agg(lf, keys, self._aggs()).with_columns(vals)

    def _needs_density(self) -> list[float]:
        ps: list[float] = []
        for name in self.names:
            kq = _quantile_kind(name)
            assert kq is not None
            if kq[0] in ("quantile", "qratio"):
                ps.extend(kq[1])
        return sorted(set(ps))

    def influence(self, lf: pl.LazyFrame, keys: list[str], est: pl.LazyFrame) -> pl.LazyFrame:
        w, y = pl.col(W), pl.col(Y)
        private = [c for c in est.collect_schema().names() if c.startswith("_mk_q")]
        dens_ps = self._needs_density()
        rows = attach(lf, est, keys, private)
        if dens_ps:
            rows = rows.join(_bandwidth(lf, keys), on=keys, how="left", nulls_equal=True)
        if dens_ps:
            h = pl.col("_mk_h")
            dens = [
                (w * (-0.5 * ((y - pl.col(self._col("q", p))) / h) ** 2).exp())
                .sum()
                .alias(self._col("f", p))
                for p in dens_ps
            ]
            fr = group_agg(rows, keys, dens)
            rows = rows.join(fr, on=keys, how="left", nulls_equal=True)
        n, yt = pl.col("_mk_qN"), pl.col("_mk_qY")

        def ut(p: float) -> pl.Expr:
            # Linearised partial total sum w y I(y <= q_p) (Osier 2009, Langel & Tillé 2011).
            if p == 0:
                return pl.lit(0.0)
            if p == 1:
                return y
            q = pl.col(self._col("q", p))
            return pl.when(y <= q).then(y - q).otherwise(0.0) + p * q

        def uq(p: float) -> pl.Expr:
            # -(I(y <= q) - p) / (N f(q)), f by a Gaussian kernel with bandwidth h.
            q = pl.col(self._col("q", p))
            f = pl.col(self._col("f", p)) / (n * pl.col("_mk_h") * math.sqrt(2 * math.pi))
            return -((y <= q).cast(pl.Float64) - p) / (n * f)

        def t(p: float) -> pl.Expr:
            return pl.col(self._col("T", p))

        out = []
        for name in self.names:
            kq = _quantile_kind(name)
            assert kq is not None
            kind, args = kq
            value = self._value(name)
            if kind == "ratio":
                top, bottom = args[0], args[3]
                u = ((y - ut(top)) - value * ut(bottom)) / t(bottom)
            elif kind == "share":
                u = (ut(args[1]) - ut(args[0]) - value * y) / yt
            elif kind == "lorenz":
                u = (ut(args[0]) - value * y) / yt
            elif kind == "glorenz":
                u = (ut(args[0]) - value) / n
            elif kind == "quantile":
                u = uq(args[0])
            else:
                q_top, q_bot = pl.col(self._col("q", args[0])), pl.col(self._col("q", args[1]))
                u = (uq(args[0]) - value * uq(args[1])) / q_bot
                del q_top
            out.append(u.alias(name))
        return rows.with_columns(out)


def _bandwidth(lf: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    """Silverman's rule, :math:`h = 0.9 \\min(\\sigma, IQR/1.34)\\, n^{-1/5}`, weighted."""
    w, y = pl.col(W), pl.col(Y)
    ws, ys = w.sort_by(y), y.sort_by(y)
    nc = ws.cum_sum()
    n_tot = nc.last()
    mu = (w * y).sum() / w.sum()
    sd = ((w * (y - mu) ** 2).sum() / w.sum()).sqrt()
    q1 = ys.filter(nc >= 0.25 * n_tot).first()
    q3 = ys.filter(nc >= 0.75 * n_tot).first()
    spread = pl.min_horizontal(sd, (q3 - q1) / 1.34)
    spread = pl.when(spread > 0).then(spread).otherwise(sd)
    h = 0.9 * spread * pl.len().cast(pl.Float64).pow(-0.2)
    return group_agg(lf, keys, [h.alias("_mk_h")])


# --------------------------------------------------------------------------- public API


def _estimators(names: Sequence[str], correction: GiniCorrection) -> list[Estimator]:
    moments = tuple(n for n in names if _moment_kind(n) is not None)
    quantiles = tuple(n for n in names if _quantile_kind(n) is not None)
    out: list[Estimator] = []
    if "gini" in names:
        out.append(GiniEstimator(correction=correction))
    if moments:
        out.append(MomentEstimator(names=moments))
    if quantiles:
        out.append(QuantileEstimator(names=quantiles))
    return out


def welfare_checks(welfare: str, names: Sequence[str]) -> list[Check]:
    """Validity rules on welfare for the requested inequality measures."""
    checks = [Check(welfare, pl.col(Y) < 0, "< 0 (welfare must be >= 0)")]
    positive = [n for n in names if _needs_positive(n)]
    if positive:
        checks.append(
            Check(welfare, pl.col(Y) <= 0, f"= 0, but {', '.join(positive)} need welfare > 0")
        )
    return checks


def _prepare(frame: FrameLike, welfare: str, names: Sequence[str], **kw: object) -> Prepared:
    return prepare(
        frame,
        inputs={Y: welfare},
        checks=welfare_checks(welfare, names),
        **kw,  # type: ignore[arg-type]
    )


@document
def inequality(
    frame: FrameLike,
    *,
    welfare: str,
    measures: Sequence[str] = ("gini", "theil_t", "theil_l", "palma"),
    gini_correction: GiniCorrection = "none",
    **options: Unpack[Options],
) -> pl.DataFrame:
    """Several inequality measures at once.

    Parameters
    ----------
    frame
        Polars DataFrame or LazyFrame.
    welfare
        Column of income or consumption per capita or per adult equivalent (>= 0).
    measures
        Any of ``"gini"``, ``"mean"``, ``"theil_t"``, ``"theil_l"``, ``"ge<alpha>"``,
        ``"atkinson<epsilon>"``, ``"palma"``, ``"s80_s20"``, ``"s90_s10"``,
        ``"p90_p10"``, ``"p90_p50"``, ``"p50_p10"``, ``"share_<p1>_<p2>"``,
        ``"lorenz_<p>"``, ``"glorenz_<p>"``, ``"quantile_<p>"``.
    gini_correction
        ``"none"`` (default): the standard weighted Gini; ``"small_sample"`` multiplies it
        by :math:`n/(n-1)` (:math:`n` sample rows; Deaton 1997, eq. 4.x).
    """
    names = tuple(dict.fromkeys(measures))
    for name in names:
        if not is_inequality_measure(name):
            raise MeasureError(f"unknown inequality measure {name!r}")
    prep_opts, run_opts = split_options(options)
    prep = _prepare(frame, welfare, names, **prep_opts)
    ests = _estimators(names, gini_correction)
    out = run(prep, ests, **run_opts)  # type: ignore[arg-type]
    return _reorder(out, names)


def _reorder(out: pl.DataFrame, names: Sequence[str]) -> pl.DataFrame:
    """Order rows by group, then by the requested order of measures."""
    by = [
        c
        for c in out.columns
        if c not in ("measure", "estimate", "se", "ci_low", "ci_high", "n", "population")
    ]
    order = pl.DataFrame({"measure": list(names), "_mk_o": list(range(len(names)))})
    return (
        out.with_row_index("_mk_r")
        .join(order, on="measure", how="left")
        .sort([*by, "_mk_o"] if by else ["_mk_o"], maintain_order=True)
        .drop("_mk_r", "_mk_o")
    )


@document
def gini(
    frame: FrameLike,
    *,
    welfare: str,
    correction: GiniCorrection = "none",
    **options: Unpack[Options],
) -> pl.DataFrame:
    """Weighted Gini coefficient (measure ``"gini"``).

    Parameters
    ----------
    frame, welfare
        As in :func:`inequality`.
    correction
        ``"none"`` (default) or ``"small_sample"`` (:math:`\\times n/(n-1)`).

    Notes
    -----
    The standard weighted Gini, half the relative mean absolute difference:

    .. math:: G = \\frac{\\sum_i \\sum_j w_i w_j |y_i - y_j|}{2 N Y}
                = \\frac{\\sum_i w_i y_i (2 N_i - w_i)}{N Y} - 1,

    :math:`N_i` the cumulative weight in ascending order of :math:`y` (computed by one sort
    per group and cumulative sums). Its linearised variable (Langel & Tillé 2013) is

    .. math:: u_k = \\frac{2 (N_k y_k - Y_k) + Y - N y_k - G (Y + N y_k)}{N Y}.

    References
    ----------
    Langel, M., Tillé, Y. (2013). Variance estimation of the Gini index: revisiting a
    result several times published. *J. R. Stat. Soc. A* 176(2), 521-540.

    Examples
    --------
    >>> import polars as pl
    >>> from mekong.measure import gini
    >>> gini(pl.DataFrame({"y": [1.0, 2.0, 3.0, 4.0]}), welfare="y")["estimate"][0]
    0.25
    """
    return inequality(
        frame, welfare=welfare, measures=("gini",), gini_correction=correction, **options
    )


@document
def theil(
    frame: FrameLike,
    *,
    welfare: str,
    kind: Literal["T", "L", "both"] = "both",
    **options: Unpack[Options],
) -> pl.DataFrame:
    """Theil indices T (``"theil_t"``, GE(1)) and L (``"theil_l"``, mean log deviation, GE(0)).

    Notes
    -----
    .. math:: T = \\frac{1}{N}\\sum_i w_i \\frac{y_i}{\\mu} \\ln\\frac{y_i}{\\mu}, \\qquad
              L = \\frac{1}{N}\\sum_i w_i \\ln\\frac{\\mu}{y_i}.

    :math:`T` takes :math:`0 \\ln 0 = 0`; :math:`L` needs :math:`y_i > 0`.

    References
    ----------
    Theil, H. (1967). *Economics and Information Theory*. North-Holland.
    """
    names = {"T": ("theil_t",), "L": ("theil_l",), "both": ("theil_t", "theil_l")}[kind]
    return inequality(frame, welfare=welfare, measures=names, **options)


@document
def ge(
    frame: FrameLike,
    *,
    welfare: str,
    alpha: float | Sequence[float] = (0, 1, 2),
    **options: Unpack[Options],
) -> pl.DataFrame:
    """Generalised entropy indices GE(:math:`\\alpha`), measures ``"ge<alpha>"``.

    Notes
    -----
    .. math:: GE(\\alpha) = \\frac{1}{\\alpha(\\alpha-1)}
              \\Big[\\frac{1}{N}\\sum_i w_i \\Big(\\frac{y_i}{\\mu}\\Big)^\\alpha - 1\\Big],

    with the limits GE(1) = Theil T and GE(0) = Theil L. :math:`\\alpha \\le 0` needs
    :math:`y > 0`. The linearised variable follows from writing GE as a function of the
    totals :math:`N`, :math:`Y` and :math:`S_\\alpha = \\sum w_i y_i^\\alpha`.

    References
    ----------
    Shorrocks, A. F. (1980). The class of additively decomposable inequality measures.
    *Econometrica* 48(3), 613-625.
    """
    alphas = [alpha] if isinstance(alpha, int | float) else list(alpha)
    names = [f"ge{fmt(a)}" for a in alphas]
    return inequality(frame, welfare=welfare, measures=names, **options)


@document
def atkinson(
    frame: FrameLike,
    *,
    welfare: str,
    epsilon: float | Sequence[float] = (0.5, 1, 2),
    **options: Unpack[Options],
) -> pl.DataFrame:
    """Atkinson indices for inequality aversion :math:`\\varepsilon`, ``"atkinson<eps>"``.

    Notes
    -----
    .. math:: A(\\varepsilon) = 1 - \\frac{1}{\\mu}
              \\Big[\\frac{1}{N}\\sum_i w_i y_i^{1-\\varepsilon}\\Big]^{1/(1-\\varepsilon)},
              \\qquad A(1) = 1 - \\frac{1}{\\mu}\\exp\\Big(\\frac{1}{N}\\sum_i w_i\\ln y_i\\Big).

    :math:`\\varepsilon \\ge 1` needs :math:`y > 0`.

    References
    ----------
    Atkinson, A. B. (1970). On the measurement of inequality. *J. Econ. Theory* 2(3),
    244-263.
    """
    eps = [epsilon] if isinstance(epsilon, int | float) else list(epsilon)
    if any(e < 0 for e in eps):
        raise MeasureError(f"epsilon must be >= 0, got {eps}")
    names = [f"atkinson{fmt(e)}" for e in eps]
    return inequality(frame, welfare=welfare, measures=names, **options)


@document
def palma(frame: FrameLike, *, welfare: str, **options: Unpack[Options]) -> pl.DataFrame:
    """Palma ratio: share of the top 10 % over share of the bottom 40 % (``"palma"``).

    Notes
    -----
    .. math:: \\text{Palma} = \\frac{1 - L(0.9)}{L(0.4)},

    with :math:`L` the weighted Lorenz curve (see :func:`lorenz`). Linearised with the
    partial-total influence :math:`(y - q_p) I(y \\le q_p) + p\\, q_p` of
    :math:`\\sum w y I(y \\le q_p)` (Langel & Tillé 2011), no density needed.

    References
    ----------
    Cobham, A., Sumner, A. (2013). Is it all about the tails? The Palma measure of income
    inequality. CGD Working Paper 343.
    """
    return inequality(frame, welfare=welfare, measures=("palma",), **options)


@document
def quantile_share(
    frame: FrameLike,
    *,
    welfare: str,
    ratios: Sequence[str] = ("s80_s20",),
    shares: Sequence[tuple[float, float]] = (),
    **options: Unpack[Options],
) -> pl.DataFrame:
    """Income shares of quantile groups and share ratios (S80/S20, S90/S10).

    Parameters
    ----------
    ratios
        Share ratios, ``"s80_s20"`` and/or ``"s90_s10"``.
    shares
        ``(p1, p2)`` pairs; each gives ``"share_<p1>_<p2>" = L(p2) - L(p1)``, e.g.
        ``(0.0, 0.2)`` for the bottom quintile's share.

    Notes
    -----
    .. math:: S80/S20 = \\frac{1 - L(0.8)}{L(0.2)}.

    References
    ----------
    Langel, M., Tillé, Y. (2011). Statistical inference for the quintile share ratio.
    *J. Stat. Plan. Inference* 141(8), 2976-2985.
    """
    names = [*ratios, *(f"share_{fmt(a)}_{fmt(b)}" for a, b in shares)]
    return inequality(frame, welfare=welfare, measures=names, **options)


@document
def quantile_ratio(
    frame: FrameLike,
    *,
    welfare: str,
    ratios: Sequence[str] = ("p90_p10",),
    **options: Unpack[Options],
) -> pl.DataFrame:
    """Quantile ratios ``"p90_p10"``, ``"p90_p50"``, ``"p50_p10"``.

    Notes
    -----
    :math:`q_p = \\min\\{y: F(y) \\ge p\\}`. Linearised with
    :math:`u_{q_p} = -(I(y \\le q_p) - p)/(N \\hat f(q_p))`, :math:`\\hat f` a weighted
    Gaussian-kernel density with Silverman's bandwidth; for these non-smooth statistics
    ``variance="bootstrap"`` is the safer choice.

    References
    ----------
    Osier, G. (2009). Variance estimation for complex indicators of poverty and
    inequality using linearization techniques. *Survey Research Methods* 3(3), 167-195.
    """
    return inequality(frame, welfare=welfare, measures=ratios, **options)


@document
def lorenz(
    frame: FrameLike,
    *,
    welfare: str,
    points: Sequence[float] = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9),
    **options: Unpack[Options],
) -> pl.DataFrame:
    """Lorenz ordinates :math:`L(p)`, measures ``"lorenz_<p>"``.

    Notes
    -----
    :math:`L(p)` is the share of total welfare held by the poorest fraction :math:`p` of
    the (weighted) population, from the piecewise-linear Lorenz curve of the sample:

    .. math:: L(p) = \\frac{1}{Y}\\Big[Y_{j-1} + (pN - N_{j-1})\\, y_{(j)}\\Big],
       \\quad j = \\min\\{i : N_i \\ge pN\\}.

    References
    ----------
    Lorenz, M. O. (1905). Methods of measuring the concentration of wealth.
    *Publ. Am. Stat. Assoc.* 9(70), 209-219.
    """
    names = [f"lorenz_{fmt(p)}" for p in points]
    return inequality(frame, welfare=welfare, measures=names, **options)


@document
def generalised_lorenz(
    frame: FrameLike,
    *,
    welfare: str,
    points: Sequence[float] = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9),
    **options: Unpack[Options],
) -> pl.DataFrame:
    """Generalised Lorenz ordinates :math:`GL(p) = \\mu L(p)`, measures ``"glorenz_<p>"``.

    References
    ----------
    Shorrocks, A. F. (1983). Ranking income distributions. *Economica* 50(197), 3-17.
    """
    names = [f"glorenz_{fmt(p)}" for p in points]
    return inequality(frame, welfare=welfare, measures=names, **options)
