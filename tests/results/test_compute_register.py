"""Computed register indicators against hand-computed values on the shared results world.

results_world (tests/results/conftest.py): four Myanmar households of size 2 in village
MM-PUB, weight 1, classified under MM-NL; poor in 2023: MM-H1, MM-H2 (2 of 4 → 50 %),
in 2024: MM-H1 (1 of 4 → 25 %). Per-capita incomes (MMK/person/year) in INCOMES:
2023 600, 900, 1500, 2000; 2024 800, 1200, 1800, 2600.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from numpy.testing import assert_allclose
from scipy import stats

from mekong.registry.models import Classification, HouseholdObservation
from mekong.results.compute import refresh_framework
from mekong.results.models import IndicatorValue, ReportingPeriod, ValueSource, ValueStatus
from tests.conftest import World
from tests.projects.conftest import Portfolio
from tests.registry.exit_fixtures import household, observe
from tests.results.compute_fixtures import add_lao, add_members, add_mpi, computed
from tests.results.conftest import ResultsWorld


def _values(code: str) -> dict[tuple[str, str], IndicatorValue]:
    return {
        (v.period.code, v.disaggregation_key): v
        for v in IndicatorValue.objects.filter(indicator__code=code).select_related("period")
    }


def _number(values: dict[tuple[str, str], IndicatorValue], period: str, key: str = "") -> float:
    found = values[(period, key)].value
    assert found is not None, values[(period, key)].unavailable_reason
    return float(found)


def test_headcount_matches_the_hand_count(results_world: ResultsWorld) -> None:
    report = refresh_framework(results_world.project_framework)
    values = _values("MM-G1")
    assert values[("2023", "")].value == Decimal("50")
    assert values[("2024", "")].value == Decimal("25")
    total = values[("2023", "")]
    # 4 households × size 2 × weight 1 = 8 people; a census round has no sampling error.
    assert (total.n, total.population, total.se, total.ci_low) == (4, 8.0, None, None)
    assert total.source == ValueSource.COMPUTED
    assert total.status == ValueStatus.COMPUTED
    assert total.computed_at is not None
    assert report.created == len(values)


def test_village_and_country_cells_always_come_with_register_indicators(
    results_world: ResultsWorld, world: World
) -> None:
    refresh_framework(results_world.project_framework)
    keys = {key for period, key in _values("MM-G1") if period == "2024"}
    # Every household lives in the published village; the hidden one has no observation.
    assert keys == {"", f"village={world.mm_published.code}", "country=MMR"}
    assert _number(_values("MM-G1"), "2024", "country=MMR") == 25.0


def test_household_level_sex_cells_use_the_head_and_average_to_the_total(
    results_world: ResultsWorld,
) -> None:
    add_members(results_world)
    computed(
        results_world.project_framework,
        "HH-POOR",
        {"kind": "headcount", "scheme": "MM-NL", "per": "household"},
        disaggregations=["sex", "ethnicity", "age_band", "disability"],
    )
    refresh_framework(results_world.project_framework)
    values = _values("HH-POOR")
    # 2024: only MM-H1 (female head) is poor: female-headed 1 of 2 = 50 %, male-headed 0 of 2.
    assert _number(values, "2024", "sex=F") == 50.0
    assert _number(values, "2024", "sex=M") == 0.0
    # Ethnicity of heads: Shan (MM-H1 poor, MM-H2 not) 50 %, Chin 0 %, blank → unknown 0 %.
    assert _number(values, "2024", "ethnicity=Shan") == 50.0
    assert _number(values, "2024", "ethnicity=unknown") == 0.0
    # Heads born 1980 are 43-44: all 25-59. MM-H3 has a member who cannot walk in 2024.
    assert _number(values, "2024", "age_band=25-59") == 25.0
    assert _number(values, "2024", "disability=yes") == 0.0
    assert _number(values, "2024", "disability=no") == pytest.approx(100 / 3, abs=1e-6)
    for dimension in ("sex", "ethnicity", "age_band", "disability", "village", "country"):
        for period in ("2023", "2024"):
            cells = [v for (p, k), v in values.items() if p == period and k.startswith(dimension)]
            weighted = sum(float(c.value or 0) * (c.population or 0) for c in cells)
            population = sum(c.population or 0 for c in cells)
            assert population == values[(period, "")].population
            # Values are stored with 6 decimals, so cells agree to rounding.
            assert_allclose(weighted / population, _number(values, period), atol=1e-5)


def test_person_level_cells_count_the_people_observed_in_the_round(
    results_world: ResultsWorld,
) -> None:
    add_members(results_world)
    results_world.headcount.disaggregations = ["sex", "age_band", "disability"]
    results_world.headcount.save()
    refresh_framework(results_world.project_framework)
    values = _values("MM-G1")
    # 2024: MM-H1's two people are poor: one woman of 4, one man of 4.
    assert _number(values, "2024", "sex=F") == 25.0
    assert _number(values, "2024", "sex=M") == 25.0
    # Heads 25-59 (1 of 4 poor), spouses 15-24 (1 of 4 poor).
    assert _number(values, "2024", "age_band=15-24") == 25.0
    # One disabled person (MM-H3, not poor): 0 %; 2 poor of the other 7 people.
    assert _number(values, "2024", "disability=yes") == 0.0
    assert _number(values, "2024", "disability=no") == pytest.approx(200 / 7, abs=1e-6)
    cells = [values[("2024", "disability=yes")], values[("2024", "disability=no")]]
    weighted = sum(float(c.value or 0) * (c.population or 0) for c in cells) / 8
    assert_allclose(weighted, 25.0, atol=1e-5)  # 6 stored decimals


def test_household_share_tests_every_condition(results_world: ResultsWorld) -> None:
    water = {"MM-H1": ("piped", 10), "MM-H2": ("protected", 45), "MM-H3": ("surface", 5)}
    for hh in results_world.households:
        source, minutes = water.get(hh.external_id, ("piped", 20))
        HouseholdObservation.objects.filter(household=hh, survey_round=results_world.r2024).update(
            water_source=source, water_minutes=minutes
        )
    computed(
        results_world.project_framework,
        "WATER",
        {
            "kind": "household_share",
            "all": [
                {"field": "water_source", "op": "in", "value": ["piped", "protected"]},
                {"field": "water_minutes", "op": "le", "value": 30},
            ],
        },
    )
    refresh_framework(results_world.project_framework)
    values = _values("WATER")
    # Safe and within 30 minutes: MM-H1 (piped, 10) and MM-H4 (piped, 20) → 2 of 4.
    assert _number(values, "2024") == 50.0
    # 2023 observations have no water data: unknown, not 0 %.
    assert values[("2023", "")].value is None
    assert "answered" in values[("2023", "")].unavailable_reason


def test_household_share_leaves_unanswered_households_out(results_world: ResultsWorld) -> None:
    # MM-H1 piped, 10 min (meets); MM-H2 surface, minutes unknown (fails: surface decides);
    # MM-H3 piped, minutes unknown (unknown: left out); MM-H4 protected, 45 min (fails).
    water = {
        "MM-H1": ("piped", 10),
        "MM-H2": ("surface", None),
        "MM-H3": ("piped", None),
        "MM-H4": ("protected", 45),
    }
    for hh in results_world.households:
        source, minutes = water[hh.external_id]
        HouseholdObservation.objects.filter(household=hh, survey_round=results_world.r2024).update(
            water_source=source, water_minutes=minutes
        )
    computed(
        results_world.project_framework,
        "WATER",
        {
            "kind": "household_share",
            "all": [
                {"field": "water_source", "op": "in", "value": ["piped", "protected"]},
                {"field": "water_minutes", "op": "le", "value": 30},
            ],
        },
    )
    refresh_framework(results_world.project_framework)
    total = _values("WATER")[("2024", "")]
    # 1 of the 3 households whose answers decide (weight 1 each).
    assert float(total.value or 0) == pytest.approx(100 / 3, abs=1e-6)
    assert total.n == 3


def test_mean_income_is_per_person(results_world: ResultsWorld) -> None:
    computed(
        results_world.project_framework,
        "INCOME",
        {"kind": "mean_income"},
        unit="money_per_person_year",
        currency="MMK",
    )
    refresh_framework(results_world.project_framework)
    values = _values("INCOME")
    assert _number(values, "2023") == (600 + 900 + 1500 + 2000) / 4  # 1250
    assert _number(values, "2024") == (800 + 1200 + 1800 + 2600) / 4  # 1600


def test_mean_income_in_two_currencies_has_no_total_but_country_cells(
    results_world: ResultsWorld, world: World, portfolio: Portfolio
) -> None:
    add_lao(results_world, world, portfolio)
    computed(results_world.programme_framework, "PG-INC", {"kind": "mean_income"})
    refresh_framework(results_world.programme_framework)
    values = _values("PG-INC")
    assert values[("2024", "")].value is None
    assert "LAK, MMK" in values[("2024", "")].unavailable_reason
    assert _number(values, "2024", "country=MMR") == 1600.0
    # Lao: 3 people at 500 and 5 at 5,000 LAK → (1,500 + 25,000) / 8 = 3,312.5.
    assert _number(values, "2024", "country=LAO") == 3312.5


def test_mean_income_in_the_indicator_currency_keeps_that_country(
    results_world: ResultsWorld, world: World, portfolio: Portfolio
) -> None:
    add_lao(results_world, world, portfolio)
    computed(results_world.programme_framework, "PG-INC", {"kind": "mean_income"}, currency="MMK")
    refresh_framework(results_world.programme_framework)
    values = _values("PG-INC")
    assert values[("2024", "")].value is None
    assert "LAK, MMK" in values[("2024", "")].unavailable_reason
    # Myanmar reports in the indicator's currency: its cell has a value; Laos' has none.
    assert _number(values, "2024", "country=MMR") == 1600.0
    assert values[("2024", "country=LAO")].value is None
    assert "LAK" in values[("2024", "country=LAO")].unavailable_reason


def test_mpi_measures_match_the_hand_computed_alkire_foster(
    results_world: ResultsWorld, world: World
) -> None:
    add_mpi(results_world, world)
    for measure in ("H", "A", "M0"):
        computed(
            results_world.project_framework,
            f"MPI-{measure}",
            {"kind": "mpi", "scheme": "MM-MPI", "measure": measure},
        )
    refresh_framework(results_world.project_framework)
    # Scores 1/3, 7/18, 1/9, 0 with k = 1/3: H = 2/4; A = (6/18 + 7/18) / 2 = 13/36;
    # M0 = H × A = 13/72 (Alkire & Foster 2011, eq. for M0).
    assert _number(_values("MPI-H"), "2024") == 50.0
    assert_allclose(_number(_values("MPI-A"), "2024"), 13 / 36, atol=1e-6)
    assert_allclose(_number(_values("MPI-M0"), "2024"), 13 / 72, atol=1e-6)
    # 2023 observations exist but MM-MPI classified nobody then.
    assert "MM-MPI" in _values("MPI-H")[("2023", "")].unavailable_reason


@pytest.mark.parametrize(
    ("computation", "reason"),
    [
        ({"kind": "headcount", "scheme": "NOPE"}, "No poverty scheme has the code NOPE."),
        ({"kind": "mpi", "scheme": "MM-NL"}, "not a multidimensional (MPI) scheme"),
        ({"kind": "headcount", "scheme": ""}, "The computation is not valid"),
    ],
)
def test_values_that_cannot_be_computed_say_why(
    results_world: ResultsWorld, computation: dict[str, str], reason: str
) -> None:
    computed(results_world.project_framework, "BAD", computation)
    report = refresh_framework(results_world.project_framework)
    value = _values("BAD")[("2024", "")]
    assert value.value is None
    assert reason in value.unavailable_reason
    assert any(p.startswith("BAD 2024:") for p in report.problems)


def test_a_period_without_observations_says_so(results_world: ResultsWorld) -> None:
    ReportingPeriod.objects.create(
        framework=results_world.project_framework,
        code="2025",
        starts_on=date(2025, 1, 1),
        ends_on=date(2025, 12, 31),
    )
    refresh_framework(results_world.project_framework)
    value = _values("MM-G1")[("2025", "")]
    assert value.value is None
    assert value.unavailable_reason.startswith("No household observation is dated inside")


def test_the_latest_observation_in_the_period_counts(results_world: ResultsWorld) -> None:
    # A second 2024 round in December: MM-H2 falls back below the line (1 of 4 → 2 of 4).
    from mekong.registry.models import RoundKind, SurveyRound

    december = SurveyRound.objects.create(
        code="MM-2024-12",
        kind=RoundKind.MIDLINE,
        country=results_world.r2024.country,
        started_on=date(2024, 12, 1),
    )
    for hh in results_world.households:
        poor = hh.external_id in ("MM-H1", "MM-H2")
        observe(hh, december, per_capita=700 if poor else 3000)
        Classification.objects.create(
            household=hh,
            survey_round=december,
            scheme=results_world.scheme,
            poor=poor,
            level="poor" if poor else "non_poor",
        )
    refresh_framework(results_world.project_framework)
    assert _number(_values("MM-G1"), "2024") == 50.0


def test_sample_rounds_get_design_based_standard_errors(
    results_world: ResultsWorld, world: World
) -> None:
    # Three more households in the project's second village (a second PSU): MM-H5 poor.
    for code, poor in (("MM-H5", True), ("MM-H6", False), ("MM-H7", False)):
        hh = household(world.mm_hidden, code)
        observe(hh, results_world.r2023, per_capita=500 if poor else 5000)
        Classification.objects.create(
            household=hh,
            survey_round=results_world.r2023,
            scheme=results_world.scheme,
            poor=poor,
            level="poor" if poor else "non_poor",
        )
    results_world.r2023.is_sample = True
    results_world.r2023.save()
    refresh_framework(results_world.project_framework)
    total = _values("MM-G1")[("2023", "")]
    # 6 poor of 14 people: R = 3/7. Linearised u_i = (y_i − R)/N per person, PSU totals
    # z = 2·(2·4/7 − 2·3/7)/14 = 2/49 and −2/49; one stratum of 2 PSUs:
    # V = 2/(2−1) · ((2/49)² + (2/49)²) = 16/2401, SE = 4/49 (Wolter 2007, eq. 6.2.3);
    # t interval with 2 PSUs − 1 stratum = 1 degree of freedom.
    assert_allclose(float(total.value or 0), 300 / 7, atol=1e-6)
    assert_allclose(total.se or 0, 400 / 49, rtol=1e-9)
    half = stats.t.ppf(0.975, 1) * 400 / 49
    assert_allclose(
        [total.ci_low or 0, total.ci_high or 0], [300 / 7 - half, 300 / 7 + half], rtol=1e-9
    )
