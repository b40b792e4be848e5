"""Reads of the register through the user's scope, with personal data masked by role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from mekong.core.errors import InvalidInput, NotFound
from mekong.geo.models import Village
from mekong.partners.access import organisations_visible_to, people_visible_to
from mekong.partners.models import Organisation, Person
from mekong.projects.access import projects_visible_to
from mekong.projects.models import Component
from mekong.registry.access import can_see_personal_data, households_visible_to, pseudonym
from mekong.registry.models import (
    Classification,
    Household,
    HouseholdObservation,
    Member,
    MemberObservation,
)

MASK = "•••"


def household_list(
    *, user: object, village: Village | None = None, status: str | None = None
) -> QuerySet[Household]:
    households = households_visible_to(user)
    if village is not None:
        households = households.filter(village=village)
    if status:
        households = households.filter(status=status)
    return households.order_by("external_id")


def household_get_for_user(*, user: object, household_id: int) -> Household:
    household = households_visible_to(user).filter(id=household_id).first()
    if household is None:
        raise NotFound(_("No household with id %(id)s.") % {"id": household_id})
    return household


def helper_choices(*, user: object) -> QuerySet[Person]:
    """People the user may name as a household's helper: those they may see."""
    return people_visible_to(user).order_by("name_latin")


def provider_choices(*, user: object) -> QuerySet[Organisation]:
    return organisations_visible_to(user).order_by("name_latin")


def component_choices(*, user: object, household: Household) -> QuerySet[Component]:
    """Components of the projects the user sees that work in the household's village."""
    return (
        Component.objects.filter(
            project__in=projects_visible_to(user), project__villages=household.village_id
        )
        .select_related("project")
        .order_by("project__code", "title")
    )


def helper_for_user(*, user: object, person_id: int | None) -> Person | None:
    """The person named by id if the user may see them; InvalidInput naming helper_id if not."""
    if person_id is None:
        return None
    person = helper_choices(user=user).filter(pk=person_id).first()
    if person is None:
        raise InvalidInput(
            _("helper_id: no person with id %(id)s that you may name.") % {"id": person_id},
            field="helper_id",
        )
    return person


def provider_for_user(*, user: object, organisation_id: int | None) -> Organisation | None:
    if organisation_id is None:
        return None
    organisation = provider_choices(user=user).filter(pk=organisation_id).first()
    if organisation is None:
        raise InvalidInput(
            _("provider_id: no organisation with id %(id)s that you may name.")
            % {"id": organisation_id},
            field="provider_id",
        )
    return organisation


def component_for_user(
    *, user: object, household: Household, component_id: int | None
) -> Component | None:
    if component_id is None:
        return None
    component = component_choices(user=user, household=household).filter(pk=component_id).first()
    if component is None:
        raise InvalidInput(
            _(
                "component_id: no component with id %(id)s in a project you see that works "
                "in this household's village."
            )
            % {"id": component_id},
            field="component_id",
        )
    return component


@dataclass(frozen=True)
class PersonalView:
    """What may be shown of a household or member to this reader."""

    label: str
    name_latin: str
    name_local: str
    national_id: str
    phone: str
    location: str
    masked: bool


def household_personal(user: object, household: Household) -> PersonalView:
    if can_see_personal_data(user):
        location = (
            f"{household.latitude}, {household.longitude}" if household.latitude is not None else ""
        )
        return PersonalView(
            label=household.head_name_latin,
            name_latin=household.head_name_latin,
            name_local=household.head_name_local,
            national_id=household.national_id,
            phone=household.phone,
            location=location,
            masked=False,
        )
    return PersonalView(
        label=pseudonym(household.external_id),
        name_latin=MASK,
        name_local="",
        national_id=MASK if household.national_id else "",
        phone=MASK if household.phone else "",
        location=MASK if household.latitude is not None else "",
        masked=True,
    )


def member_personal(user: object, member: Member) -> PersonalView:
    if can_see_personal_data(user):
        return PersonalView(
            label=member.name_latin,
            name_latin=member.name_latin,
            name_local=member.name_local,
            national_id=member.national_id,
            phone="",
            location="",
            masked=False,
        )
    return PersonalView(
        label=pseudonym(member.external_id),
        name_latin=MASK,
        name_local="",
        national_id=MASK if member.national_id else "",
        phone="",
        location="",
        masked=True,
    )


def latest_classifications(households: list[Household]) -> dict[int, list[Classification]]:
    """For each household, its most recent result under each scheme code."""
    results: dict[int, dict[str, Classification]] = {}
    rows = (
        Classification.objects.filter(household__in=households)
        .select_related("scheme", "survey_round")
        .order_by("survey_round__started_on", "scheme__version")
    )
    for row in rows:
        results.setdefault(row.household_id, {})[row.scheme.code] = row
    return {hid: list(by_code.values()) for hid, by_code in results.items()}


def household_detail(household: Household) -> dict[str, Any]:
    observations = list(
        HouseholdObservation.objects.filter(household=household)
        .select_related("survey_round")
        .order_by("observed_on")
    )
    members = list(
        Member.objects.filter(household=household)
        .prefetch_related(
            Prefetch(
                "observations",
                queryset=MemberObservation.objects.select_related("survey_round").order_by(
                    "survey_round__started_on"
                ),
            )
        )
        .order_by("birth_year", "external_id")
    )
    # The head first, then the others from the eldest.
    members.sort(key=lambda m: (m.relation != "head", m.birth_year))
    classifications = list(
        Classification.objects.filter(household=household)
        .select_related("scheme", "survey_round")
        .order_by("survey_round__started_on", "scheme__code")
    )
    measures = list(
        household.measures.select_related("component", "provider").order_by("value_date")
    )
    return {
        "observations": observations,
        "members": members,
        "classifications": classifications,
        "measures": measures,
    }


def household_history(household: Household, *, limit: int = 50) -> list[dict[str, Any]]:
    """Changes to the household row with who, when and the fields that changed."""
    records = list(
        household.history.select_related("history_user").order_by("-history_date")[: limit + 1]
    )
    changes: list[dict[str, Any]] = []
    # Rows the demo loads in bulk have no history yet; the import writes it.
    for newer, older in zip(records, [*records[1:], None], strict=False):
        fields: list[str] = []
        if older is not None:
            delta = newer.diff_against(older)
            fields = [change.field for change in delta.changes]
        changes.append(
            {
                "when": newer.history_date,
                "who": newer.history_user.get_username() if newer.history_user else _("system"),
                "type": newer.get_history_type_display(),
                "fields": fields,
            }
        )
    return changes[:limit]


def reason_lines(reasons: dict[str, Any]) -> list[tuple[str, str]]:
    """Reasons as (key, text) pairs for display: lists joined, mappings as key=value."""
    lines = []
    for key, value in reasons.items():
        if isinstance(value, list | tuple):
            text = ", ".join(str(v) for v in value) or "–"
        elif isinstance(value, dict):
            text = ", ".join(f"{k}={v}" for k, v in value.items())
        else:
            text = str(value)
        lines.append((key, text))
    return lines
