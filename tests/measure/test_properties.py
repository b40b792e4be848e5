"""Property tests: invariances, orderings and decompositions (hypothesis)."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from mekong.measure import alkire_foster, fgt, inequality, poverty

MEASURES = (
    "gini",
    "theil_t",
    "theil_l",
    "ge2",
    "atkinson0.5",
    "atkinson1",
    "palma",
    "s80_s20",
    "lorenz_0.3",
    "mean",
)
SCALE_FREE = [m for m in MEASURES if m != "mean"]

welfare = st.lists(st.floats(0.1, 1000.0), min_size=2, max_size=25)
weights = st.lists(st.integers(1, 4), min_size=25, max_size=25)
fast = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def values(frame: pl.DataFrame) -> np.ndarray:
    return frame["estimate"].to_numpy()


@fast
@given(welfare, st.integers(2, 3))
def test_replication_invariance(ys: list[float], copies: int) -> None:
    one = pl.DataFrame({"y": ys})
    many = pl.DataFrame({"y": ys * copies})
    assert_allclose(
        values(inequality(one, welfare="y", measures=MEASURES)),
        values(inequality(many, welfare="y", measures=MEASURES)),
        rtol=1e-9,
        atol=1e-12,
    )
    line = float(np.median(ys))
    assert_allclose(
        values(poverty(one, welfare="y", line=line, measures=("fgt0", "fgt1", "sen", "sst"))),
        values(poverty(many, welfare="y", line=line, measures=("fgt0", "fgt1", "sen", "sst"))),
        rtol=1e-9,
        atol=1e-12,
    )


@fast
@given(welfare, st.floats(0.01, 100.0))
def test_scale_invariance(ys: list[float], factor: float) -> None:
    base = pl.DataFrame({"y": ys})
    scaled = pl.DataFrame({"y": [y * factor for y in ys]})
    assert_allclose(
        values(inequality(base, welfare="y", measures=SCALE_FREE)),
        values(inequality(scaled, welfare="y", measures=SCALE_FREE)),
        rtol=1e-8,
        atol=1e-12,
    )
    line = float(np.mean(ys))
    # A welfare exactly at the line may round to either side once scaled.
    assume(all(abs(y - line) > 1e-9 * line for y in ys))
    assert_allclose(
        values(fgt(base, welfare="y", line=line)),
        values(fgt(scaled, welfare="y", line=line * factor)),
        rtol=1e-8,
        atol=1e-12,
    )


@fast
@given(welfare, weights)
def test_integer_weights_equal_replication(ys: list[float], ws: list[int]) -> None:
    ws = ws[: len(ys)]
    weighted = pl.DataFrame({"y": ys, "w": [float(w) for w in ws]})
    replicated = pl.DataFrame({"y": [y for y, w in zip(ys, ws, strict=True) for _ in range(w)]})
    assert_allclose(
        values(inequality(weighted, welfare="y", weight="w", measures=MEASURES)),
        values(inequality(replicated, welfare="y", measures=MEASURES)),
        rtol=1e-9,
        atol=1e-12,
    )


@fast
@given(welfare, st.floats(1.0, 1000.0))
def test_fgt_ordering(ys: list[float], line: float) -> None:
    p0, p1, p2 = values(fgt(pl.DataFrame({"y": ys}), welfare="y", line=line))
    assert p0 >= p1 >= p2 >= 0


@fast
@given(welfare, st.lists(st.integers(0, 3), min_size=25, max_size=25), st.floats(1.0, 1000.0))
def test_fgt_groups_sum_to_total(ys: list[float], groups: list[int], line: float) -> None:
    data = pl.DataFrame({"y": ys, "g": groups[: len(ys)]})
    total = values(fgt(data, welfare="y", line=line))
    by = fgt(data, welfare="y", line=line, by="g")
    share = by["population"] / len(ys)
    for i, measure in enumerate(("fgt0", "fgt1", "fgt2")):
        part = by.filter(pl.col("measure") == measure)
        combined = (part["estimate"] * part["population"]).sum() / len(ys)
        assert_allclose(combined, total[i], rtol=1e-9, atol=1e-12)
    assert_allclose(share.sum() / 3, 1.0)


@fast
@given(
    st.lists(st.lists(st.integers(0, 1), min_size=4, max_size=4), min_size=2, max_size=20),
    st.sampled_from(["1/4", "1/2", "3/4", "1"]),
)
def test_mpi_identities(rows: list[list[int]], k: str) -> None:
    data = pl.DataFrame({f"d{j}": [r[j] for r in rows] for j in range(4)})
    ind = {"d0": 1, "d1": 2, "d2": 3, "d3": 6}
    out = alkire_foster(data, indicators=ind, k=k)
    e = dict(zip(out["measure"], out["estimate"], strict=True))
    assert_allclose(e["M0"], e["H"] * (e["A"] or 0.0), atol=1e-12)
    if e["M0"] > 0:
        assert_allclose(sum(e[f"contribution_d{j}"] for j in range(4)), 1.0)
    for j in range(4):
        assert e[f"censored_d{j}"] <= e[f"uncensored_d{j}"] + 1e-12
