"""Each identification scheme against hand-computed cases (the arithmetic is in the comments)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from mekong.core.errors import InvalidInput
from mekong.registry.schemes import (
    HouseholdFacts,
    MemberFacts,
    adult_equivalents,
    evaluate,
    parse_config,
)


def member(age: int, **kw: object) -> MemberFacts:
    values: dict[str, object] = {
        "years_of_schooling": None,
        "attending_school": None,
        "health": "healthy",
        "has_disability": False,
        "medical_insurance": True,
        "labour": "full",
    }
    values.update(kw)
    return MemberFacts(age=age, **values)  # type: ignore[arg-type]


# Two adults (40, 38) and two children (10, 7); 5 years of school at most; 2019 round.
FAMILY = HouseholdFacts(
    year=2019,
    size=4,
    net_income=Decimal("3650000"),  # MMK per year
    consumption_monthly=Decimal("240000"),
    members=(
        member(40, years_of_schooling=5),
        member(38, years_of_schooling=4),
        member(10, attending_school=True),
        member(7, attending_school=True),
    ),
)


def _run(kind: str, config: dict[str, object], facts: HouseholdFacts = FAMILY):  # type: ignore[no-untyped-def]
    return evaluate(kind, parse_config(kind, config), facts)


def test_monetary_per_person_per_day() -> None:
    # 3,650,000 / 365 days / 4 persons = 2,500 MMK per person per day.
    config = {"period": "day", "line": "2500", "currency": "MMK", "price_year": 2019}
    result = _run("monetary", config)
    assert result.value == Decimal("2500")
    assert not result.poor  # strictly below the line is poor (World Bank rule)
    assert _run("monetary", {**config, "at_or_below": True}).poor  # convey's rule


def test_monetary_adult_equivalent_with_deflator() -> None:
    # MLCS-style: 1,590 kyat per adult equivalent per day in 2017 prices [S46]; CPI 100 → 110
    # moves it to 1,749 in 2019. OECD-modified AE = 1 + 0.5×1 + 0.3×2 = 2.1; consumption
    # 240,000 × 12 / 365 / 2.1 = 3,757.34 per AE per day → not poor.
    config = {
        "welfare": "consumption",
        "unit": "adult_equivalent",
        "period": "day",
        "line": "1590",
        "currency": "MMK",
        "price_year": 2017,
        "deflator": {"2017": "100", "2019": "110"},
    }
    result = _run("monetary", config)
    assert result.reasons["line"] == "1749.00"
    assert result.reasons["welfare"] == "3757.34"
    assert not result.poor
    assert adult_equivalents(FAMILY, "oecd_modified") == Decimal("2.1")
    assert adult_equivalents(FAMILY, "oecd") == Decimal("2.7")  # 1 + 0.7 + 0.5×2


def test_missing_price_index_is_named() -> None:
    config = {
        "period": "day",
        "line": "1590",
        "currency": "MMK",
        "price_year": 2017,
        "deflator": {"2017": "100"},
    }
    with pytest.raises(InvalidInput, match="no price index for 2019"):
        _run("monetary", config)


def test_international_line_through_ppp_and_cpi() -> None:
    # USD 3.00 × 759 kip per intl $ (illustrative PPP) × CPI 2019/2021 = 95/100 → 2,163.15
    # kip per person per day. Income 3,650,000 / 365 / 4 = 2,500 → not poor at USD 3.00;
    # at USD 4.20: 4.20 × 759 × 0.95 = 3,028.41 → poor.
    config = {"ppp": "759", "cpi": {"2019": "95", "2021": "100"}, "currency": "LAK"}
    result = _run("international", config)
    assert result.reasons["line"] == "2163.15"
    assert not result.poor
    assert _run("international", {**config, "usd_per_day": "4.20"}).poor


def test_mpi_counts_a_score_of_exactly_k_as_poor() -> None:
    # Deprived in cooking fuel, sanitation, electricity, housing, assets and years of
    # schooling (max 5 < 6): 5 × 1/18 + 1/6 = 8/18 = 4/9 ≥ 1/3 → poor, not severe (< 1/2).
    facts = replace(
        FAMILY,
        cooking_fuel="wood",
        sanitation="none",
        electricity=False,
        roof="natural",
        assets=("phone",),
    )
    result = _run("mpi", {})
    assert result.reasons["score"] == "0/1" or result.level in {"poor", "vulnerable", "non_poor"}
    result = evaluate("mpi", parse_config("mpi", {}), facts)
    assert result.reasons["score"] == "4/9"
    assert result.level == "poor"
    # Twelve equal weights, six deprivations, k = 1/2: exactly k → poor (floats can miss it).
    twelve = {
        name: "1/12"
        for name in (
            "nutrition",
            "child_mortality",
            "years_of_schooling",
            "school_attendance",
            "cooking_fuel",
            "sanitation",
            "drinking_water",
            "electricity",
            "housing",
            "assets",
        )
    }
    twelve["nutrition"] = "1/12"
    twelve["assets"] = "3/12"  # 9 × 1/12 + 3/12 = 1
    config = {"weights": twelve, "k": "1/2"}
    facts6 = replace(
        FAMILY,
        electricity=True,
        cooking_fuel="wood",
        sanitation="none",
        water_source="surface",
        roof="natural",
        child_death_5y=True,
        undernourished=True,
        members=(member(40, years_of_schooling=9),),
    )
    # Deprived: nutrition, child mortality, cooking fuel, sanitation, water, housing =
    # 6 × 1/12 = 1/2 (assets: none owned → deprived too, so drop assets by giving a car).
    facts6 = replace(facts6, assets=("car",))
    result = evaluate("mpi", parse_config("mpi", config), facts6)
    assert result.reasons["score"] == "1/2"
    assert result.poor
    assert result.level == "severe"  # 1/2 is also the severe cut-off


def test_mpi_weights_must_sum_to_one() -> None:
    with pytest.raises(InvalidInput, match="add up to"):
        parse_config("mpi", {"weights": {"nutrition": "1/2", "assets": "1/3"}})


def test_china_income_and_guarantees() -> None:
    # Line CNY 2,300 at 2010 prices; deflator 100 → 139.9 gives 3,217.70 in 2019 (close to
    # the 3,218 quoted for 2019 [S42]). Income 12,000 / 4 = 3,000 < 3,217.70 → poor (income).
    config = {"deflator": {"2010": "100", "2019": "139.9"}}
    facts = replace(FAMILY, net_income=Decimal("12000"))
    result = evaluate("china", parse_config("china", config), facts)
    assert result.reasons["line"] == "3217.70"
    assert result.reasons["failed"] == ["income"]
    # Income above the line but a dangerous house and a child out of school: still poor.
    facts = replace(
        FAMILY,
        net_income=Decimal("20000"),
        dangerous_house=True,
        members=(member(40), member(12, attending_school=False)),
    )
    result = evaluate("china", parse_config("china", config), facts)
    assert result.reasons["failed"] == ["education", "housing"]
    assert result.poor
    # All guarantees met and income above the line: not poor.
    facts = replace(FAMILY, net_income=Decimal("20000"))
    assert not evaluate("china", parse_config("china", config), facts).poor


def test_scoring_levels_rural_questionnaire() -> None:
    # Points: natural roof 6, no electricity 4, land 0–0.5 ha 8, food shortage 3–6 months 5;
    # 23 points ≥ 20 → level_1; cut-offs are illustrative (the real IDPoor points are VERIFY).
    config = {
        "questionnaire": "rural",
        "items": [
            {"field": "roof", "points": {"natural": 6, "rudimentary": 3}},
            {"field": "electricity", "points": {"no": 4}},
            {"field": "land_ha", "bands": [["0", "0.5", 8], ["0.5", "1", 4]]},
            {"field": "food_shortage_months", "bands": [["3", "7", 5], ["7", "13", 9]]},
        ],
        "levels": [["level_1", 20], ["level_2", 12]],
    }
    facts = replace(FAMILY, roof="natural", land_ha=Decimal("0.3"), food_shortage_months=4)
    result = evaluate("scoring", parse_config("scoring", config), facts)
    assert result.reasons["items"] == {
        "roof": 6,
        "electricity": 4,
        "land_ha": 8,
        "food_shortage_months": 5,
    }
    assert (result.value, result.level, result.poor) == (Decimal("23"), "level_1", True)
    facts = replace(facts, roof="finished", food_shortage_months=0)  # 4 + 8 = 12 → level_2
    assert evaluate("scoring", parse_config("scoring", config), facts).level == "level_2"


def test_bad_configuration_names_the_key() -> None:
    with pytest.raises(InvalidInput, match=r"config\.line"):
        parse_config(
            "monetary", {"period": "day", "line": "-1", "currency": "MMK", "price_year": 2019}
        )
    with pytest.raises(InvalidInput, match=r"config\.levels"):
        parse_config(
            "scoring",
            {"questionnaire": "rural", "items": [], "levels": [["level_2", 12], ["level_1", 20]]},
        )
    with pytest.raises(InvalidInput, match="unknown scheme kind"):
        parse_config("astrology", {})
