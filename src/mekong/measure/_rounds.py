"""Two survey rounds: per-PSU weighted totals and the variance of a function of both.

A change measure :math:`\\theta(T_0, T_1)` is a smooth function of weighted totals
:math:`T_{tb} = \\sum_{i \\in t} w_i b(i)` of a few row values :math:`b` ("basis") of
each round :math:`t`. Its linearised variable on a row of round :math:`t` is

.. math:: u_i = \\sum_b c_{tb}\\, b(i), \\qquad c_{tb} = \\partial\\theta/\\partial T_{tb},

so the PSU totals the variance kernel needs, :math:`z_{hj} = \\sum_{i \\in (h, j)} w_i u_i
= \\sum_b c_{tb} B_{hjb}`, are combinations of the per-PSU sums :math:`B_{hjb}` of the
basis: the rows are read once, and the kernel of :mod:`mekong.measure._design` does the
rest.

* Independent samples (different households each round): the rounds' variances add.
* Panel (the same PSUs in both rounds): the two rounds' :math:`z_{hj}` are added per
  (stratum, PSU) before the kernel squares them, so the covariance between rounds counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import polars as pl

from mekong.measure._design import (
    ALL,
    FPC,
    PSU,
    Design,
    W,
    design_table,
    group_sum_by,
    variance_from_psu_totals,
)
from mekong.measure.errors import DesignError, MeasureError

__all__ = ["Linearised", "Round", "Samples", "basis_sums", "check_designs", "round_variance"]

Samples = Literal["independent", "panel"]


@dataclass(frozen=True)
class Round:
    """One round's prepared rows (internal column names, materialised) and its design."""

    lf: pl.LazyFrame
    design: Design | None


@dataclass(frozen=True)
class Linearised:
    """An estimate and its partial derivatives :math:`c_{tb}` with respect to the
    weighted totals ``(round, basis name)``; arithmetic follows the chain rule."""

    value: float
    coef: Mapping[tuple[int, str], float] = field(default_factory=dict)

    def _combine(self, other: Linearised, sign: float) -> Linearised:
        coef = dict(self.coef)
        for k, c in other.coef.items():
            coef[k] = coef.get(k, 0.0) + sign * c
        return Linearised(self.value + sign * other.value, coef)

    def __add__(self, other: Linearised) -> Linearised:
        return self._combine(other, 1.0)

    def __sub__(self, other: Linearised) -> Linearised:
        return self._combine(other, -1.0)

    def __rmul__(self, factor: float) -> Linearised:
        return Linearised(factor * self.value, {k: factor * c for k, c in self.coef.items()})

    def __mul__(self, other: Linearised) -> Linearised:
        """Product rule: :math:`d(ab) = b\\,da + a\\,db`."""
        return (
            (other.value * self)
            ._combine(self.value * other, 1.0)
            ._with_value(self.value * other.value)
        )

    def _with_value(self, value: float) -> Linearised:
        return Linearised(value, self.coef)

    def z(self, t: int, name: str) -> pl.Expr:
        """Its PSU total :math:`\\sum_b c_{tb} B_{hjb}` in round ``t``, from basis columns."""
        parts = [c * pl.col(b) for (r, b), c in self.coef.items() if r == t and c != 0.0]
        return (pl.sum_horizontal(parts) if parts else pl.lit(0.0)).alias(name)


def check_designs(design_before: Design | None, design_after: Design | None, samples: str) -> None:
    """Refuse a half-given design, an unknown ``samples`` and panel designs that cannot
    be matched PSU by PSU."""
    if samples not in ("independent", "panel"):
        raise MeasureError(f"samples must be 'independent' or 'panel', got {samples!r}")
    if (design_before is None) != (design_after is None):
        raise MeasureError(
            "give both design_before and design_after for standard errors, or neither"
        )
    if samples != "panel":
        return
    if design_before is None or design_after is None:
        raise MeasureError(
            "samples='panel' needs design_before and design_after: the PSU column is what "
            "links a PSU (or household) of one round to the same one in the other"
        )
    for d in (design_before, design_after):
        if d.psu is None:
            raise DesignError(
                "samples='panel' needs a psu column in both designs (the enumeration area, "
                "or the household id when households are sampled directly): without it "
                "rows of the two rounds cannot be matched"
            )
    same = (
        len(design_before.strata_columns) == len(design_after.strata_columns)
        and (design_before.fpc is None) == (design_after.fpc is None)
        and design_before.singleton == design_after.singleton
    )
    if not same:
        raise DesignError(
            "a panel's two designs must have the same number of strata columns, both or "
            "neither fpc, and the same singleton rule: they describe one sample"
        )


