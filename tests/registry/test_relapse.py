"""Relapse monitoring: each trigger on its own, the watched population, idempotent re-runs,
follow-ups that close alerts, and scopes.

The scheme's line is 1,000 MMK per person per year, the policy's multiplier 1.5 (watch
line 1,500) and its income-fall threshold 0.2 (tests/registry/exit_fixtures.py).
"""

from __future__ import annotations

from datetime import date

import pytest

from mekong.core.errors import Conflict, InvalidInput, PermissionDenied
from mekong.registry import relapse
from mekong.registry.models import (
    AlertOutcome,
    AlertStatus,
    FollowUp,
    Household,
    HouseholdStatus,
    PovertyScheme,
    RelapseAlert,
    RelapseTrigger,
    SchemeKind,
)
from tests.conftest import Personas, World
from tests.registry.exit_fixtures import ExitWorld, build_exit_world, classify, household, observe

ON = date(2024, 4, 1)
EXITED = HouseholdStatus.EXITED


@pytest.fixture
def ew(world: World) -> ExitWorld:
    return build_exit_world(world)


def _exited(world: World, code: str) -> Household:
    return household(world.mm_published, code, status=EXITED)


def _scan(ew: ExitWorld, **kw: object) -> relapse.ScanResult:
    return relapse.relapse_scan(survey_round=ew.r2024, policy=ew.policy, on=ON, **kw)  # type: ignore[arg-type]


def _triggers(hh: Household) -> list[str]:
    return list(RelapseAlert.objects.get(household=hh).triggers)


def test_low_income_alone(world: World, ew: ExitWorld) -> None:
    hh = _exited(world, "MM-LOW")
    observe(hh, ew.r2023, per_capita=1450)
    observe(hh, ew.r2024, per_capita=1400)  # < 1.5 × 1,000; fell 50/1450 = 3.4 % only
    result = _scan(ew)
    assert (result.scanned, result.flagged, result.opened) == (1, 1, 1)
    assert _triggers(hh) == [RelapseTrigger.LOW_INCOME]
    alert = RelapseAlert.objects.get(household=hh)
    assert alert.details["MM-2024"]["watch_line"] == "1500.00"
    assert alert.details["MM-2024"]["per_capita_income"] == "1400.00"


def test_income_just_at_the_watch_line_is_not_flagged(world: World, ew: ExitWorld) -> None:
    hh = _exited(world, "MM-EDGE")
    observe(hh, ew.r2024, per_capita=1500)  # not below 1,500
    assert _scan(ew).flagged == 0


def test_income_fall_alone(world: World, ew: ExitWorld) -> None:
    hh = household(world.mm_published, "MM-FALL")  # active and classified non-poor
    classify(hh, ew.r2024, ew.scheme, poor=False)
    observe(hh, ew.r2023, per_capita=5000)
    observe(hh, ew.r2024, per_capita=3900)  # (5000 − 3900) / 5000 = 0.22 > 0.2
    assert _scan(ew).opened == 1
    assert _triggers(hh) == [RelapseTrigger.INCOME_FALL]
    assert RelapseAlert.objects.get(household=hh).details["MM-2024"]["fall"] == "0.2200"


def test_a_fall_of_exactly_the_threshold_is_not_flagged(world: World, ew: ExitWorld) -> None:
    hh = _exited(world, "MM-FALL-EDGE")
    observe(hh, ew.r2023, per_capita=5000)
    observe(hh, ew.r2024, per_capita=4000)  # 1000 / 5000 = 0.2, not more than 0.2
    assert _scan(ew).flagged == 0


def test_income_fall_uses_per_capita_income(world: World, ew: ExitWorld) -> None:
    hh = _exited(world, "MM-BIGGER")
    observe(hh, ew.r2023, per_capita=5000, size=2)  # net 10,000
    observe(hh, ew.r2024, per_capita=3000, size=4)  # net 12,000 but 3,000 a head: fall 0.4
    _scan(ew)
    assert _triggers(hh) == [RelapseTrigger.INCOME_FALL]


