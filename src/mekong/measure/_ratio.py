"""Ratios of weighted totals, the shape of most poverty and MPI measures."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import polars as pl

from mekong.measure._design import W, attach, group_agg
from mekong.measure._engine import Aggregation

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
    #: Constant factors :math:`s` (ratio :math:`s \\sum w a / \\sum w b`), so that e.g.
    #: weighted contributions reuse the sum of their unweighted numerator.
    scales: tuple[float, ...] | None = None

    def _scale(self, i: int) -> float:
        return 1.0 if self.scales is None else self.scales[i]

    @cached_property
    def _layout(self) -> tuple[list[pl.Expr], list[int], list[int]]:
        """Distinct numerator/denominator expressions (each summed once) and, for each
        measure, the positions of its numerator and denominator among them."""
        unique: list[pl.Expr] = []

        def index(e: pl.Expr) -> int:
            for i, o in enumerate(unique):
                if e.meta.eq(o):
                    return i
            unique.append(e)
            return len(unique) - 1

        nums = [index(e) for e in self.numerators]
        dens = [index(e) for e in self.denominators]
        return unique, nums, dens

    def _unique(self) -> list[pl.Expr]:
        return self._layout[0]

    def _aggs(self) -> list[pl.Expr]:
        w = pl.col(W)
        return [(w * e).sum().alias(f"_mk_rt{i}") for i, e in enumerate(self._unique())]

    def _num(self, i: int) -> pl.Expr:
        return pl.col(f"_mk_rt{self._layout[1][i]}")

    def _den(self, i: int) -> pl.Expr:
        return pl.col(f"_mk_rt{self._layout[2][i]}")

    def _ratio(self, i: int) -> pl.Expr:
        a, b = self._num(i), self._den(i)
        return pl.when(b != 0).then(self._scale(i) * a / b).otherwise(None)

    def aggregation(self) -> Aggregation:
        """The distinct totals and the ratios from them, in any row order."""
        vals = [self._ratio(i).alias(n) for i, n in enumerate(self.names)]
        return Aggregation(aggs=self._aggs(), finish=vals)

    def estimate(self, lf: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
        agg = self.aggregation()
        return group_agg(lf, keys, agg.aggs).with_columns(agg.finish)

    def influence(self, lf: pl.LazyFrame, keys: list[str], est: pl.LazyFrame) -> pl.LazyFrame:
        private = [c for c in est.collect_schema().names() if c.startswith("_mk_r")]
        rows = attach(lf, est, keys, private)
        us = []
        for i, (n, a, b) in enumerate(
            zip(self.names, self.numerators, self.denominators, strict=True)
        ):
            denom = self._den(i)
            u = (self._scale(i) * a - self._ratio(i) * b) / denom
            us.append(pl.when(denom != 0).then(u).otherwise(0.0).alias(n))
        return rows.with_columns(us)
