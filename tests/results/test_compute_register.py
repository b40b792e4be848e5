"""Computed register indicators against hand-computed values on the shared results world.

results_world (tests/results/conftest.py): four Myanmar households of size 2 in village
MM-PUB, weight 1, classified under MM-NL; poor in 2023: MM-H1, MM-H2 (2 of 4 → 50 %),
in 2024: MM-H1 (1 of 4 → 25 %). Per-capita incomes (MMK/person/year) in INCOMES.
"""

from __future__ import annotations

import pytest
from decimal import Decimal

from mekong.results.compute import refresh_framework
from mekong.results.models import IndicatorValue, ValueSource, ValueStatus
from tests.results.conftest import ResultsWorld


def _values(world: ResultsWorld, code: str = "MM-G1") -> dict[tuple[str, str], IndicatorValue]:
    return {
        (v.period.code, v.disaggregation_key): v
        for v in IndicatorValue.objects.filter(indicator__code=code).select_related("period")
    }


def test_headcount_matches_the_hand_count(results_world: ResultsWorld) -> None:
    report = refresh_framework(results_world.project_framework)
    values = _values(results_world)
    assert values[("2023", "")].value == Decimal("50")
    assert values[("2024", "")].value == Decimal("25")
    total = values[("2023", "")]
    # 4 households × size 2 × weight 1 = 8 people; a census round has no sampling error.
    assert (total.n, total.population, total.se) == (4, 8.0, None)
    assert total.source == ValueSource.COMPUTED and total.status == ValueStatus.COMPUTED
    assert report.created == len(values)