def basis_sums(
    rnd: Round, basis: Mapping[str, pl.Expr], by: list[str] | None = None
) -> pl.DataFrame:
    """:math:`\\sum_i w_i b(i)` of every basis value per (stratum, PSU, ``by``); the rows
    themselves for a design without PSUs; per ``by`` only (one row) without a design."""
    by = by or []
    values = [(pl.col(W) * e).alias(k) for k, e in basis.items()]
    d = rnd.design
    if d is not None and d.psu is None:
        return rnd.lf.select(*d.internal_strata(), *by, *values).collect()
    cols = [*by] if d is None else [*d.internal_strata(), PSU, *by]
    if not cols:
        return rnd.lf.select(v.sum() for v in values).collect()
    return group_sum_by(rnd.lf, cols, values, None).collect()


def _psu_columns(design: Design) -> list[str]:
    return [*design.internal_strata(), *([PSU] if design.psu is not None else [])]


def round_variance(
    z: tuple[pl.DataFrame, pl.DataFrame],
    rounds: tuple[Round, Round],
    names: list[str],
    samples: Samples,
) -> tuple[dict[str, float], float]:
    """Variances of the measures ``names`` and the design degrees of freedom.

    ``z[t]`` holds round ``t``'s PSU totals :math:`z_{hj}` of every measure (one row per
    stratum and PSU, or per row without PSUs). Independent samples: the kernel runs on
    each round with its own design and the variances (and degrees of freedom) add. Panel:
    the rounds' totals of the same (stratum, PSU) are summed first, so
    :math:`V = V_0 + V_1 + 2\\,C_{01}`, and :math:`n_h` counts the PSUs of either round.
    """
    d0, d1 = rounds[0].design, rounds[1].design
    assert d0 is not None
    assert d1 is not None
    if samples == "independent":
        total = dict.fromkeys(names, 0.0)
        df = 0.0
        for t, d in enumerate((d0, d1)):
            table = design_table(rounds[t].lf, d)
            var = _kernel(z[t], names, d, table)
            for n in names:
                total[n] += float(var[n][0])
            df += float(var["_mk_df"][0])
        return total, df
    cols = _psu_columns(d0)
    design_cols = [*cols, *([FPC] if d0.fpc is not None else [])]
    schemas = [r.lf.collect_schema() for r in rounds]
    for c in cols:
        t0, t1 = schemas[0][c], schemas[1][c]
        # Numbers of different widths compare as numbers; anything else (a string code in
        # one round, an integer in the other) would match "01" with 1 or nothing at all.
        if t0 != t1 and not (t0.is_numeric() and t1.is_numeric()):
            raise DesignError(
                "the two panel rounds code strata or PSUs with different types "
                f"({t0} and {t1}); give both rounds the same codes"
            )
    stacked = pl.concat(
        [z[0].select(*cols, *names), z[1].select(*cols, *names)], how="vertical_relaxed"
    )
    rows = pl.concat([r.lf.select(design_cols) for r in rounds], how="vertical_relaxed")
    combined = stacked.group_by(cols).agg(pl.col(n).sum() for n in names)
    table = design_table(rows, d0)
    var = _kernel(combined, names, d0, table)
    return {n: float(var[n][0]) for n in names}, float(var["_mk_df"][0])


def _kernel(z: pl.DataFrame, names: list[str], design: Design, table: pl.DataFrame) -> pl.DataFrame:
    totals = z.lazy().with_columns(pl.lit(0, dtype=pl.Int8).alias(ALL))
    return variance_from_psu_totals(totals, keys=[ALL], values=names, design=design, table=table)
