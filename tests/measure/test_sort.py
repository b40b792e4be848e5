"""Sorting rows by (group, value) through integer sort keys orders them exactly as a
plain multi-column sort does (up to the order of equal values)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from mekong.measure import _sort
from mekong.measure._design import ALL
from mekong.measure._sort import (
    CODE,
    group_code,
    grouped_agg,
    order_within_groups,
    sort_within_groups,
    with_keys,
)


def _frame(values: np.ndarray, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    n = len(values)
    return pl.DataFrame(
        {
            "v": values,
            "w": rng.uniform(0.5, 2.0, n),
            "g": rng.integers(-3, 5, n).astype(np.int16),
            "h": rng.integers(0, 2, n) == 1,
        }
    )


def _assert_sorted_within(out: pl.DataFrame, keys: list[str], frame: pl.DataFrame) -> None:
    # Same rows (as a multiset of (keys, v, w)) and every group ascending in v.
    cols = [*keys, "v", "w"]
    assert out.select(cols).sort(cols).equals(frame.select(cols).sort(cols))
    for _, part in out.group_by(keys, maintain_order=True):
        v = part["v"].to_numpy()
        assert np.all(v[1:] >= v[:-1])


VALUES = {
    # Lognormal welfare: the value codes leave room for the group code (one arg_sort).
    "packed": np.random.default_rng(1).lognormal(7, 1, 2_000),
    # Zeros, ties, negatives, -0.0 and values 600 orders of magnitude apart: the codes
    # fill 64 bits, so the rows are sorted by value and partitioned by group.
    "partitioned": np.concatenate(
        [
            np.random.default_rng(2).lognormal(0, 3, 1_500),
            [0.0, -0.0, 0.0, 1e-300, 1e300, -1e300, -5.0, -5.0, 3.0, 3.0] * 50,
        ]
    ),
}


@pytest.mark.parametrize("case", sorted(VALUES))
@pytest.mark.parametrize("keys", [["g"], ["g", "h"]])
def test_sort_within_groups_orders_each_group_by_value(case: str, keys: list[str]) -> None:
    frame = _frame(VALUES[case])
    code = group_code(frame.lazy(), keys)
    assert code is not None
    rows = sort_within_groups(frame.lazy(), "v", code)
    assert rows.collect()[CODE].flags["SORTED_ASC"]
    out = with_keys(rows, code).collect()
    _assert_sorted_within(out, keys, frame)


def test_sort_without_groups_is_a_sort_by_value() -> None:
    frame = _frame(VALUES["partitioned"])
    assert group_code(frame.lazy(), [ALL]) is None
    out = sort_within_groups(frame.lazy(), "v", None).collect()  # a plain sort
    assert CODE not in out.columns
    v = out["v"].to_numpy()
    assert np.all(v[1:] >= v[:-1])
    assert np.array_equal(np.sort(v), np.sort(frame["v"].to_numpy()))


def test_group_code_codes_text_but_refuses_floats_and_wide_ranges() -> None:
    frame = _frame(VALUES["packed"]).with_columns(
        pl.format("g{}", "g").alias("name"),
        (pl.col("g").cast(pl.Int64) * 100_000).alias("big"),
        (pl.col("g") / 2).alias("half"),
    )
    code = group_code(frame.lazy(), ["name"])
    assert code is not None
    assert code.span == frame["name"].n_unique()
    assert group_code(frame.lazy(), ["half"]) is None
    assert group_code(frame.lazy(), ["big"]) is None


def test_grouped_agg_takes_keys_from_the_slices() -> None:
    frame = _frame(VALUES["packed"])
    code = group_code(frame.lazy(), ["g", "h"])
    rows = sort_within_groups(frame.lazy(), "v", code)
    assert code is not None
    got = grouped_agg(rows, code, [pl.col("w").sum(), pl.len()]).collect().sort("g", "h")
    want = frame.group_by("g", "h").agg(pl.col("w").sum(), pl.len()).sort("g", "h")
    assert got.select("g", "h", "len").equals(want.select("g", "h", "len"))
    np.testing.assert_allclose(got["w"].to_numpy(), want["w"].to_numpy(), rtol=1e-12)


@pytest.mark.parametrize("groups", [None, 3])
@pytest.mark.parametrize("split", [False, True], ids=["whole", "chunks-and-halves"])
def test_order_within_groups_is_exact_when_kept_bits_tie(
    groups: int | None, split: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 1e-300 and 1e300 make the value codes span almost 2^64, so only the leading bits
    # are packed; thousands of values a few ulps apart then share those bits and must be
    # put in order by their full codes. Exact duplicates stay as they are.
    if split:
        # What 10 M rows go through: keys packed and unpacked in steps of _CHUNK rows,
        # sorted as two halves. Runs of tied keys then cross the steps' ends and the
        # halves' border (the median falls among the 20,000 near-equal values).
        monkeypatch.setattr(_sort, "_CHUNK", 1_000)
        monkeypatch.setattr(_sort, "_PARALLEL", 0)
        monkeypatch.setattr(pl, "thread_pool_size", lambda: 2)
    rng = np.random.default_rng(7)
    near = 1000.0 + rng.integers(0, 5_000, 20_000) * np.spacing(1000.0)
    values = np.concatenate([near, [1e-300, 1e300, -1e300, -0.0, 0.0]])
    rng.shuffle(values)
    codes = None if groups is None else rng.integers(0, groups, values.size).astype(np.uint16)
    perm = order_within_groups(values, codes, groups or 1)
    assert np.array_equal(np.sort(perm), np.arange(values.size))
    got_values = values[perm]
    if codes is None:
        assert np.array_equal(got_values, np.sort(values))
    else:
        got_codes = codes[perm]
        assert np.all(np.diff(got_codes.astype(np.int64)) >= 0)
        for g in range(groups or 1):
            assert np.array_equal(got_values[got_codes == g], np.sort(values[codes == g]))


def test_sort_by_group_alone_keeps_each_group_in_row_order() -> None:
    frame = _frame(VALUES["packed"]).with_row_index("i")
    code = group_code(frame.lazy(), ["g"])
    assert code is not None
    out = with_keys(sort_within_groups(frame.lazy(), None, code), code).collect()
    assert out["g"].is_sorted()
    for _, part in out.group_by("g", maintain_order=True):
        assert part["i"].is_sorted()
