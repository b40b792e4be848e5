"""Concentration index of any outcome ranked by welfare."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Unpack

import polars as pl

from mekong.measure._common import FrameLike, Options, document, split_options
from mekong.measure._design import W, group_agg, over, sort_by_keys
from mekong.measure._engine import Check, prepare, run

__all__ = ["ConcentrationEstimator", "concentration_index"]

Y = "_mk_y"
H = "_mk_h"


@dataclass(frozen=True)
class ConcentrationEstimator:
    """Weighted concentration index of ``_mk_h`` ranked by ``_mk_y`` (``"concentration"``)."""

    names: tuple[str, ...] = ("concentration",)
    order_preserving: bool = False

    @staticmethod
    def _ranked(lf: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
        w, h = pl.col(W), pl.col(H)
        tie = [*keys, Y]
        lf = lf.sort(sort_by_keys(keys, Y)).with_columns(
            over(w.cum_sum(), keys).alias("_mk_nc"), over((w * h).cum_sum(), keys).alias("_mk_hc")
        )
        return lf.with_columns(
            (pl.col("_mk_nc") - w).min().over(tie).alias("_mk_nlt"),
            w.sum().over(tie).alias("_mk_wt"),
            pl.col("_mk_hc").last().over(tie).alias("_mk_hle"),
            (w * h).sum().over(tie).alias("_mk_ht"),
            over(w.sum(), keys).alias("_mk_N"),
            over((w * h).sum(), keys).alias("_mk_H"),
        )

    def estimate(self, lf: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
        w, h = pl.col(W), pl.col(H)
        q = (w * h * (2 * pl.col("_mk_nlt") + pl.col("_mk_wt"))).sum()
        n, ht = pl.col("_mk_N").first(), pl.col("_mk_H").first()
        value = pl.when(ht != 0).then(q / (n * ht) - 1).otherwise(None)
        return group_agg(self._ranked(lf, keys), keys, [value.alias("concentration")])

    def influence(self, lf: pl.LazyFrame, keys: list[str], est: pl.LazyFrame) -> pl.LazyFrame:
        rows = self._ranked(lf, keys).join(
            est.select(*keys, "concentration"), on=keys, how="left", nulls_equal=True
        )
        h = pl.col(H)
        n, ht, c = pl.col("_mk_N"), pl.col("_mk_H"), pl.col("concentration")
        dq = (
            h * (2 * pl.col("_mk_nlt") + pl.col("_mk_wt"))
            + 2 * (ht - pl.col("_mk_hle"))
            + pl.col("_mk_ht")
        )
        u = (dq - (c + 1) * (ht + n * h)) / (n * ht)
        return rows.with_columns(pl.when(ht != 0).then(u).otherwise(0.0).alias("concentration"))


@document
def concentration_index(
    frame: FrameLike,
    *,
    outcome: str,
    rank_by: str,
    **options: Unpack[Options],
) -> pl.DataFrame:
    """Concentration index of ``outcome`` across the distribution of ``rank_by``.

    Parameters
    ----------
    frame
        One row per household or person.
    outcome
        The variable whose concentration is measured (health spending, subsidy received,
        years of schooling...).
    rank_by
        Welfare used to rank (income or consumption).

    Notes
    -----
    With the weighted fractional rank
    :math:`R_i = (N_{<i} + \\tfrac{1}{2} W_{=i}) / N` (ties share their mid-rank),

    .. math:: C = \\frac{2}{N \\mu_h} \\sum_i w_i h_i R_i - 1
                = \\frac{2\\, \\mathrm{cov}_w(h, R)}{\\mu_h}.

    With ``outcome == rank_by`` it equals the Gini. The linearised variable is the exact
    weight derivative :math:`[h_k 2 N R_k + 2(H - H_{\\le k}) + H_{=k} - (C+1)(H + N h_k)]
    / (N H)` with :math:`H = \\sum w h`.

    References
    ----------
    Kakwani, N., Wagstaff, A., van Doorslaer, E. (1997). Socioeconomic inequalities in
    health: measurement, computation, and statistical inference. *J. Econometrics* 77(1),
    87-103.
    O'Donnell, O., van Doorslaer, E., Wagstaff, A., Lindelow, M. (2008). *Analyzing
    Health Equity Using Household Survey Data*, ch. 8. World Bank.
    """
    prep_opts, run_opts = split_options(options)
    prep = prepare(
        frame,
        inputs={Y: rank_by, H: outcome},
        checks=[Check(rank_by, pl.col(Y) < 0, "< 0 (welfare must be >= 0)")],
        **prep_opts,  # type: ignore[arg-type]
    )
    return run(prep, [ConcentrationEstimator()], **run_opts)  # type: ignore[arg-type]
