"""The demo programme is realistic (DOMAIN.md §7 ranges), labelled synthetic and repeatable."""

from __future__ import annotations

import contextlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from mekong.demo.generator import build_demo
from mekong.demo.reference import DEMONSTRATION_VILLAGES, PERSONAS
from mekong.geo.models import Village
from mekong.partners.models import Organisation, Person, User


@pytest.mark.django_db
def test_demo_builds_the_six_demonstration_villages_and_personas() -> None:
    summary = build_demo(seed=3, households_per_village=8)
    demonstration = Village.objects.filter(is_demonstration=True)
    assert sorted(demonstration.values_list("code", flat=True)) == sorted(
        v.code for v in DEMONSTRATION_VILLAGES
    )
    # Ban Xor: 407 households / 2,007 people [S11] in DOMAIN.md.
    ban_xor = Village.objects.get(code="LAO-VTE-BANXOR")
    assert (ban_xor.households, ban_xor.population) == (407, 2007)
    assert {u.username for u in User.objects.all()} == {p.username for p in PERSONAS}
    assert summary.villages == Village.objects.count()


@pytest.mark.django_db
def test_demo_values_stay_in_domain_ranges_and_are_labelled_synthetic() -> None:
    build_demo(seed=7, households_per_village=8)
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


class _Rollback(Exception):
    pass


def _build_and_read(seed: int) -> list[tuple[str, str, int | None]]:
    rows: list[tuple[str, str, int | None]] = []
    with contextlib.suppress(_Rollback), transaction.atomic():
        build_demo(seed=seed, households_per_village=4)
        rows = list(
            Village.objects.order_by("code").values_list("code", "name_latin", "households")
        )
        raise _Rollback  # leave the database empty for the next build
    return rows


@pytest.mark.django_db
def test_same_seed_gives_same_programme_and_another_seed_differs() -> None:
    first = _build_and_read(5)
    assert first == _build_and_read(5)
    assert first != _build_and_read(6)


@pytest.mark.django_db
def test_demo_command_refuses_a_full_database_unless_if_empty() -> None:
    call_command("demo", "--seed", "1", "--households-per-village", "4", stdout=StringIO())
    count = Village.objects.count()
    with pytest.raises(CommandError, match="already has data"):
        call_command("demo", "--seed", "1", stdout=StringIO())
    call_command("demo", "--seed", "1", "--if-empty", stdout=StringIO())
    assert Village.objects.count() == count


@pytest.mark.django_db
def test_demo_portfolio_is_consistent() -> None:
    from decimal import Decimal

    from mekong.projects.models import BudgetLine, Project, Transaction, WorkPlan
    from mekong.projects.services import work_plan_is_binding

    build_demo(seed=2, households_per_village=8)
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
def test_demo_register_is_poor_at_baseline_and_less_later() -> None:
    from mekong.registry.models import Classification, PovertyScheme, SurveyRound

    build_demo(seed=4, households_per_village=60)
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
