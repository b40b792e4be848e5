"""PSU numbering and per-PSU sums of the numpy variance kernel, against plain loops."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from numpy.testing import assert_allclose

from mekong.measure._design import compact_key
from mekong.measure._kernel import PsuIndex, psu_index, stratum_sums


def _index(stratum: list[int], psu: list[int]) -> tuple[np.ndarray, PsuIndex]:
    frame = pl.DataFrame({"s": stratum, "p": psu})
    key = compact_key(frame.lazy(), ["s", "p"])
    assert key is not None
    codes = frame.select(key.expr()).to_series().to_numpy()
    return psu_index(codes, key, 1)


@pytest.mark.parametrize(
    ("stratum", "psu"),
    [
        # PSU codes unique across strata (numbered through a table of PSU codes).
        ([2, 2, 0, 0, 2, 1, 1], [7, 5, 9, 9, 7, 4, 6]),
        # Code 5 in two strata (numbered through a table of whole codes).
        ([2, 2, 0, 0, 2, 1, 1], [7, 5, 5, 9, 7, 4, 6]),
    ],
)
def test_psu_numbers_run_stratum_by_stratum(stratum: list[int], psu: list[int]) -> None:
    number, index = _index(stratum, psu)
    # Expected: distinct (stratum, psu) pairs in sorted order, numbered 0, 1, ...
    pairs = sorted(set(zip(stratum, psu, strict=True)))
    assert number.tolist() == [pairs.index(sp) for sp in zip(stratum, psu, strict=True)]
    assert index.count == len(pairs)
    assert index.strata["s"].to_list() == sorted(set(stratum))
    assert index.per_stratum.tolist() == [sum(1 for s, _ in pairs if s == h) for h in (0, 1, 2)]


def test_stratum_sums_equal_a_loop_over_domains_and_psus() -> None:
    rng = np.random.default_rng(4)
    n = 3_000
    stratum = rng.integers(0, 5, n)
    psu_code = rng.integers(0, 40, n)  # nested in strata
    domain = np.sort(rng.integers(0, 6, n))
    domain[domain == 2] = 3  # an empty domain
    a = [rng.normal(size=n), rng.uniform(size=n)]
    coefs = rng.normal(size=(6, 2, 2))
    number, index = _index(stratum.tolist(), psu_code.tolist())
    bounds = np.searchsorted(domain, np.arange(7))
    got = stratum_sums(number.astype(np.intp), bounds, a, coefs, index)
    want: dict[tuple[int, int], list[float]] = {}
    for d in range(6):
        for h in range(5):
            rows = (domain == d) & (stratum == h)
            if not rows.any():
                continue
            zs = []
            for p in np.unique(psu_code[rows]):
                cell = rows & (psu_code == p)
                zs.append(
                    [
                        (coefs[d, m, 0] * a[0][cell] + coefs[d, m, 1] * a[1][cell]).sum()
                        for m in range(2)
                    ]
                )
            z = np.array(zs)
            want[(d, h)] = [len(zs), *z.sum(axis=0), *(z**2).sum(axis=0)]
    keys = list(zip(got["domain"].tolist(), got["stratum"].tolist(), strict=True))
    assert keys == sorted(want)
    table = np.array([want[k] for k in keys])
    assert got["k"].tolist() == table[:, 0].astype(int).tolist()
    for m in range(2):
        assert_allclose(got[f"s1_{m}"], table[:, 1 + m], rtol=1e-12, atol=1e-12)
        assert_allclose(got[f"s2_{m}"], table[:, 3 + m], rtol=1e-12, atol=1e-12)
