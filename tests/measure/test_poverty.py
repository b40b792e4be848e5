"""Poverty measures: published examples, hand computations and svy cross-checks."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from numpy.testing import assert_allclose

from mekong.measure import Design, fgt, poor_count, poverty, sen, sst, watts
from mekong.measure._design import W
from mekong.measure.poverty import PovertyEstimator

from .conftest import LINE
from .helpers import influence_and_derivative

# Haughton & Khandker (2009), Handbook on Poverty and Inequality, ch. 4, pp. 70-72:
# "country C" expenditures 100, 110, 150, 160, poverty line 125:
# P0 = 0.5, P1 = 0.32/4 = 0.08, P2 = 0.0544/4 = 0.0136.
HK = pl.DataFrame({"exp": [100.0, 110.0, 150.0, 160.0]})


def est(frame: pl.DataFrame, measure: str) -> float:
    return float(frame.filter(pl.col("measure") == measure)["estimate"][0])


def test_fgt_reproduces_haughton_khandker_country_c() -> None:
    out = fgt(HK, welfare="exp", line=125)
    assert out["measure"].to_list() == ["fgt0", "fgt1", "fgt2"]
    assert_allclose(out["estimate"].to_numpy(), [0.5, 0.08, 0.0136], rtol=1e-12)
    assert out["se"].is_null().all()
    assert out["n"].to_list() == [4, 4, 4]


def test_sen_sst_watts_by_hand_on_country_c() -> None:
    # Hand computation on H&K's country C: the poor are 100 and 110.
    # Gini of the poor = |100 - 110| * 2 / (2 * 2^2 * 105) = 1/42.
    # Sen = P0 G_p + P1 (1 - G_p) = 0.5/42 + 0.08 * 41/42.
    # Gaps g = (0.2, 0.12, 0, 0); Gini of gaps = sum|gi - gj| / (2 n^2 mean)
    # = 2 * (0.08 + 0.2 + 0.2 + 0.12 + 0.12 + 0) / (2 * 16 * 0.08) = 1.44 / 2.56.
    # SST = P1 (1 + G_g). Watts = (ln(125/100) + ln(125/110)) / 4.
    out = poverty(HK, welfare="exp", line=125, measures=("sen", "gini_poor", "sst", "watts"))
    assert_allclose(est(out, "gini_poor"), 1 / 42, rtol=1e-12)
    assert_allclose(est(out, "sen"), 0.5 / 42 + 0.08 * 41 / 42, rtol=1e-12)
    assert_allclose(est(out, "sst"), 0.08 * (1 + 1.44 / 2.56), rtol=1e-12)
    assert_allclose(est(out, "watts"), (np.log(1.25) + np.log(125 / 110)) / 4, rtol=1e-12)
    assert_allclose(est(sen(HK, welfare="exp", line=125), "sen"), est(out, "sen"))
    assert_allclose(est(sst(HK, welfare="exp", line=125), "sst"), est(out, "sst"))
    assert_allclose(est(watts(HK, welfare="exp", line=125), "watts"), est(out, "watts"))


def test_poor_if_switches_between_strict_and_at_or_below() -> None:
    data = pl.DataFrame({"y": [1.0, 2.0, 2.0, 3.0]})
    assert est(fgt(data, welfare="y", line=2.0, alpha=0), "fgt0") == 0.25
    assert est(fgt(data, welfare="y", line=2.0, alpha=0, poor_if="at_or_below"), "fgt0") == 0.75


def test_weights_size_and_line_column() -> None:
    data = pl.DataFrame(
        {"y": [1.0, 5.0, 2.0], "w": [2.0, 1.0, 1.0], "hh": [3, 1, 1], "z": [2.0, 2.0, 3.0]}
    )
    # Persons: 6 at y=1 (line 2, poor), 1 at y=5 (not), 1 at y=2 (line 3, poor): 7/8 poor.
    out = fgt(data, welfare="y", line="z", weight="w", size="hh", alpha=0)
    assert_allclose(est(out, "fgt0"), 7 / 8)
    assert est(poor_count(data, welfare="y", line="z", weight="w", size="hh"), "poor") == 7.0
    assert out["population"][0] == 8.0


def test_groups_are_sorted_and_complete() -> None:
    data = pl.DataFrame({"y": [1.0, 3.0, 1.0, 1.0], "g": ["b", "b", "a", "a"]})
    out = fgt(data, welfare="y", line=2.0, alpha=0, by="g")
    assert out["g"].to_list() == ["a", "b"]
    assert out["estimate"].to_list() == [1.0, 0.5]
    assert out["n"].to_list() == [2, 2]


@pytest.mark.parametrize(
    "names", [("fgt0", "fgt1", "fgt2", "fgt1.5", "watts", "poor"), ("sen", "gini_poor", "sst")]
)
def test_linearised_variables_are_weight_derivatives(names: tuple[str, ...]) -> None:
    rng = np.random.default_rng(3)
    frame = pl.DataFrame({"_mk_y": rng.lognormal(0, 0.7, 25), W: rng.uniform(0.5, 3, 25)})
    u, d = influence_and_derivative(frame, PovertyEstimator(names=names, line=1.2))
    assert_allclose(u, d, rtol=1e-5, atol=1e-8)


# ------------------------------------------------------------------ svy cross-checks
# Expected values are computed by svy 0.35 (Taylor linearisation, with-replacement
# first stage, df = PSUs - strata) on the World Bank synthetic sample: FGT_a is the
# weighted mean of g^a * I(poor), so svy.estimation.mean reproduces it.


def _svy_mean(sample_frame: pl.DataFrame, column: str, **kw: object) -> pl.DataFrame:
    import svy

    sample = svy.Sample(sample_frame, svy.Design(stratum=("geo1", "urbrur"), psu="ea", wgt="pw"))
    return sample.estimation.mean(column, **kw).to_polars()


@pytest.fixture(scope="module")
def wb_with_fgt(wb_sample: pl.DataFrame) -> pl.DataFrame:
    poor = pl.col("pc_exp") < LINE
    gap = pl.when(poor).then((LINE - pl.col("pc_exp")) / LINE).otherwise(0.0)
    return wb_sample.with_columns(
        poor.cast(pl.Float64).alias("fgt0"), gap.alias("fgt1"), (gap**2).alias("fgt2")
    )


def test_fgt_matches_svy_overall(wb_with_fgt: pl.DataFrame, wb_design: Design) -> None:
    ours = fgt(wb_with_fgt, welfare="pc_exp", line=LINE, size="hhsize", design=wb_design)
    for measure in ("fgt0", "fgt1", "fgt2"):
        ref = _svy_mean(wb_with_fgt, measure)
        row = ours.filter(pl.col("measure") == measure)
        assert_allclose(row["estimate"][0], ref["est"][0], rtol=0, atol=1e-9)
        assert_allclose(row["se"][0], ref["se"][0], rtol=0, atol=1e-6)
        assert_allclose(row["ci_low"][0], ref["lci"][0], rtol=0, atol=1e-6)
        assert_allclose(row["ci_high"][0], ref["uci"][0], rtol=0, atol=1e-6)


def test_fgt_domains_match_svy(wb_with_fgt: pl.DataFrame, wb_design: Design) -> None:
    ours = fgt(wb_with_fgt, welfare="pc_exp", line=LINE, size="hhsize", design=wb_design, by="geo1")
    for measure in ("fgt0", "fgt1"):
        ref = _svy_mean(wb_with_fgt, measure, by="geo1").sort("geo1")
        mine = ours.filter(pl.col("measure") == measure).sort("geo1")
        assert mine["geo1"].to_list() == ref["geo1"].to_list()
        assert_allclose(mine["estimate"], ref["est"], rtol=0, atol=1e-9)
        assert_allclose(mine["se"], ref["se"], rtol=0, atol=1e-6)
        assert_allclose(mine["ci_low"], ref["lci"], rtol=0, atol=1e-6)


def test_domain_spanning_strata_matches_svy_where(
    wb_with_fgt: pl.DataFrame, wb_design: Design
) -> None:
    import svy

    ours = fgt(
        wb_with_fgt,
        welfare="pc_exp",
        line=LINE,
        size="hhsize",
        design=wb_design,
        by="urbrur",
        alpha=0,
    ).filter(pl.col("urbrur") == "Rural")
    ref = _svy_mean(wb_with_fgt, "fgt0", where=svy.col("urbrur") == "Rural")
    assert_allclose(ours["estimate"][0], ref["est"][0], rtol=0, atol=1e-9)
    assert_allclose(ours["se"][0], ref["se"][0], rtol=0, atol=1e-6)
    assert_allclose(ours["ci_high"][0], ref["uci"][0], rtol=0, atol=1e-6)


def test_number_of_poor_matches_svy_total(wb_with_fgt: pl.DataFrame, wb_design: Design) -> None:
    import svy

    sample = svy.Sample(wb_with_fgt, svy.Design(stratum=("geo1", "urbrur"), psu="ea", wgt="pw"))
    ref = sample.estimation.total("fgt0").to_polars()
    ours = poor_count(wb_with_fgt, welfare="pc_exp", line=LINE, size="hhsize", design=wb_design)
    assert_allclose(ours["estimate"][0], ref["est"][0], rtol=1e-12)
    assert_allclose(ours["se"][0], ref["se"][0], rtol=1e-9)


def test_normal_interval_and_conf_level(wb_sample: pl.DataFrame, wb_design: Design) -> None:
    out = fgt(
        wb_sample,
        welfare="pc_exp",
        line=LINE,
        design=wb_design,
        alpha=0,
        ci="normal",
        conf_level=0.9,
    )
    half = out["ci_high"][0] - out["estimate"][0]
    assert_allclose(half, 1.6448536269514722 * out["se"][0], rtol=1e-12)
