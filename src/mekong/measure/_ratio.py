"""Ratios of weighted totals, the shape of most poverty and MPI measures."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from mekong.measure._design import W

__all__ = ["RatioEstimator"]


@dataclass(frozen=True)
class RatioEstimator:
    """Measures :math:`R = \\sum_i w_i a_i / \\sum_i w_i b_i` within each group.

    The linearised variable of a ratio of totals is
    :math:`u_i = (a_i - R\\, b_i) / \\sum_j w_j b_j`. A ratio with a zero denominator is
    null (e.g. the intensity :math:`A` of a group without poor people).
    """

    names: tuple[str, ...]
    numerators: tuple[pl.Expr, ...]
    denominators: tuple[pl.Expr, ...]

    def _aggs(self) -> list[pl.Expr]:
        w = pl.col(W)
        out = []
        for i, (a, b) in enumerate(zip(self.numerators, self.denominators, strict=True)):
            out.append((w * a).sum().alias(f"_mk_ra{i}"))
            out.append((w * b).sum().alias(f"_mk_rb{i}"))
        return out

    def _ratio(self, i: int) -> pl.Expr:
        a, b = pl.col(f"_mk_ra{i}"), pl.col(f"_mk_rb{i}")
        return pl.when(b != 0).then(a / b).otherwise(None)

    def estimate(self, lf: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
        vals = [self._ratio(i).alias(n) for i, n in enumerate(self.names)]
        return lf.group_by(keys).agg(self._aggs()).select(*keys, *vals)

    def influence(self, lf: pl.LazyFrame, keys: list[str], est: pl.LazyFrame) -> pl.LazyFrame:
        groups = lf.group_by(keys).agg(self._aggs())
        rows = lf.join(groups, on=keys, how="left", nulls_equal=True)
        us = []
        for i, (n, a, b) in enumerate(
            zip(self.names, self.numerators, self.denominators, strict=True)
        ):
            denom = pl.col(f"_mk_rb{i}")
            u = (a - self._ratio(i) * b) / denom
            us.append(pl.when(denom != 0).then(u).otherwise(0.0).alias(n))
        return rows.with_columns(us)