def test_shock_alone_and_only_the_policy_shocks(world: World, ew: ExitWorld) -> None:
    ill = _exited(world, "MM-ILL")
    observe(ill, ew.r2023, per_capita=5000)
    observe(ill, ew.r2024, per_capita=5000, shocks=["illness"])
    prices = _exited(world, "MM-PRICES")
    observe(prices, ew.r2024, per_capita=5000, shocks=["price_rise"])  # not a policy shock
    result = _scan(ew)
    assert (result.scanned, result.flagged) == (2, 1)
    assert _triggers(ill) == [RelapseTrigger.SHOCK]
    assert RelapseAlert.objects.get(household=ill).details["MM-2024"]["shocks"] == ["illness"]


def test_all_triggers_together(world: World, ew: ExitWorld) -> None:
    hh = _exited(world, "MM-ALL")
    observe(hh, ew.r2023, per_capita=3000)
    observe(hh, ew.r2024, per_capita=1000, shocks=["disaster", "disability"])
    _scan(ew)
    assert _triggers(hh) == [
        RelapseTrigger.LOW_INCOME,
        RelapseTrigger.INCOME_FALL,
        RelapseTrigger.SHOCK,
    ]


def test_only_exited_and_non_poor_households_are_watched(world: World, ew: ExitWorld) -> None:
    poor = household(world.mm_published, "MM-POOR")  # registered poor: already helped
    classify(poor, ew.r2024, ew.scheme, poor=True)
    observe(poor, ew.r2024, per_capita=500)
    unclassified = household(world.mm_published, "MM-UNCLASSIFIED")
    observe(unclassified, ew.r2024, per_capita=500)
    moved = household(world.mm_published, "MM-MOVED", status=HouseholdStatus.MOVED)
    observe(moved, ew.r2024, per_capita=500)
    lao = household(world.la_published, "LA-X", status=EXITED)
    observe(lao, ew.la_round, per_capita=500, currency="LAK")
    result = _scan(ew)
    assert (result.scanned, result.flagged) == (0, 0)
    assert not RelapseAlert.objects.exists()


def test_rescanning_does_not_duplicate_alerts(world: World, ew: ExitWorld) -> None:
    hh = _exited(world, "MM-AGAIN")
    observe(hh, ew.r2024, per_capita=1000)
    assert _scan(ew).opened == 1
    again = _scan(ew)
    assert (again.opened, again.updated, again.unchanged) == (0, 0, 1)
    assert RelapseAlert.objects.filter(household=hh).count() == 1


def test_a_closed_alert_is_not_reopened_by_the_same_round(
    personas: Personas, world: World, ew: ExitWorld
) -> None:
    hh = _exited(world, "MM-CLOSED")
    observe(hh, ew.r2024, per_capita=1000)
    _scan(ew)
    alert = RelapseAlert.objects.get(household=hh)
    relapse.relapse_alert_follow_up(
        user=personas.enumerator,
        alert=alert,
        on=ON,
        action="Visited; the son found work in town.",
        outcome="Income back above the watch line.",
        close_as=AlertOutcome.STABILISED,
    )
    result = _scan(ew)
    assert (result.opened, result.unchanged) == (0, 1)
    assert RelapseAlert.objects.filter(household=hh).count() == 1


def test_a_later_round_adds_evidence_to_the_open_alert(world: World, ew: ExitWorld) -> None:
    hh = _exited(world, "MM-OPEN")
    observe(hh, ew.r2023, per_capita=1000)
    relapse.relapse_scan(survey_round=ew.r2023, policy=ew.policy, on=date(2023, 3, 1))
    observe(hh, ew.r2024, per_capita=1000, shocks=["illness"])
    result = _scan(ew)
    assert (result.opened, result.updated) == (0, 1)
    alert = RelapseAlert.objects.get(household=hh, status=AlertStatus.OPEN)
    assert alert.survey_round == ew.r2023
    assert alert.triggers == [RelapseTrigger.LOW_INCOME, RelapseTrigger.SHOCK]
    assert set(alert.details) == {"MM-2023", "MM-2024"}


