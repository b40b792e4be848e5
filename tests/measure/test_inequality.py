"""Inequality measures: hand computations, derivative checks of linearised variables."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from numpy.testing import assert_allclose

from mekong.measure import (
    Design,
    atkinson,
    ge,
    generalised_lorenz,
    gini,
    inequality,
    lorenz,
    palma,
    quantile_ratio,
    quantile_share,
    theil,
)
from mekong.measure._design import W
from mekong.measure.inequality import GiniEstimator, MomentEstimator, QuantileEstimator

from .helpers import influence_and_derivative

Y4 = pl.DataFrame({"y": [1.0, 2.0, 3.0, 4.0]})


def est(frame: pl.DataFrame, measure: str) -> float:
    return float(frame.filter(pl.col("measure") == measure)["estimate"][0])


def test_gini_by_hand() -> None:
    # sum_i sum_j |yi - yj| = 2 * (1+2+3+1+2+1) = 20; G = 20 / (2 * 4^2 * 2.5) = 0.25.
    assert_allclose(est(gini(Y4, welfare="y"), "gini"), 0.25, rtol=1e-12)
    # Deaton (1997, eq. 4.x) small-sample form: x n/(n-1) = 1/3.
    assert_allclose(est(gini(Y4, welfare="y", correction="small_sample"), "gini"), 1 / 3)


def test_gini_weights_equal_replication_by_hand() -> None:
    weighted = pl.DataFrame({"y": [1.0, 3.0], "w": [3.0, 1.0]})
    replicated = pl.DataFrame({"y": [1.0, 1.0, 1.0, 3.0]})
    # 3 pairs (1,3) both ways: 2 * 3 * 2 = 12; G = 12 / (2 * 16 * 1.5) = 0.25.
    assert_allclose(est(gini(weighted, welfare="y", weight="w"), "gini"), 0.25)
    assert_allclose(est(gini(replicated, welfare="y"), "gini"), 0.25)


def test_entropy_family_by_hand() -> None:
    y = np.array([1.0, 2.0, 3.0, 4.0])
    mu = y.mean()
    theil_t = np.mean(y / mu * np.log(y / mu))
    theil_l = np.mean(np.log(mu / y))
    ge2 = (np.mean((y / mu) ** 2) - 1) / 2
    ge_half = (np.mean((y / mu) ** 0.5) - 1) / (0.5 * -0.5)
    a05 = 1 - np.mean(y**0.5) ** 2 / mu
    a1 = 1 - np.exp(np.mean(np.log(y))) / mu
    a2 = 1 - 1 / np.mean(1 / y) / mu
    out = theil(Y4, welfare="y")
    assert_allclose(est(out, "theil_t"), theil_t, rtol=1e-12)
    assert_allclose(est(out, "theil_l"), theil_l, rtol=1e-12)
    out = ge(Y4, welfare="y", alpha=(0, 0.5, 1, 2))
    assert_allclose(out["estimate"].to_numpy(), [theil_l, ge_half, theil_t, ge2], rtol=1e-12)
    out = atkinson(Y4, welfare="y", epsilon=(0.5, 1, 2))
    assert_allclose(out["estimate"].to_numpy(), [a05, a1, a2], rtol=1e-12)


def test_lorenz_shares_and_palma_by_hand() -> None:
    # Ten people with welfare 1..10, total 55.
    data = pl.DataFrame({"y": [float(i) for i in range(1, 11)]})
    lor = lorenz(data, welfare="y", points=(0.2, 0.4, 0.5, 0.9))
    assert_allclose(lor["estimate"].to_numpy(), [3 / 55, 10 / 55, 15 / 55, 45 / 55])
    assert_allclose(est(palma(data, welfare="y"), "palma"), 10 / 10)
    shares = quantile_share(data, welfare="y", ratios=("s80_s20",), shares=[(0.0, 0.2)])
    assert_allclose(est(shares, "s80_s20"), 19 / 3)
    assert_allclose(est(shares, "share_0_0.2"), 3 / 55)
    gl = generalised_lorenz(data, welfare="y", points=(0.5,))
    assert_allclose(gl["estimate"][0], 15 / 10)
    # q_p = min{y : F(y) >= p}: P90 = 9, P10 = 1.
    assert_allclose(est(quantile_ratio(data, welfare="y"), "p90_p10"), 9.0)


def test_lorenz_splits_a_unit_at_p() -> None:
    # One person with weight 2 and welfare 1, one with weight 2 and welfare 3: L(0.25) is
    # half of the first unit: (1 * 1) / 8.
    data = pl.DataFrame({"y": [1.0, 3.0], "w": [2.0, 2.0]})
    assert_allclose(lorenz(data, welfare="y", weight="w", points=(0.25,))["estimate"][0], 1 / 8)


@pytest.mark.parametrize(
    "estimator",
    [
        GiniEstimator(),
        MomentEstimator(names=("mean", "theil_t", "theil_l", "ge2", "ge-1", "ge0.5")),
        MomentEstimator(names=("atkinson0.5", "atkinson1", "atkinson2")),
    ],
)
def test_linearised_variables_are_weight_derivatives(estimator: object) -> None:
    rng = np.random.default_rng(11)
    y = rng.lognormal(0, 0.8, 30)
    y[3] = y[7]  # a tie
    frame = pl.DataFrame({"_mk_y": y, W: rng.uniform(0.5, 3, 30)})
    u, d = influence_and_derivative(frame, estimator)  # type: ignore[arg-type]
    assert_allclose(u, d, rtol=1e-5, atol=1e-8)


def test_share_linearisation_matches_derivative_away_from_kinks() -> None:
    # Lorenz ordinates are smooth in the weights except where p*N crosses a cumulative
    # weight; the partial-total formula is the derivative of the population functional,
    # equal to the sample derivative up to the O(1/N) fractional-unit term.
    rng = np.random.default_rng(5)
    frame = pl.DataFrame({"_mk_y": rng.lognormal(0, 0.5, 200), W: rng.uniform(1, 2, 200)})
    u, d = influence_and_derivative(frame, QuantileEstimator(names=("lorenz_0.4",)))
    assert np.corrcoef(u[:, 0], d[:, 0])[0, 1] > 0.999


def test_inequality_se_by_domain_is_finite(wb_sample: pl.DataFrame, wb_design: Design) -> None:
    out = inequality(
        wb_sample,
        welfare="pc_exp",
        size="hhsize",
        design=wb_design,
        by="urbrur",
        measures=("gini", "theil_t", "palma", "p90_p10", "atkinson1"),
    )
    assert out.height == 10
    assert (out["se"] > 0).all()
    assert (out["ci_low"] < out["estimate"]).all()


def test_gini_linearised_se_close_to_bootstrap(wb_sample: pl.DataFrame, wb_design: Design) -> None:
    lin = gini(wb_sample, welfare="pc_exp", size="hhsize", design=wb_design)
    boot = gini(
        wb_sample,
        welfare="pc_exp",
        size="hhsize",
        design=wb_design,
        variance="bootstrap",
        reps=150,
        seed=1,
    )
    # Same estimate; the linearised path adds PSU totals up, so only the last bits differ.
    assert_allclose(boot["estimate"][0], lin["estimate"][0], rtol=1e-13)
    assert 0.6 < boot["se"][0] / lin["se"][0] < 1.6
