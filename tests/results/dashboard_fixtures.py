"""Precomputed rows for the dashboards on top of ``results_world``, written directly (as
results.compute would after a refresh) so the dashboard tests need no computation.

Villages: MM-V1 and MM-V2 (Myanmar, township Lewe under Nay Pyi Taw) in project MM-01;
LA-V1 (Laos, Sangthong under Vientiane Capital) in project LA-01. Hand-computed values
the tests check, period 2024:

Project framework (MM-01)
    MM-G1 headcount (%, lower is better, baseline 60, target 30): MM-V1 30 (population
    1,200, SE 3), MM-V2 15 (800, SE 4); total = country = (30·1200 + 15·800)/2000 = 24.
    Progress (24 − 60)/(30 − 60) = 120 %; Lewe's SE = sqrt((0.6·3)² + (0.4·4)²) = sqrt(5.8).
    MM-O1 safe water (%, higher is better, baseline 40, target 80): MM-V1 70 (240 households),
    MM-V2 50 (160); total (70·240 + 50·160)/400 = 62; progress (62 − 40)/(80 − 40) = 55 %.
    MM-P2 road (km, target 8, no baseline): 3.5 + 1.5 = 5; progress 5/8 = 62.5 %.
    MM-P1 trained (persons, target 200): total 150 (F 90, M 60), no village cells; 75 %.
Programme framework (EA-PILOT)
    PG-1 headcount (%, lower is better, target 25, no baseline): villages as above plus
    LA-V1 40 (1,000); countries MMR 24 (2,000), LAO 40 (1,000); total 88,000/3,000 = 29.333…;
    progress 25 / 29.333… = 85.227 %.
    PG-2 trained (persons, target 300): MMR 150, LAO 50, total 200; 66.667 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from mekong.results.models import (
    Analysis,
    AnalysisKind,
    Indicator,
    IndicatorKind,
    IndicatorValue,
    ReportingPeriod,
    Target,
    Unit,
    ValueSource,
    ValueStatus,
    disaggregation_key,
)
from tests.results.conftest import ResultsWorld

ROUNDS = [
    {"code": "MM-2023", "label": "2023", "year": 2023},
    {"code": "MM-2024", "label": "2024", "year": 2024},
]
LA_ROUNDS = [{"code": "LA-2024", "label": "2024", "year": 2024}]


@dataclass
class DashboardWorld:
    results: ResultsWorld
    water: Indicator
    road: Indicator
    programme_p2024: ReportingPeriod


def put_value(
    indicator: Indicator,
    period: ReportingPeriod,
    value: float | None,
    *,
    cell: dict[str, str] | None = None,
    se: float | None = None,
    n: int | None = None,
    population: float | None = None,
    reported: bool = False,
) -> IndicatorValue:
    """One value cell; computed ones carry a 95 % interval when they have an SE."""
    cell = cell or {}
    return IndicatorValue.objects.create(
        indicator=indicator,
        period=period,
        disaggregation=cell,
        disaggregation_key=disaggregation_key(cell),
        value=Decimal(str(value)) if value is not None else None,
        unavailable_reason="" if value is not None else "No observation in this period.",
        se=se,
        ci_low=value - 1.96 * se if value is not None and se is not None else None,
        ci_high=value + 1.96 * se if value is not None and se is not None else None,
        n=n,
        population=population,
        source=ValueSource.REPORTED if reported else ValueSource.COMPUTED,
        status=ValueStatus.APPROVED if reported else ValueStatus.COMPUTED,
        computed_at=None if reported else timezone.now(),
    )


def _headcount_village(
    code: str, name: str, country: str, values: list[tuple[str, float, float, int]]
) -> dict[str, object]:
    return {
        "code": code,
        "name": name,
        "country": country,
        "lat": 19.5,
        "lon": 96.1 if country == "MMR" else 102.1,
        "values": [
            {
                "round": round_code,
                "estimate": estimate,
                "se": se,
                "ci_low": estimate - 1.96 * se,
                "ci_high": estimate + 1.96 * se,
                "n": n,
            }
            for round_code, estimate, se, n in values
        ],
    }


MM_VILLAGES = [
    _headcount_village(
        "MM-V1", "Min Pyin", "MMR", [("MM-2023", 60.0, 5.0, 120), ("MM-2024", 30.0, 3.0, 120)]
    ),
    _headcount_village(
        "MM-V2", "Aye Chan Thar", "MMR", [("MM-2023", 40.0, 4.0, 80), ("MM-2024", 15.0, 4.0, 80)]
    ),
]
MPI = {
    "scheme": "MM-MPI",
    "round": "MM-2024",
    "indicators": [
        {"name": "Schooling", "weight": 1 / 6, "censored_headcount": 20.0, "contribution": 25.0},
        {"name": "Nutrition", "weight": 1 / 6, "censored_headcount": 16.0, "contribution": 20.0},
        {
            "name": "Drinking water",
            "weight": 1 / 3,
            "censored_headcount": 12.0,
            "contribution": 30.0,
        },
        {"name": "Housing", "weight": 1 / 3, "censored_headcount": 10.0, "contribution": 25.0},
    ],
    "H": 30.0,
    "A": 0.45,
    "M0": 0.135,
}
GIC = {
    "from_round": "MM-2023",
    "to_round": "MM-2024",
    "currency": "MMK",
    "points": [
        {"p": p, "growth": 30.0 - p / 5, "ci_low": 26.0 - p / 5, "ci_high": 34.0 - p / 5}
        for p in range(5, 100, 5)
    ],
    "mean_growth": 21.5,
}


def _analyses(results: ResultsWorld) -> None:
    for framework in (results.project_framework, results.programme_framework):
        Analysis.objects.create(
            framework=framework,
            kind=AnalysisKind.HEADCOUNT_BY_VILLAGE,
            key="MM-NL",
            payload={"scheme": "MM-NL", "rounds": ROUNDS, "villages": MM_VILLAGES},
        )
        Analysis.objects.create(
            framework=framework, kind=AnalysisKind.MPI_COMPOSITION, key="MM-MPI", payload=MPI
        )
        Analysis.objects.create(
            framework=framework, kind=AnalysisKind.GROWTH_INCIDENCE, key="", payload=GIC
        )
    Analysis.objects.create(
        framework=results.programme_framework,
        kind=AnalysisKind.HEADCOUNT_BY_VILLAGE,
        key="LA-NL",
        payload={
            "scheme": "LA-NL",
            "rounds": LA_ROUNDS,
            "villages": [
                _headcount_village("LA-V1", "Ban Xor", "LAO", [("LA-2024", 40.0, 5.0, 60)])
            ],
        },
    )


def build_dashboard_world(results: ResultsWorld) -> DashboardWorld:
    p2023, p2024 = results.p2023, results.p2024
    headcount = results.headcount
    headcount.baseline_value = Decimal("60")
    headcount.save()
    water = Indicator.objects.create(
        framework=results.project_framework,
        result=results.outcome,
        code="MM-O1",
        name="Households with safe water within 30 minutes",
        unit=Unit.PERCENT,
        direction="increase",
        kind=IndicatorKind.COMPUTED,
        computation={
            "kind": "household_share",
            "all": [{"field": "water_minutes", "op": "le", "value": 30}],
        },
        disaggregations=["village", "country"],
        baseline_value=Decimal("40"),
        order=2,
    )
    road = Indicator.objects.create(
        framework=results.project_framework,
        result=results.output,
        code="MM-P2",
        name="Village road completed",
        unit=Unit.KM,
        kind=IndicatorKind.COMPUTED,
        computation={"kind": "asset_quantity", "asset_type": "road", "unit": "km"},
        disaggregations=["village", "country"],
        order=3,
    )
    # Project framework.
    for period, total, v1, v2, se1, se2 in (
        (p2023, 52.0, 60.0, 40.0, 5.0, 4.0),
        (p2024, 24.0, 30.0, 15.0, 3.0, 4.0),
    ):
        put_value(headcount, period, total, se=2.5, n=200, population=2000)
        put_value(headcount, period, total, cell={"country": "MMR"}, se=2.5, n=200, population=2000)
        put_value(headcount, period, v1, cell={"village": "MM-V1"}, se=se1, n=120, population=1200)
        put_value(headcount, period, v2, cell={"village": "MM-V2"}, se=se2, n=80, population=800)
    put_value(water, p2024, 62.0, se=1.7, n=400, population=400)
    put_value(water, p2024, 62.0, cell={"country": "MMR"}, se=1.7, n=400, population=400)
    put_value(water, p2024, 70.0, cell={"village": "MM-V1"}, se=2.0, n=240, population=240)
    put_value(water, p2024, 50.0, cell={"village": "MM-V2"}, se=3.0, n=160, population=160)
    put_value(road, p2024, 5.0)
    put_value(road, p2024, 5.0, cell={"country": "MMR"})
    put_value(road, p2024, 3.5, cell={"village": "MM-V1"})
    put_value(road, p2024, 1.5, cell={"village": "MM-V2"})
    put_value(results.trained, p2024, 150, reported=True)
    put_value(results.trained, p2024, 90, cell={"sex": "F"}, reported=True)
    put_value(results.trained, p2024, 60, cell={"sex": "M"}, reported=True)
    for indicator, target in ((headcount, 30), (results.trained, 200), (water, 80), (road, 8)):
        Target.objects.create(indicator=indicator, period=p2024, value=Decimal(target))

    # Programme framework.
    programme_p2024 = results.programme_framework.periods.get(code="2024")
    pg1, pg2 = results.programme_headcount, results.programme_trained
    put_value(pg1, programme_p2024, 29.333333, population=3000)
    put_value(pg1, programme_p2024, 24.0, cell={"country": "MMR"}, se=2.5, population=2000)
    put_value(pg1, programme_p2024, 40.0, cell={"country": "LAO"}, se=5.0, population=1000)
    put_value(pg1, programme_p2024, 30.0, cell={"village": "MM-V1"}, se=3.0, population=1200)
    put_value(pg1, programme_p2024, 15.0, cell={"village": "MM-V2"}, se=4.0, population=800)
    put_value(pg1, programme_p2024, 40.0, cell={"village": "LA-V1"}, se=5.0, population=1000)
    put_value(pg2, programme_p2024, 200)
    put_value(pg2, programme_p2024, 150, cell={"country": "MMR"})
    put_value(pg2, programme_p2024, 50, cell={"country": "LAO"})
    Target.objects.create(indicator=pg1, period=programme_p2024, value=Decimal(25))
    Target.objects.create(indicator=pg2, period=programme_p2024, value=Decimal(300))
    _analyses(results)
    return DashboardWorld(results=results, water=water, road=road, programme_p2024=programme_p2024)


@pytest.fixture
def dashboard_world(results_world: ResultsWorld) -> DashboardWorld:
    # Row ids repeat between tests (rolled-back transactions), so a cached response of an
    # earlier test could match a key here; start from an empty cache.
    cache.clear()
    return build_dashboard_world(results_world)
