"""The demo builds results frameworks for the demonstration programme and its projects,
with values at every approval state, evidence, narratives and roll-up links."""

from __future__ import annotations

import pytest

from mekong.demo.generator import build_demo
from mekong.results.models import (
    Evidence,
    Indicator,
    IndicatorKind,
    IndicatorValue,
    Narrative,
    ResultsFramework,
    ValueStatus,
)

pytestmark = pytest.mark.django_db


def test_demo_builds_frameworks_values_and_links(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    summary = build_demo(seed=1, households_per_village=4)
    # The EAPRDC programme and its three country projects (demo/portfolio.py).
    assert summary.results_frameworks == 4
    assert ResultsFramework.objects.filter(programme__code="EAPRDC").count() == 1
    assert set(
        ResultsFramework.objects.filter(project__isnull=False).values_list(
            "project__code", flat=True
        )
    ) == {"EAPRDC-MMR", "EAPRDC-LAO", "EAPRDC-KHM"}
    statuses = set(
        IndicatorValue.objects.filter(disaggregation_key="").values_list("status", flat=True)
    )
    assert {
        ValueStatus.DRAFT,
        ValueStatus.SUBMITTED,
        ValueStatus.VERIFIED,
        ValueStatus.APPROVED,
        ValueStatus.REJECTED,
    } <= statuses
    # Every project indicator that contributes points at a roll-up of the programme.
    linked = Indicator.objects.filter(contributes_to__isnull=False)
    assert linked.exists()
    assert all(
        i.contributes_to is not None and i.contributes_to.kind == IndicatorKind.ROLLUP
        for i in linked
    )
    assert Evidence.objects.filter(content_type="text/csv").count() >= 3
    assert set(Narrative.objects.values_list("language", flat=True)) == {"en", "zh-hans", "my"}
    mm = ResultsFramework.objects.get(project__code="EAPRDC-MMR")
    first = mm.periods.order_by("starts_on").first()
    assert first is not None
    assert first.is_locked
