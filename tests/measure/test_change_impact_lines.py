"""Decompositions, growth incidence, difference-in-differences, lines and scales."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import polars as pl
import pytest
from numpy.testing import assert_allclose

from mekong.measure import (
    WORLD_BANK_LINES_2021_PPP,
    Design,
    MeasureError,
    adult_equivalents,
    concentration_index,
    datt_ravallion,
    difference_in_differences,
    fgt,
    gini,
    growth_incidence,
    huppi_ravallion,
    international_line,
    shorrocks_shapley,
    with_equivalised_welfare,
)
from mekong.measure._design import W
from mekong.measure.concentration import ConcentrationEstimator

from .helpers import influence_and_derivative


def est(frame: pl.DataFrame, measure: str) -> float:
    return float(frame.filter(pl.col("measure") == measure)["estimate"][0])


@pytest.fixture(scope="module")
def two_rounds() -> tuple[pl.DataFrame, pl.DataFrame]:
    rng = np.random.default_rng(4)
    n = 400
    before = pl.DataFrame({"y": rng.lognormal(5, 0.6, n), "s": rng.integers(0, 3, n)})
    after = pl.DataFrame({"y": rng.lognormal(5.15, 0.5, n), "s": rng.integers(0, 3, n)})
    return before, after


def test_datt_ravallion_parts_sum_to_change(two_rounds: tuple[pl.DataFrame, ...]) -> None:
    before, after = two_rounds
    out = datt_ravallion(before, after, welfare="y", line=150.0)
    for m in ("fgt0", "fgt1", "fgt2"):
        change = est(fgt(after, welfare="y", line=150.0), m) - est(
            fgt(before, welfare="y", line=150.0), m
        )
        assert_allclose(est(out, f"{m}_change"), change, atol=1e-12)
        parts = sum(est(out, f"{m}_{p}") for p in ("growth", "redistribution", "residual"))
        assert_allclose(parts, change, atol=1e-12)


def test_shorrocks_shapley_has_no_residual_and_averages_dr(
    two_rounds: tuple[pl.DataFrame, ...],
) -> None:
    before, after = two_rounds
    ss = shorrocks_shapley(before, after, welfare="y", line=150.0)
    dr0 = datt_ravallion(before, after, welfare="y", line=150.0)
    dr1 = datt_ravallion(before, after, welfare="y", line=150.0, reference="after")
    for m in ("fgt0", "fgt1", "fgt2"):
        assert_allclose(
            est(ss, f"{m}_growth") + est(ss, f"{m}_redistribution"),
            est(ss, f"{m}_change"),
            atol=1e-12,
        )
        assert_allclose(
            est(ss, f"{m}_growth"), (est(dr0, f"{m}_growth") + est(dr1, f"{m}_growth")) / 2
        )


def test_huppi_ravallion_sums_to_change(two_rounds: tuple[pl.DataFrame, ...]) -> None:
    before, after = two_rounds
    out = huppi_ravallion(before, after, welfare="y", line=150.0, sector="s", measure="fgt1")
    totals = out.filter(pl.col("s").is_null())
    parts = totals.filter(pl.col("measure") != "fgt1_change")["estimate"].sum()
    change = est(fgt(after, welfare="y", line=150.0, alpha=1), "fgt1") - est(
        fgt(before, welfare="y", line=150.0, alpha=1), "fgt1"
    )
    assert_allclose(parts, change, atol=1e-12)
    assert_allclose(est(totals, "fgt1_change"), change, atol=1e-12)
    assert out["s"].dtype == pl.Int64


def test_growth_incidence_by_hand() -> None:
    before = pl.DataFrame({"y": [float(i) for i in range(1, 11)]})
    after = pl.DataFrame({"y": [2.0 * i for i in range(1, 11)]})
    out = growth_incidence(before, after, welfare="y", points=(0.1, 0.5, 0.9))
    assert_allclose(out["estimate"].to_numpy(), [1.0, 1.0, 1.0, 1.0])
    assert out["measure"].to_list() == ["gic_0.1", "gic_0.5", "gic_0.9", "gic_mean"]


def test_growth_incidence_with_designs_has_standard_errors(
    two_rounds: tuple[pl.DataFrame, ...],
) -> None:
    before, after = two_rounds
    out = growth_incidence(
        before,
        after,
        welfare="y",
        points=(0.5,),
        design_before=Design(),
        design_after=Design(),
    )
    assert (out["se"] > 0).all()


def test_difference_in_differences_by_hand() -> None:
    # 2x2 cell means: treated 10 -> 16, comparison 10 -> 12: DiD = 6 - 2 = 4.
    rows = []
    for v, t in ((1, 1), (2, 1), (3, 0), (4, 0)):
        for h in range(2):
            base = 10.0 + (h - 0.5)
            gain = 6.0 if t else 2.0
            uid = f"{v}-{h}"
            rows.append({"hh": uid, "v": v, "t": t, "post": 0, "y": base})
            rows.append({"hh": uid, "v": v, "t": t, "post": 1, "y": base + gain + 0.1 * v})
    data = pl.DataFrame(rows)
    pooled = difference_in_differences(data, outcome="y", treated="t", post="post", cluster="v")
    panel = difference_in_differences(
        data, outcome="y", treated="t", post="post", cluster="v", unit="hh"
    )
    # Extra 0.1 * v gains: treated villages 1, 2 -> +0.15; comparison 3, 4 -> +0.35.
    assert_allclose(est(pooled, "did"), 4.0 + 0.15 - 0.35)
    assert_allclose(est(panel, "did"), 4.0 + 0.15 - 0.35)
    # Panel: first differences are constant within village, so the CR1 variance comes from
    # the spread of village means: treated (6.1, 6.2), comparison (2.3, 2.4).
    # Var(did) = G/(G-1) (n-1)/(n-K) * sum_g (sum_i x e)^2 ... checked against a direct
    # computation of the sandwich below.
    x = np.column_stack([np.ones(8), [1, 1, 1, 1, 0, 0, 0, 0]])
    dy = np.array([6.1, 6.1, 6.2, 6.2, 2.3, 2.3, 2.4, 2.4])
    beta = np.linalg.lstsq(x, dy, rcond=None)[0]
    e = dy - x @ beta
    g = np.array([1, 1, 2, 2, 3, 3, 4, 4])
    meat = sum(np.outer(x[g == c].T @ e[g == c], x[g == c].T @ e[g == c]) for c in range(1, 5))
    bread = np.linalg.inv(x.T @ x)
    v = 4 / 3 * 7 / 6 * bread @ meat @ bread
    assert_allclose(panel.filter(pl.col("measure") == "did")["se"][0], np.sqrt(v[1, 1]))


def test_did_requires_balanced_panel() -> None:
    data = pl.DataFrame(
        {"hh": [1, 1, 2], "v": [1, 1, 2], "t": [1, 1, 0], "post": [0, 1, 0], "y": [1.0] * 3}
    )
    with pytest.raises(MeasureError, match="balanced"):
        difference_in_differences(
            data, outcome="y", treated="t", post="post", cluster="v", unit="hh"
        )


def test_concentration_index_equals_gini_for_welfare_and_is_exact_derivative() -> None:
    rng = np.random.default_rng(8)
    data = pl.DataFrame(
        {
            "y": rng.integers(1, 8, 40).astype(float),
            "w": rng.uniform(1, 2, 40),
            "h": rng.uniform(0, 3, 40),
        }
    )
    c = concentration_index(data, outcome="y", rank_by="y", weight="w")["estimate"][0]
    assert_allclose(c, gini(data, welfare="y", weight="w")["estimate"][0], rtol=1e-12)
    frame = data.select(
        pl.col("y").alias("_mk_y"), pl.col("h").alias("_mk_h"), pl.col("w").alias(W)
    )
    u, d = influence_and_derivative(frame, ConcentrationEstimator())
    assert_allclose(u, d, rtol=1e-5, atol=1e-8)


def test_concentration_index_by_hand() -> None:
    # Ranks (1/8, 3/8, 5/8, 7/8), h = (4, 3, 2, 1): C = 2/(4*2.5) * sum(h R) - 1
    # = 0.2 * (0.5 + 1.125 + 1.25 + 0.875) - 1 = -0.25 (pro-poor).
    data = pl.DataFrame({"y": [1.0, 2.0, 3.0, 4.0], "h": [4.0, 3.0, 2.0, 1.0]})
    assert_allclose(concentration_index(data, outcome="h", rank_by="y")["estimate"][0], -0.25)


def test_international_line_conversion() -> None:
    # DOMAIN.md 3.4: line_LCU = USD line x PPP x CPI_t / CPI_2021.
    line = international_line(
        WORLD_BANK_LINES_2021_PPP["extreme"], ppp="5595", cpi="150", cpi_base="100"
    )
    assert line == Decimal("25177.5")
    monthly = international_line("3.00", ppp=2.0, cpi=1, cpi_base=1, days="30.4375")
    assert monthly == Decimal("182.625")
    with pytest.raises(MeasureError, match="ppp"):
        international_line("3.00", ppp=0, cpi=1, cpi_base=1)


def test_adult_equivalence_scales() -> None:
    # Two adults and two children: OECD 1 + 0.7 + 1.0 = 2.7; modified 1 + 0.5 + 0.6 = 2.1;
    # square root 2; per capita 4.
    data = pl.DataFrame({"a": [2], "c": [2], "total": [840.0]})
    for scale, expected in (
        ("oecd", 2.7),
        ("oecd_modified", 2.1),
        ("square_root", 2.0),
        ("per_capita", 4.0),
    ):
        value = data.select(adult_equivalents(scale, adults="a", children="c"))  # type: ignore[arg-type]
        assert_allclose(value.item(), expected)
    out = with_equivalised_welfare(
        data, total="total", scale="oecd_modified", adults="a", children="c"
    )
    assert_allclose(out["welfare_ae"][0], 400.0)
