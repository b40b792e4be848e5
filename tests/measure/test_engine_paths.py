"""The fast paths of the engine give the same numbers as the plain ones."""

from __future__ import annotations

import numpy as np
import polars as pl
from numpy.testing import assert_allclose

from mekong.measure import Design
from mekong.measure._design import design_table, linearised_variance
from mekong.measure._engine import (
    POP,
    Estimator,
    N,
    Prepared,
    _counts,
    _linearised,
    _one_select,
    _wide_estimates,
    prepare,
    run,
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


def test_one_select_whole_sample_equals_separate_estimates_and_se_path() -> None:
    frame = _sample()
    prep = prepare(frame, inputs={Y: "y"}, by=None, weight="w", size=None, design=None, checks=())
    ests = _estimators()[:3]  # poverty (with Sen and SST), Gini, moments: all aggregations
    one = _one_select(prep, ests)
    assert one is not None
    fused = one.collect()
    # The separate branches joined on the constant key (the by-groups path).
    apart = _counts(prep.lf, prep.keys)
    for e in ests:
        apart = apart.join(e.estimate(prep.lf, prep.keys), on=prep.keys, how="left")
    sep = apart.collect()
    names = [N, POP, *(n for e in ests for n in e.names)]
    assert_allclose(fused.select(names).to_numpy(), sep.select(names).to_numpy(), rtol=1e-12)
    assert _wide_estimates(prep, ests).collect().select(names).equals(fused.select(names))
    # The standard-error path (shared sorted rows with cumulative sums) agrees too.
    design = Design(weight="w", strata="stratum", psu="psu")
    dprep = prepare(frame, inputs={Y: "y"}, by=None, weight=None, size=None, design=design)
    point = run(prep, ests).select("measure", "estimate")
    with_se = run(dprep, ests)
    assert with_se["se"].is_not_null().all()
    assert point["measure"].to_list() == with_se["measure"].to_list()
    assert_allclose(point["estimate"].to_numpy(), with_se["estimate"].to_numpy(), rtol=1e-12)


def test_one_select_falls_back_when_an_estimator_has_no_aggregation() -> None:
    frame = _sample()
    prep = prepare(frame, inputs={Y: "y"}, by=None, weight="w", size=None, design=None, checks=())
    ests = _estimators()  # the quantile estimator needs its own pass
    assert _one_select(prep, ests) is None
    by_prep = prepare(frame, inputs={Y: "y"}, by="g", weight="w", size=None, design=None)
    assert _one_select(by_prep, _estimators()[:3]) is None  # by groups: separate branches
    out = run(prep, ests)
    assert out["estimate"].is_finite().all()
    assert out["measure"].to_list() == [n for e in ests for n in e.names]
