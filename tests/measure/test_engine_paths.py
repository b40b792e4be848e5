"""The fast paths of the engine give the same numbers as the plain ones."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from numpy.testing import assert_allclose

from mekong.measure import Design
from mekong.measure._design import compact_key, design_table, linearised_variance
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
from mekong.measure.inequality import (
    GiniCorrection,
    GiniEstimator,
    MomentEstimator,
    QuantileEstimator,
)
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
    (g_key,) = prep.keys  # the group column's internal name
    fast = est.estimate(shared, prep.keys).collect().sort(g_key)
    plain = est.estimate(prep.lf, prep.keys).collect().sort(g_key)
    assert_allclose(fast["gini"].to_numpy(), plain["gini"].to_numpy(), rtol=1e-12, atol=1e-14)
    # Against the textbook double sum.
    for g, part in frame.group_by("g"):
        y, w = part["y"].to_numpy(), part["w"].to_numpy()
        ref = (w[:, None] * w[None, :] * np.abs(y[:, None] - y[None, :])).sum() / (
            2 * w.sum() * (w * y).sum()
        )
        got = fast.filter(pl.col(g_key) == g[0])["gini"][0]
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
    (g_key,) = prep.keys
    one = _linearised(prep, ests, shared, wide, table).sort(g_key)
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
        apart = part if apart is None else apart.join(part.drop("_mk_df"), on=g_key)
    assert apart is not None
    apart = apart.sort(g_key)
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
    apart = _counts(prep)
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


@pytest.mark.parametrize("by", [["g"], ["g", "stratum"]])
def test_one_select_by_groups_equals_separate_estimates(by: list[str]) -> None:
    # Integer groups take one aggregation over rows sorted by (group, welfare).
    frame = _sample()
    prep = prepare(frame, inputs={Y: "y"}, by=by, weight="w", size=None, design=None, checks=())
    ests = _estimators()[:3]
    one = _one_select(prep, ests)
    assert one is not None
    fused = one.collect().sort(prep.keys)
    apart = _counts(prep)
    for e in ests:
        apart = apart.join(e.estimate(prep.lf, prep.keys), on=prep.keys, how="left")
    sep = apart.collect().sort(prep.keys)
    names = [*prep.keys, N, POP, *(n for e in ests for n in e.names)]
    assert_allclose(fused.select(names).to_numpy(), sep.select(names).to_numpy(), rtol=1e-12)


@pytest.mark.parametrize("dtype", [pl.String, pl.Categorical, pl.Enum(["d9", "d10", "d2", "d3"])])
def test_text_groups_take_the_coded_path_and_come_back_as_they_were(
    dtype: pl.DataType,
) -> None:
    # Text group columns are coded by their sorted distinct values; the estimates must
    # be those of the same groups under integer codes, the column as the caller gave it.
    frame = _sample()
    names = {0: "d9", 1: "d10", 2: "d2", 3: "d3"}  # text order differs from number order
    named = frame.with_columns(pl.col("g").replace_strict(names).cast(dtype).alias("name"))
    ests = _estimators()[:3]
    prep = prepare(named, inputs={Y: "y"}, by="name", weight="w", size=None, design=None)
    assert _one_select(prep, ests) is not None
    got = run(prep, ests)
    assert got.schema["name"] == dtype
    by_int = prepare(frame, inputs={Y: "y"}, by="g", weight="w", size=None, design=None)
    want = run(by_int, ests).with_columns(
        pl.col("g").replace_strict(names).cast(dtype).alias("name")
    )
    cols = ["name", "measure"]
    got = got.sort(pl.col(cols).cast(pl.String))
    want = want.sort(pl.col(cols).cast(pl.String))
    assert got["name"].to_list() == want["name"].to_list()
    assert_allclose(got["estimate"].to_numpy(), want["estimate"].to_numpy(), rtol=1e-12)


def test_text_key_codes_follow_the_text_order_and_respect_the_cap() -> None:
    lf = pl.LazyFrame({"t": ["b", "a", "c", "a"], "i": [5, 7, 5, 6]})
    key = compact_key(lf, ["t", "i"], max_categories=3)
    assert key is not None
    assert key.categories == (("a", "b", "c"), None)
    codes = lf.select(key.expr()).collect()["_mk_key"].to_list()
    # a < b < c, then 5 < 6 < 7: (b,5) (a,7) (c,5) (a,6) -> 3, 2, 6, 1.
    assert codes == [3, 2, 6, 1]
    back = pl.DataFrame({"_mk_key": codes}).select(key.decode())
    assert back.to_dicts() == lf.collect().to_dicts()
    assert compact_key(lf, ["t"], max_categories=2) is None  # three values, cap two
    assert compact_key(lf, ["t"]) is None  # text only when asked for


def test_one_select_falls_back_when_an_estimator_has_no_aggregation() -> None:
    frame = _sample()
    prep = prepare(frame, inputs={Y: "y"}, by=None, weight="w", size=None, design=None, checks=())
    ests = _estimators()  # the quantile estimator needs its own pass
    assert _one_select(prep, ests) is None
    # Group columns without a compact code (neither integer nor text) keep separate
    # branches.
    floats = frame.with_columns((pl.col("g") / 2).alias("half"))
    by_prep = prepare(floats, inputs={Y: "y"}, by="half", weight="w", size=None, design=None)
    assert _one_select(by_prep, _estimators()[:3]) is None
    out = run(prep, ests)
    assert out["estimate"].is_finite().all()
    assert out["measure"].to_list() == [n for e in ests for n in e.names]


class _RowsOnly:
    """An estimator without its :class:`LinearForm`, to force the per-row variance path."""

    def __init__(self, inner: Estimator) -> None:
        self._inner = inner
        self.names = inner.names
        if hasattr(inner, "prepare_rows"):
            self.prepare_rows = inner.prepare_rows

    def estimate(self, lf: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
        return self._inner.estimate(lf, keys)

    def influence(self, lf: pl.LazyFrame, keys: list[str], est: pl.LazyFrame) -> pl.LazyFrame:
        return self._inner.influence(lf, keys, est)


@pytest.mark.parametrize("by", [None, "g", ["g", "sector"], ["name", "sector"]])
@pytest.mark.parametrize("psu", ["psu", None])
@pytest.mark.parametrize("correction", ["none", "small_sample"])
def test_totals_path_equals_per_row_path(
    by: str | list[str] | None, psu: str | None, correction: GiniCorrection
) -> None:
    frame = _sample().with_columns(
        (pl.col("g") % 2 == 0).alias("sector"),
        pl.col("stratum").cast(pl.Utf8).alias("s_name"),
        pl.format("district {}", "g").alias("name"),
    )
    strata = "stratum" if psu else "s_name"  # string strata: no compact key
    design = Design(weight="w", strata=strata, psu=psu)
    prep = prepare(frame, inputs={Y: "y"}, by=by, weight=None, size=None, design=design)
    ests: list[Estimator] = [
        PovertyEstimator(names=("fgt0", "fgt1", "fgt2", "watts", "poor"), line=1000.0),
        GiniEstimator(correction=correction),
    ]
    fast = run(prep, ests)
    slow = run(prep, [_RowsOnly(e) for e in ests])
    exact = pl.exclude("estimate", "se", "ci_low", "ci_high", "population")
    assert fast.select(exact).equals(slow.select(exact))
    for col in ("estimate", "se", "ci_low", "ci_high", "population"):
        assert_allclose(fast[col].to_numpy(), slow[col].to_numpy(), rtol=1e-10, atol=1e-15)


def test_compact_key_round_trips_integer_columns() -> None:
    frame = pl.DataFrame(
        {
            "a": pl.Series([-3, 5, 2, -3], dtype=pl.Int16),
            "b": pl.Series([10**9, 7, 7, 0], dtype=pl.Int64),
            "c": [True, False, True, True],
        }
    )
    key = compact_key(frame.lazy(), ["a", "b", "c"])
    assert key is not None
    back = frame.select(key.expr()).select(key.decode())
    assert back.equals(frame)
    assert compact_key(frame.with_columns(pl.col("a").cast(pl.Utf8)).lazy(), ["a"]) is None
    wide = pl.DataFrame({"a": [0, 2**40], "b": [0, 2**40]})
    assert compact_key(wide.lazy(), ["a", "b"]) is None  # span beyond Int64: fall back


@pytest.mark.parametrize("by", [None, "g"])
@pytest.mark.parametrize("rule", ["fpc", "center", "skip"])
def test_totals_path_equals_per_row_path_with_fpc_and_singletons(by: str | None, rule: str) -> None:
    frame = _sample().with_columns(
        pl.lit(80).alias("n_psu"),
        # PSU 0 alone in stratum 9: a singleton stratum for "center" and "skip".
        pl.when(pl.col("psu") == 0).then(9).otherwise(pl.col("stratum")).alias("stratum"),
    )
    if rule == "fpc":
        frame = frame.filter(pl.col("stratum") != 9)
        design = Design(weight="w", strata="stratum", psu="psu", fpc="n_psu")
    else:
        design = Design(weight="w", strata="stratum", psu="psu", singleton=rule)  # type: ignore[arg-type]
    prep = prepare(frame, inputs={Y: "y"}, by=by, weight=None, size=None, design=design)
    ests: list[Estimator] = [PovertyEstimator(names=("fgt0", "fgt1"), line=1000.0), GiniEstimator()]
    fast = run(prep, ests)
    slow = run(prep, [_RowsOnly(e) for e in ests])
    for col in ("estimate", "se", "ci_low", "ci_high"):
        assert_allclose(fast[col].to_numpy(), slow[col].to_numpy(), rtol=1e-10, atol=1e-15)


# The numpy kernel (_kernel.py) numbers PSUs through a table indexed by the PSU code when
# every code lies in one stratum, by the whole (strata, PSU) code otherwise, and leaves
# codes too sparse for a table to the Polars group_by. Each design below must take the
# path its name says and give the per-row path's numbers.
_KERNEL_DESIGNS = {
    # Codes unique across strata (stratum = psu % 6): the table of PSU codes.
    "psu-codes": lambda f: f,
    # Codes 0-9 repeated in every stratum (R's nest = TRUE): the table of whole codes.
    "nested-codes": lambda f: f.with_columns((pl.col("psu") % 10).alias("psu")),
    # Two stratum columns and a domain with no rows in some strata.
    "two-strata": lambda f: f.with_columns(
        (pl.col("psu") % 2).alias("region"),
        pl.when(pl.col("g") == 3).then(pl.col("stratum") % 2).otherwise(pl.col("stratum")),
    ),
    # Codes 10^7 apart: a table would need 8 bytes x 6 x 6e8 codes; Polars sums them.
    "sparse-codes": lambda f: f.with_columns((pl.col("psu") * 10_000_000).alias("psu")),
}


@pytest.mark.parametrize("case", sorted(_KERNEL_DESIGNS))
@pytest.mark.parametrize("by", [None, "g"])
def test_kernel_paths_equal_per_row_path(case: str, by: str | None) -> None:
    from mekong.measure import _kernel
    from mekong.measure._engine import _kernel_key
    from mekong.measure._sort import group_code

    frame = _KERNEL_DESIGNS[case](_sample())
    # Group 1 left empty: its code has no rows between the others' slices.
    frame = frame.filter(pl.col("g") != 1)
    strata: str | tuple[str, ...] = ("stratum", "region") if case == "two-strata" else "stratum"
    design = Design(weight="w", strata=strata, psu="psu")
    prep = prepare(frame, inputs={Y: "y"}, by=by, weight=None, size=None, design=design)
    key = _kernel_key(prep, group_code(prep.lf, prep.keys), Y)  # the Gini sorts
    assert (key is None) == (case == "sparse-codes")
    if key is not None:
        codes = prep.lf.select(key.expr()).collect().to_series().to_numpy()
        psu, index = _kernel.psu_index(codes, key, len(design.internal_strata()))
        # Numbers 0..P-1, stratum by stratum, one per distinct (strata, PSU).
        n_psu = frame.select(*design.strata_columns, "psu").unique().height
        assert index.count == n_psu
        assert psu.max() == n_psu - 1
        assert int(index.per_stratum.sum()) == n_psu
    ests: list[Estimator] = [
        PovertyEstimator(names=("fgt0", "fgt1", "fgt2", "watts"), line=1000.0),
        GiniEstimator(),
    ]
    fast = run(prep, ests)
    slow = run(prep, [_RowsOnly(e) for e in ests])
    assert fast.select("measure", "n").equals(slow.select("measure", "n"))
    for col in ("estimate", "se", "ci_low", "ci_high", "population"):
        assert_allclose(fast[col].to_numpy(), slow[col].to_numpy(), rtol=1e-10, atol=1e-15)
