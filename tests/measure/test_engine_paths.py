"""The fast paths of the engine give the same numbers as the plain ones."""

from __future__ import annotations

import numpy as np
import polars as pl
from numpy.testing import assert_allclose

from mekong.measure import Design
from mekong.measure._design import design_table, linearised_variance
from mekong.measure._engine import (
    Estimator,
    Prepared,
    _linearised,
    _wide_estimates,
    prepare,
)
from mekong.measure.inequality import GiniEstimator, MomentEstimator, QuantileEstimator
from mekong.measure.poverty import PovertyEstimator

Y = "_mk_y"


def _sample(n: int = 600, seed: int = 3) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    y = rng.lognormal(7, 0.8, n)
    y[::17] = y[5]  # ties across and within groups
    psu = rng.integers(0, 60, n)
    return pl.DataFrame(
        {
            "y": y,
            "w": rng.uniform(0.5, 4, n),
            "g": rng.integers(0, 4, n),
            "psu": psu,
            "stratum": psu % 6,
        }
    )


def test_gini_estimate_from_shared_cumulative_weights_equals_sorted() -> None:
    frame = _sample()
    prep = prepare(frame, inputs={Y: "y"}, by="g", weight="w", size=None, design=None, checks=())
    est = GiniEstimator()
    shared = est.prepare_rows(prep.lf, prep.keys)
    fast = est.estimate(shared, prep.keys).collect().sort("g")
    plain = est.estimate(prep.lf, prep.keys).collect().sort("g")
    assert_allclose(fast["gini"].to_numpy(), plain["gini"].to_numpy(), rtol=1e-12, atol=1e-14)
    # Against the textbook double sum.
    for g, part in frame.group_by("g"):
        y, w = part["y"].to_numpy(), part["w"].to_numpy()
        ref = (w[:, None] * w[None, :] * np.abs(y[:, None] - y[None, :])).sum() / (
            2 * w.sum() * (w * y).sum()
        )
        got = fast.filter(pl.col("g") == g[0])["gini"][0]
        assert abs(got - ref) < 1e-12


def _estimators() -> list[Estimator]:
    return [
        PovertyEstimator(names=("fgt0", "fgt1", "fgt2", "watts", "sen", "sst"), line=1000.0),
        GiniEstimator(),
        MomentEstimator(names=("theil_t", "atkinson1")),
        QuantileEstimator(names=("palma", "p90_p10")),
    ]


def test_one_frame_variance_equals_per_estimator_passes() -> None:
    frame = _sample()
    design = Design(weight="w", strata="stratum", psu="psu")
    prep = prepare(frame, inputs={Y: "y"}, by="g", weight=None, size=None, design=design, checks=())
    assert isinstance(prep, Prepared)
    ests = _estimators()
    shared = ests[1].prepare_rows(prep.lf, prep.keys)  # type: ignore[attr-defined]
    wide = _wide_estimates(prep, ests, [shared] * len(ests)).collect()
    table = design_table(prep.lf, design)
    one = _linearised(prep, ests, shared, wide, table).sort("g")
    # Reference: each estimator's influence on its own copy of the rows, one kernel each.
    apart = None
    for e in ests:
        part = linearised_variance(
            e.influence(shared, prep.keys, wide.lazy()),
            keys=prep.keys,
            values=list(e.names),
            design=design,
            table=table,
        )
        apart = part if apart is None else apart.join(part.drop("_mk_df"), on="g")
    assert apart is not None
    apart = apart.sort("g")
    names = [n for e in ests for n in e.names]
    assert_allclose(
        one.select(names).to_numpy(), apart.select(names).to_numpy(), rtol=1e-12, atol=1e-18
    )
    assert one["_mk_df"].to_list() == apart["_mk_df"].to_list()
