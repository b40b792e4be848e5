"""Relapse monitoring (DOMAIN.md §2.5): flag exited and non-poor households at risk, follow up.

A household of the round is flagged when, in that round,

- ``low_income``: per-capita net income < ``policy.relapse_multiplier`` × the line of the
  policy's scheme (both per person per year, same currency);
- ``income_fall``: per-capita net income fell by more than ``policy.income_fall_threshold``
  (a share) since the household's previous observation, (previous − now) / previous,
  in nominal terms and only when both are in the same currency and the previous was > 0;
- ``shock``: it reports one of ``policy.shock_triggers`` (e.g. illness, disaster, disability).

The watched population is the households of the round's country with an observation in the
round that are EXITED, or ACTIVE with a non-poor result under the policy's scheme in the
round: the registered poor are already being helped. The scan is idempotent: one alert per
household and round, never two open alerts per household; a re-run adds only new evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from mekong.core.errors import Conflict, InvalidInput
from mekong.registry.access import households_visible_to
from mekong.registry.exit_access import require_follow_up_worker, require_relapse_scanner
from mekong.registry.models import (
    AlertOutcome,
    AlertStatus,
    Classification,
    ExitPolicy,
    FollowUp,
    Household,
    HouseholdObservation,
    HouseholdStatus,
    PovertyScheme,
    RelapseAlert,
    RelapseTrigger,
    SurveyRound,
)
from mekong.registry.schemes import annual_line_per_person, money_text

PERIODS_PER_YEAR = {"year": Decimal(1), "month": Decimal(12), "day": Decimal(365)}


@dataclass(frozen=True)
class Line:
    """A monetary poverty line per person per year."""

    value: Decimal
    currency: str


def scheme_line(scheme: PovertyScheme, year: int) -> Line:
    """The scheme's monetary line per person per year in ``year``'s prices."""
    value, currency = annual_line_per_person(scheme.kind, scheme.config, year)
    return Line(value=value, currency=currency)


def relapse_triggers(
    *,
    observation: HouseholdObservation,
    previous: HouseholdObservation | None,
    policy: ExitPolicy,
    line: Line,
) -> tuple[list[str], dict[str, Any]]:
    """Which triggers fire for one household, and the evidence (amounts as strings)."""
    triggers: list[str] = []
    income = observation.per_capita_income
    evidence: dict[str, Any] = {"per_capita_income": money_text(income)}
    if observation.currency == line.currency:
        watch_line = policy.relapse_multiplier * line.value
        evidence["watch_line"] = money_text(watch_line)
        if income < watch_line:
            triggers.append(RelapseTrigger.LOW_INCOME)
    if previous is not None and previous.currency == observation.currency:
        before = previous.per_capita_income
        evidence["previous_per_capita_income"] = money_text(before)
        if before > 0:
            fall = (before - income) / before
            evidence["fall"] = str(fall.quantize(Decimal("0.0001")))
            if fall > policy.income_fall_threshold:
                triggers.append(RelapseTrigger.INCOME_FALL)
    reported = observation.shocks if isinstance(observation.shocks, list) else []
    shocks = sorted({str(s) for s in reported} & set(policy.shock_triggers))
    if shocks:
        triggers.append(RelapseTrigger.SHOCK)
        evidence["shocks"] = shocks
    return triggers, evidence


@dataclass(frozen=True)
class ScanResult:
    scanned: int
    flagged: int
    opened: int
    updated: int
    unchanged: int


def watched_households(*, survey_round: SurveyRound, scheme: PovertyScheme) -> QuerySet[Household]:
    non_poor = Classification.objects.filter(
        survey_round=survey_round, scheme=scheme, poor=False
    ).values("household_id")
    return Household.objects.filter(village__country_id=survey_round.country_id).filter(
        Q(status=HouseholdStatus.EXITED) | Q(status=HouseholdStatus.ACTIVE, id__in=non_poor)
    )


@transaction.atomic
def relapse_scan(
    *,
    survey_round: SurveyRound,
    policy: ExitPolicy,
    on: date,
    user: object | None = None,
) -> ScanResult:
    """Open an alert for each watched household of the round that trips a trigger.

    ``user=None`` is the scheduled job; a person must be an analyst in the round's country.
    """
    if user is not None:
        require_relapse_scanner(user, survey_round.country_id)
    if policy.country_id != survey_round.country_id:
        raise InvalidInput(_("policy: the policy is of another country than the round."))
    line = scheme_line(policy.scheme, survey_round.started_on.year)
    observations = list(
        HouseholdObservation.objects.filter(
            survey_round=survey_round,
            household__in=watched_households(survey_round=survey_round, scheme=policy.scheme),
        ).order_by("household_id")
    )
    ids = [o.household_id for o in observations]
    previous: dict[int, HouseholdObservation] = {}
    # Ascending, so the last one seen per household is its latest earlier observation.
    for earlier in HouseholdObservation.objects.filter(
        household_id__in=ids, survey_round__started_on__lt=survey_round.started_on
    ).order_by("household_id", "survey_round__started_on", "observed_on"):
        previous[earlier.household_id] = earlier
    existing = {
        a.household_id: a
        for a in RelapseAlert.objects.select_for_update()
        .filter(
            Q(household_id__in=ids),
            Q(status=AlertStatus.OPEN) | Q(survey_round=survey_round),
        )
        # "closed" sorts first, so an open alert wins over a closed one of this round.
        .order_by("status")
    }
    flagged = opened = updated = unchanged = 0
    for observation in observations:
        triggers, evidence = relapse_triggers(
            observation=observation,
            previous=previous.get(observation.household_id),
            policy=policy,
            line=line,
        )
        if not triggers:
            continue
        flagged += 1
        alert = existing.get(observation.household_id)
        if alert is None:
            RelapseAlert.objects.create(
                household_id=observation.household_id,
                survey_round=survey_round,
                policy=policy,
                triggers=triggers,
                details={survey_round.code: evidence},
                opened_on=on,
            )
            opened += 1
            continue
        if alert.status == AlertStatus.CLOSED:
            # Closed after follow-up on this very round's evidence: do not reopen it.
            unchanged += 1
            continue
        merged = [t for t in RelapseTrigger.values if t in set(alert.triggers) | set(triggers)]
        details = dict(alert.details)
        if merged == alert.triggers and details.get(survey_round.code) == evidence:
            unchanged += 1
            continue
        details[survey_round.code] = evidence
        alert.triggers = merged
        alert.details = details
        alert.save(update_fields=["triggers", "details"])
        updated += 1
    return ScanResult(
        scanned=len(observations),
        flagged=flagged,
        opened=opened,
        updated=updated,
        unchanged=unchanged,
    )


@transaction.atomic
def relapse_alert_follow_up(
    *,
    user: object,
    alert: RelapseAlert,
    on: date,
    action: str,
    outcome: str = "",
    close_as: str | None = None,
) -> FollowUp:
    """Record what was done; ``close_as`` (an AlertOutcome) closes the alert.

    Closing as ``re_entered`` returns an exited household to the register (ACTIVE) in the
    same transaction: the relapse is confirmed and the family needs help again.
    """
    by = require_follow_up_worker(user, alert.household)
    alert = RelapseAlert.objects.select_for_update().select_related("household").get(pk=alert.pk)
    if alert.status != AlertStatus.OPEN:
        raise Conflict(
            _("This alert was closed on %(on)s; open a new one with the next scan.")
            % {"on": alert.closed_on}
        )
    if not action.strip():
        raise InvalidInput(_("action: say what was done."), field="action")
    if on < alert.opened_on:
        raise InvalidInput(
            _("on: the alert was opened on %(opened)s.") % {"opened": alert.opened_on}, field="on"
        )
    if close_as is not None:
        if close_as not in AlertOutcome.values:
            raise InvalidInput(
                _("close_as: unknown outcome %(outcome)r.") % {"outcome": close_as},
                field="close_as",
            )
        if not outcome.strip():
            raise InvalidInput(
                _("outcome: say what came of it before closing the alert."), field="outcome"
            )
    follow_up = FollowUp.objects.create(
        alert=alert, on=on, action=action.strip(), outcome=outcome.strip(), by=by
    )
    if close_as is not None:
        alert.status = AlertStatus.CLOSED
        alert.closed_on = on
        alert.outcome = close_as
        alert._history_user = by  # type: ignore[attr-defined]
        alert.save()
        household = alert.household
        if close_as == AlertOutcome.RE_ENTERED and household.status == HouseholdStatus.EXITED:
            household.status = HouseholdStatus.ACTIVE
            household._history_user = by  # type: ignore[attr-defined]
            household.save(update_fields=["status"])
    return follow_up


def relapse_alert_list(
    *, user: object, status: str | None = None, survey_round: SurveyRound | None = None
) -> QuerySet[RelapseAlert]:
    alerts = RelapseAlert.objects.filter(household__in=households_visible_to(user)).select_related(
        "household", "survey_round"
    )
    if status:
        alerts = alerts.filter(status=status)
    if survey_round is not None:
        alerts = alerts.filter(survey_round=survey_round)
    return alerts.prefetch_related("follow_ups").order_by("-opened_on", "-id")