def test_follow_ups_record_actions_and_close_with_an_outcome(
    personas: Personas, world: World, ew: ExitWorld
) -> None:
    hh = _exited(world, "MM-FOLLOW")
    observe(hh, ew.r2024, per_capita=800)
    _scan(ew)
    alert = RelapseAlert.objects.get(household=hh)
    relapse.relapse_alert_follow_up(
        user=personas.enumerator, alert=alert, on=ON, action="Helper visited the family."
    )
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN
    with pytest.raises(InvalidInput, match="outcome") as excinfo:
        relapse.relapse_alert_follow_up(
            user=personas.mm_counterpart,
            alert=alert,
            on=ON,
            action="Reviewed",
            close_as=AlertOutcome.RE_ENTERED,
        )
    assert excinfo.value.field == "outcome"
    with pytest.raises(InvalidInput, match="close_as"):
        relapse.relapse_alert_follow_up(
            user=personas.mm_counterpart, alert=alert, on=ON, action="x", outcome="y", close_as="z"
        )
    with pytest.raises(InvalidInput, match="opened on"):
        relapse.relapse_alert_follow_up(
            user=personas.mm_counterpart, alert=alert, on=date(2024, 1, 1), action="Early"
        )
    relapse.relapse_alert_follow_up(
        user=personas.mm_counterpart,
        alert=alert,
        on=ON,
        action="Township review of the income loss.",
        outcome="Returned to the register; livestock package planned.",
        close_as=AlertOutcome.RE_ENTERED,
    )
    alert.refresh_from_db()
    hh.refresh_from_db()
    assert (alert.status, alert.outcome, alert.closed_on) == (
        AlertStatus.CLOSED,
        AlertOutcome.RE_ENTERED,
        ON,
    )
    assert hh.status == HouseholdStatus.ACTIVE  # re-entry (DOMAIN.md §6B)
    assert FollowUp.objects.filter(alert=alert).count() == 2
    with pytest.raises(Conflict, match="closed"):
        relapse.relapse_alert_follow_up(
            user=personas.mm_counterpart, alert=alert, on=ON, action="Too late"
        )


def test_scopes_of_scan_follow_up_and_list(personas: Personas, world: World, ew: ExitWorld) -> None:
    hh = _exited(world, "MM-SCOPE")
    observe(hh, ew.r2024, per_capita=800)
    for not_an_analyst in (personas.mm_counterpart, personas.enumerator, personas.la_counterpart):
        with pytest.raises(PermissionDenied):
            _scan(ew, user=not_an_analyst)
    assert _scan(ew, user=personas.officer).opened == 1
    alert = RelapseAlert.objects.get(household=hh)
    with pytest.raises(PermissionDenied, match="MM-SCOPE"):
        relapse.relapse_alert_follow_up(
            user=personas.la_counterpart, alert=alert, on=ON, action="Not my country"
        )
    assert list(relapse.relapse_alert_list(user=personas.la_counterpart)) == []
    assert list(relapse.relapse_alert_list(user=personas.mm_counterpart)) == [alert]
    assert list(relapse.relapse_alert_list(user=personas.officer, status="closed")) == []


def test_the_line_comes_from_the_scheme_configuration(world: World, ew: ExitWorld) -> None:
    assert relapse.scheme_line(ew.scheme, 2024) == relapse.Line(value=1000, currency="MMK")  # type: ignore[arg-type]
    # 100 a month = 1,200 a year; price index 100 → 110 between 2020 and 2024 gives 1,320.
    monthly = PovertyScheme(
        code="M",
        name="m",
        kind=SchemeKind.MONETARY,
        config={
            "period": "month",
            "line": "100",
            "currency": "MMK",
            "price_year": 2020,
            "deflator": {"2020": "100", "2024": "110"},
        },
        valid_from=ON,
    )
    assert relapse.scheme_line(monthly, 2024).value == 1320
    bare = PovertyScheme(code="B", name="b", kind=SchemeKind.MPI, config={}, valid_from=ON)
    with pytest.raises(InvalidInput, match="no monetary line"):
        relapse.scheme_line(bare, 2024)
    per_ae = PovertyScheme(
        code="AE",
        name="ae",
        kind=SchemeKind.MONETARY,
        config={
            "unit": "adult_equivalent",
            "period": "day",
            "line": "1",
            "currency": "MMK",
            "price_year": 2024,
        },
        valid_from=ON,
    )
    with pytest.raises(InvalidInput, match="per person"):
        relapse.scheme_line(per_ae, 2024)


def test_a_policy_of_another_country_is_refused(world: World, ew: ExitWorld) -> None:
    with pytest.raises(InvalidInput, match="another country"):
        relapse.relapse_scan(survey_round=ew.la_round, policy=ew.policy, on=ON)
