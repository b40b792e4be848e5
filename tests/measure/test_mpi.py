"""Alkire-Foster MPI: the published example, exact identification and svy cross-check."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import polars as pl
import pytest
from numpy.testing import assert_allclose

from mekong.measure import Design, MeasureError, alkire_foster

# Alkire & Foster (2011), J. Public Econ. 95(7-8), 476-487, section 3 example: four
# persons, four dimensions (income, years of schooling, self-reported health, member of
# a Malaria-prone area's...), achievement matrix y and cut-offs z = (13, 12, 3, 1).
# Deprivation counts c = (0, 2, 4, 1); with k = 2 of 4 (k = 1/2 here): H = 1/2,
# A = 3/4, M0 = 3/8.
AF = pl.DataFrame(
    {
        "income": [13.1, 15.2, 12.5, 20.0],
        "school": [14.0, 7.0, 10.0, 11.0],
        "health": [4.0, 5.0, 1.0, 3.0],
        "member": [1.0, 0.0, 0.0, 1.0],
    }
)
AF_CUTOFFS = {"income": 13.0, "school": 12.0, "health": 3.0, "member": 1.0}


def est(frame: pl.DataFrame, measure: str) -> float:
    return float(frame.filter(pl.col("measure") == measure)["estimate"][0])


def test_alkire_foster_2011_example() -> None:
    out = alkire_foster(AF, indicators={c: 1 for c in AF.columns}, k="1/2", cutoffs=AF_CUTOFFS)
    assert_allclose(est(out, "H"), 0.5)
    assert_allclose(est(out, "A"), 0.75)
    assert_allclose(est(out, "M0"), 0.375)
    # Censored headcounts: income (person 3), school (2, 3), health (3), member (2, 3).
    assert_allclose([est(out, f"censored_{c}") for c in AF.columns], [0.25, 0.5, 0.25, 0.5])
    # Uncensored: school is also deprived for person 4.
    assert_allclose(est(out, "uncensored_school"), 0.75)
    contributions = [est(out, f"contribution_{c}") for c in AF.columns]
    assert_allclose(sum(contributions), 1.0)
    assert_allclose(contributions, [1 / 6, 1 / 3, 1 / 6, 1 / 3])


def test_score_of_exactly_k_is_poor_with_twelve_equal_weights() -> None:
    # sum of twelve 1/12 floats for 6 indicators is 0.49999999999999994 < 0.5.
    assert sum([1 / 12] * 6) < 0.5
    cols = {f"d{j}": [1 if j < 6 else 0] for j in range(12)}
    for k in ("1/2", 0.5, Fraction(1, 2)):
        out = alkire_foster(pl.DataFrame(cols), indicators={c: 1 / 12 for c in cols}, k=k)
        assert est(out, "H") == 1.0, k


def test_global_mpi_weights_one_third_is_poor() -> None:
    # Global MPI weights: 1/6 for four indicators, 1/18 for six (UNDP/OPHI). A person
    # deprived in one 1/6 indicator and three 1/18 indicators scores exactly 1/3.
    weights = {f"h{j}": "1/6" for j in range(4)} | {f"l{j}": "1/18" for j in range(6)}
    row = {f"h{j}": [1 if j == 0 else 0] for j in range(4)}
    row |= {f"l{j}": [1 if j < 3 else 0] for j in range(6)}
    out = alkire_foster(pl.DataFrame(row), indicators=weights, k=1 / 3)
    assert est(out, "H") == 1.0
    assert_allclose(est(out, "A"), 1 / 3)
    assert est(out, "severe") == 0.0
    assert est(out, "vulnerable") == 0.0


def test_indicator_values_must_be_binary_without_cutoff() -> None:
    with pytest.raises(MeasureError, match=r"'a'.*0/1"):
        alkire_foster(pl.DataFrame({"a": [0, 2]}), indicators={"a": 1}, k=1)


@pytest.mark.parametrize("k", [0, 1.5, "x"])
def test_invalid_k(k: object) -> None:
    with pytest.raises(MeasureError, match="k"):
        alkire_foster(pl.DataFrame({"a": [0, 1]}), indicators={"a": 1}, k=k)  # type: ignore[arg-type]


def test_subgroup_contributions_sum_to_one_and_decompose() -> None:
    rng = np.random.default_rng(2)
    n = 300
    data = pl.DataFrame(
        {f"i{j}": rng.integers(0, 2, n) for j in range(5)}
        | {"w": rng.uniform(1, 3, n), "g": rng.integers(0, 4, n)}
    )
    ind = {f"i{j}": 1 for j in range(5)}
    overall = alkire_foster(data, indicators=ind, k="2/5", weight="w")
    grouped = alkire_foster(data, indicators=ind, k="2/5", weight="w", by="g")
    contrib = grouped.filter(pl.col("measure") == "m0_contribution")["estimate"]
    assert_allclose(contrib.sum(), 1.0)
    shares = grouped.filter(pl.col("measure") == "population_share")["estimate"].to_numpy()
    m0 = grouped.filter(pl.col("measure") == "M0")["estimate"].to_numpy()
    assert_allclose((shares * m0).sum(), est(overall, "M0"))


def test_intensity_matches_svy_ratio(wb_sample: pl.DataFrame, wb_design: Design) -> None:
    # A (intensity) is the ratio sum(w p c) / sum(w p); svy.estimation.ratio gives the same
    # ratio of totals with its linearised SE.
    import svy

    data = wb_sample.with_columns(
        (pl.col("electricity") != "Yes").cast(pl.Int8).alias("d_elec"),
        (pl.col("rooms") * 2 < pl.col("hhsize")).cast(pl.Int8).alias("d_crowd"),
        (pl.col("pc_exp") < 2000).cast(pl.Int8).alias("d_exp"),
    )
    ind = {"d_elec": 1, "d_crowd": 1, "d_exp": 1}
    ours = alkire_foster(data, indicators=ind, k="1/3", design=wb_design, by="urbrur")
    score = (pl.col("d_elec") + pl.col("d_crowd") + pl.col("d_exp")) / 3
    data = data.with_columns(
        (score >= 1 / 3 - 1e-12).cast(pl.Float64).alias("p"),
    ).with_columns((pl.col("p") * score).alias("pc"))
    sample = svy.Sample(data, svy.Design(stratum=("geo1", "urbrur"), psu="ea", wgt="hhweight"))
    ref = sample.estimation.ratio("pc", "p", by="urbrur").to_polars().sort("urbrur")
    mine = ours.filter(pl.col("measure") == "A").sort("urbrur")
    assert_allclose(mine["estimate"], ref["est"], rtol=0, atol=1e-9)
    assert_allclose(mine["se"], ref["se"], rtol=0, atol=1e-6)
    h_ref = sample.estimation.mean("p", by="urbrur").to_polars().sort("urbrur")
    h = ours.filter(pl.col("measure") == "H").sort("urbrur")
    assert_allclose(h["se"], h_ref["se"], rtol=0, atol=1e-6)


def test_subgroup_shares_equal_direct_sums() -> None:
    # population_share and m0_contribution are derived from the within-group output;
    # they must equal the direct weighted sums over the rows.
    rng = np.random.default_rng(8)
    n = 400
    data = pl.DataFrame(
        {f"i{j}": rng.integers(0, 2, n) for j in range(4)}
        | {"w": rng.uniform(1, 3, n), "g": rng.integers(0, 5, n)}
    )
    ind = {f"i{j}": 1 for j in range(4)}
    out = alkire_foster(data, indicators=ind, k="1/2", weight="w", by="g").sort("g")
    score = data.select(pl.sum_horizontal(f"i{j}" for j in range(4)) / 4).to_series()
    m0 = (score * (score >= 0.5)).to_numpy()
    w, g = data["w"].to_numpy(), data["g"].to_numpy()
    groups = np.unique(g)
    pop = np.array([w[g == k].sum() for k in groups])
    tot = np.array([(w * m0)[g == k].sum() for k in groups])
    share = out.filter(pl.col("measure") == "population_share")["estimate"].to_numpy()
    contrib = out.filter(pl.col("measure") == "m0_contribution")["estimate"].to_numpy()
    assert_allclose(share, pop / pop.sum(), rtol=1e-12)
    assert_allclose(contrib, tot / tot.sum(), rtol=1e-12)
    assert out.filter(pl.col("measure") == "m0_contribution")["n"].to_list() == [
        int((g == k).sum()) for k in groups
    ]


def test_point_estimates_from_deprivation_profiles_equal_the_rows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Point estimates sum the weights of each (group, deprivation profile) once and
    # measure those rows; with the collapse switched off every row is measured. Both
    # must agree on every measure, count and population, by text and boolean groups,
    # with two cut-off indicators among binary ones of three types.
    from mekong.measure import _engine, mpi

    rng = np.random.default_rng(11)
    n = 3_000
    frame = pl.DataFrame(
        {
            "d0": rng.integers(0, 2, n),
            "d1": rng.random(n) < 0.3,
            "d2": rng.integers(0, 2, n).astype(np.int8),
            "income": rng.lognormal(7, 1, n),
            "school": rng.integers(0, 12, n).astype(float),
            "w": rng.uniform(0.5, 3.0, n),
            "size": rng.integers(1, 8, n),
            "district": rng.choice(np.array(["Attapeu", "Sekong", "Saravan"]), n),
            "urban": rng.integers(0, 2, n) == 1,
        }
    )
    options: dict[str, object] = {
        "indicators": {"d0": "1/6", "d1": "1/6", "d2": "1/6", "income": "1/4", "school": "1/4"},
        "k": "1/3",
        "cutoffs": {"income": 900.0, "school": 6.0},
        "weight": "w",
        "size": "size",
        "by": ["district", "urban"],
    }
    calls: list[int] = []

    def counting(prep: _engine.Prepared, values: dict[str, pl.Expr]) -> _engine.Prepared:
        calls.append(len(values))
        return _engine.collapse(prep, values)

    monkeypatch.setattr(mpi, "collapse", counting)
    collapsed = alkire_foster(frame, **options)  # type: ignore[arg-type]
    assert calls == [5]
    monkeypatch.setattr(mpi, "_COLLAPSE_MAX_INDICATORS", 0)
    rows = alkire_foster(frame, **options)  # type: ignore[arg-type]
    assert calls == [5]
    keys = ["district", "urban", "measure"]
    assert collapsed.select(keys).equals(rows.select(keys))
    assert collapsed["n"].equals(rows["n"])
    assert set(collapsed["measure"]) >= {"H", "M0", "censored_income", "m0_contribution"}
    assert_allclose(collapsed["population"], rows["population"], rtol=1e-12)
    assert_allclose(collapsed["estimate"], rows["estimate"], rtol=1e-12, atol=1e-15)
