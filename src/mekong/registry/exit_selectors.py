"""Reads of exit cases, verification samples and relapse alerts, always within the user's
scope: outside it, a record is as missing as one that does not exist (404)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from mekong.core.errors import NotFound
from mekong.partners.access import country_ids_in_scope, role_of
from mekong.registry.access import households_visible_to
from mekong.registry.models import (
    ExitCase,
    Household,
    Objection,
    RelapseAlert,
    VerificationSample,
)
from mekong.registry.selectors import household_get_for_user


def exit_cases_visible_to(user: object) -> QuerySet[ExitCase]:
    return ExitCase.objects.filter(household__in=households_visible_to(user)).select_related(
        "household__village", "policy", "survey_round", "classification__scheme", "proposed_by"
    )


def exit_case_list(*, user: object, household_id: int) -> QuerySet[ExitCase]:
    household = household_get_for_user(user=user, household_id=household_id)
    return (
        exit_cases_visible_to(user)
        .filter(household=household)
        .prefetch_related("steps__by", "objections", "approvals__approved_by")
        .order_by("-proposed_on", "-id")
    )


def exit_case_get_for_user(*, user: object, case_id: int) -> ExitCase:
    case = (
        exit_cases_visible_to(user)
        .prefetch_related("steps__by", "objections", "approvals__approved_by")
        .filter(id=case_id)
        .first()
    )
    if case is None:
        raise NotFound(_("No exit case with id %(id)s.") % {"id": case_id})
    return case


def samples_visible_to(user: object) -> QuerySet[VerificationSample]:
    samples = VerificationSample.objects.select_related("country", "drawn_by")
    if role_of(user) is None:
        return samples.none()
    ids = country_ids_in_scope(user)
    return samples if ids is None else samples.filter(country_id__in=ids)


def sample_get_for_user(*, user: object, sample_id: int) -> VerificationSample:
    sample = samples_visible_to(user).filter(id=sample_id).first()
    if sample is None:
        raise NotFound(_("No verification sample with id %(id)s.") % {"id": sample_id})
    return sample


# Writers fetch without scope, so that a write outside it answers 403 from the service
# rather than 404 here; a missing record is still 404.


def exit_case_for_write(case_id: int) -> ExitCase:
    case = (
        ExitCase.objects.select_related("household__village", "policy").filter(id=case_id).first()
    )
    if case is None:
        raise NotFound(_("No exit case with id %(id)s.") % {"id": case_id})
    return case


def objection_for_write(objection_id: int) -> Objection:
    objection = (
        Objection.objects.select_related("case__household__village", "case__policy")
        .filter(id=objection_id)
        .first()
    )
    if objection is None:
        raise NotFound(_("No objection with id %(id)s.") % {"id": objection_id})
    return objection


def household_for_write(household_id: int) -> Household:
    household = Household.objects.select_related("village").filter(id=household_id).first()
    if household is None:
        raise NotFound(_("No household with id %(id)s.") % {"id": household_id})
    return household


def sample_for_write(sample_id: int) -> VerificationSample:
    sample = VerificationSample.objects.filter(id=sample_id).first()
    if sample is None:
        raise NotFound(_("No verification sample with id %(id)s.") % {"id": sample_id})
    return sample


def alert_for_write(alert_id: int) -> RelapseAlert:
    alert = RelapseAlert.objects.select_related("household__village").filter(id=alert_id).first()
    if alert is None:
        raise NotFound(_("No relapse alert with id %(id)s.") % {"id": alert_id})
    return alert
