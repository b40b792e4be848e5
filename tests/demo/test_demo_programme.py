"""The demo programme is realistic (DOMAIN.md §7 ranges), labelled synthetic and consistent.

These tests only read, so they share one build (a sixth of the PostgreSQL pass went
to building the demo once per test); the tests that need an empty database to build into
are in test_demo.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import transaction
from django.test import override_settings
from pytest_django import DjangoDbBlocker

from mekong.demo.generator import DemoSummary, build_demo
from mekong.demo.reference import DEMONSTRATION_VILLAGES, PERSONAS
from mekong.geo.models import Village
from mekong.partners.models import Organisation, Person, User
from mekong.results.models import (
    Evidence,
    Indicator,
    IndicatorKind,
    IndicatorValue,
    Narrative,
    ResultsFramework,
    ValueStatus,
)
from tests.conftest import FAST_PASSWORD_HASHERS


@pytest.fixture(scope="module")
def demo(
    django_db_setup: None,
    django_db_blocker: DjangoDbBlocker,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[DemoSummary]:
    """One build for the module, rolled back after its last test; each test still runs in
    its own savepoint. 60 households a village so the register test has 120 a scheme."""
    media: Path = tmp_path_factory.mktemp("demo-media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=FAST_PASSWORD_HASHERS),
        transaction.atomic(),
    ):
        # pytest resumes this generator normally even after a failed test: always rolled back.
        yield build_demo(seed=4, households_per_village=60)
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_demo_builds_the_six_demonstration_villages_and_personas(demo: DemoSummary) -> None:
    demonstration = Village.objects.filter(is_demonstration=True)
    assert sorted(demonstration.values_list("code", flat=True)) == sorted(
        v.code for v in DEMONSTRATION_VILLAGES
    )
    # Ban Xor: 407 households / 2,007 people [S11] in DOMAIN.md.
    ban_xor = Village.objects.get(code="LAO-VTE-BANXOR")
    assert (ban_xor.households, ban_xor.population) == (407, 2007)
    assert {u.username for u in User.objects.all()} == {p.username for p in PERSONAS}
    assert demo.villages == Village.objects.count()


@pytest.mark.django_db
def test_demo_values_stay_in_domain_ranges_and_are_labelled_synthetic(demo: DemoSummary) -> None:
    villages = list(Village.objects.select_related("country"))
    assert all(v.is_synthetic for v in villages)
    assert all(o.is_synthetic for o in Organisation.objects.all())
    assert all(p.is_synthetic for p in Person.objects.all())
    for village in villages:
        assert village.households is not None
        assert village.population is not None
        # DOMAIN.md §7: 125–1,000 households per village.
        assert 125 <= village.households <= 1000, village.code
        # Household sizes: China register ≈3.0 up to Myanmar/Laos ≈4.7–5.6 (DOMAIN.md §7, [S7]).
        assert 2.5 <= village.population / village.households <= 6.5, village.code
    # No two villages of a country share a name: users pick villages by name.
    names = [(v.country.iso3, v.name_latin) for v in villages]
    assert len(names) == len(set(names))
    # Every village lies within its country's latitude/longitude envelope (Natural Earth).
    envelopes = {
        "MMR": (9, 29, 92, 102),
        "LAO": (13, 23, 100, 108),
        "KHM": (10, 15, 102, 108),
        "THA": (5, 21, 97, 106),
        "VNM": (8, 24, 102, 110),
    }
    for village in villages:
        south, north, west, east = envelopes[village.country.iso3]
        assert south <= village.latitude <= north
        assert west <= village.longitude <= east


@pytest.mark.django_db
def test_demo_portfolio_is_consistent(demo: DemoSummary) -> None:
    from decimal import Decimal

    from mekong.projects.models import BudgetLine, Project, Transaction, WorkPlan
    from mekong.projects.services import work_plan_is_binding

    codes = set(Project.objects.values_list("code", flat=True))
    assert {"EAPRDC-MMR", "EAPRDC-LAO", "EAPRDC-KHM"} <= codes
    assert any(code.startswith("LMC-") for code in codes)
    assert any(code.startswith("YNAGRI-") for code in codes)
    # Lao demonstration project: CNY 33.3 million budget [S8][S10] in DOMAIN.md, within rounding
    # of the per-component, per-year split.
    lao = Project.objects.get(code="EAPRDC-LAO")
    budget = sum(line.amount for line in BudgetLine.objects.filter(project=lao))
    assert abs(budget - Decimal("33300000")) < Decimal("100")
    # LMC Special Fund projects are USD 0.1–1 m each ([S27] in DOMAIN.md).
    for project in Project.objects.filter(code__startswith="LMC-"):
        total = sum(t.amount for t in project.transactions.filter(kind="commitment"))
        assert Decimal("100000") <= total <= Decimal("1000000")
    # No disbursement exceeds its commitment (same currency throughout the demo).
    for commitment in Transaction.objects.filter(kind="commitment"):
        drawn = sum(d.amount for d in commitment.disbursements.all())
        assert drawn <= commitment.amount
    plans = list(WorkPlan.objects.all())
    assert any(work_plan_is_binding(p) for p in plans)
    assert all(p.project.is_synthetic for p in plans)


@pytest.mark.django_db
def test_demo_register_is_poor_at_baseline_and_less_later(demo: DemoSummary) -> None:
    from mekong.registry.models import Classification, PovertyScheme, SurveyRound

    for code in ("MMR-MLCS", "LAO-D285", "KHM-CSES"):
        scheme = PovertyScheme.objects.get(code=code)
        rounds = SurveyRound.objects.filter(country=scheme.country).order_by("started_on")
        shares = []
        for survey_round in rounds:
            results = Classification.objects.filter(survey_round=survey_round, scheme=scheme)
            shares.append(results.filter(poor=True).count() / results.count())
        # DOMAIN.md §7: 40–65 % poor at baseline (tolerance for 120 households: ±12 points),
        # and fewer in each later round as treated incomes grow 20–60 %.
        assert 0.28 <= shares[0] <= 0.77, (code, shares)
        assert shares[-1] < shares[0], (code, shares)


@pytest.mark.django_db
def test_demo_builds_frameworks_values_and_links(demo: DemoSummary) -> None:
    # The EAPRDC programme and its three country projects (demo/portfolio.py).
    assert demo.results_frameworks == 4
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


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["PG-4", "PG-5"])
def test_programme_rollups_of_reported_indicators_have_a_total(
    demo: DemoSummary, code: str
) -> None:
    # Houses renovated (PG-4) and persons trained (PG-5): the demo approves every project
    # period but the latest, so in the year all three projects share with approved values
    # (2018) the programme's sum exists and equals the projects' approved totals;
    # elsewhere a project is missing or not approved.
    rollup = Indicator.objects.get(code=code)
    totals = IndicatorValue.objects.filter(
        indicator=rollup, disaggregation_key="", value__isnull=False
    )
    assert [t.period.code for t in totals] == ["2018"]
    approved = IndicatorValue.objects.filter(
        indicator__contributes_to=rollup,
        disaggregation_key="",
        period__code="2018",
        status=ValueStatus.APPROVED,
    )
    assert approved.count() == 3
    assert totals[0].value == sum(v.value for v in approved if v.value is not None)
