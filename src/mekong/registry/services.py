"""Writes to the register: schemes, classification of a round, causes and assistance."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from mekong.core.changes import full_clean_or_raise, save_new
from mekong.core.errors import InvalidInput
from mekong.geo.models import Country
from mekong.partners.access import acting_user
from mekong.partners.models import Organisation, Person
from mekong.projects.models import Component
from mekong.projects.money import validate_currency
from mekong.registry.access import require_analyst, require_can_edit_household
from mekong.registry.models import (
    AssistanceCategory,
    AssistanceMeasure,
    Cause,
    Classification,
    Household,
    HouseholdObservation,
    Member,
    MemberObservation,
    PovertyScheme,
    SchemeKind,
    SurveyRound,
)
from mekong.registry.schemes import HouseholdFacts, MemberFacts, evaluate, parse_config

CHUNK = 5000


def _chunks(
    observations: QuerySet[HouseholdObservation], size: int
) -> Iterator[list[HouseholdObservation]]:
    chunk: list[HouseholdObservation] = []
    for observation in observations.iterator(chunk_size=size):
        chunk.append(observation)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@transaction.atomic
def scheme_create(
    *,
    user: object | None,
    code: str,
    name: str,
    kind: SchemeKind | str,
    config: dict[str, Any],
    valid_from: date,
    country: Country | None = None,
    source: str = "",
) -> PovertyScheme:
    """Add a scheme, or a new version of one: earlier results keep the version they used."""
    if user is not None:
        require_analyst(user)
    parse_config(str(kind), config)  # InvalidInput names the wrong key
    latest = PovertyScheme.objects.filter(code=code).order_by("-version").first()
    scheme = PovertyScheme(
        code=code,
        version=(latest.version + 1) if latest else 1,
        name=name,
        kind=kind,
        country=country,
        config=config,
        valid_from=valid_from,
        source=source,
    )
    full_clean_or_raise(scheme)
    save_new(
        scheme,
        conflict=_("Scheme %(code)s changed while saving; try again.") % {"code": code},
        field="code",
    )
    return scheme


def household_facts(
    observation: HouseholdObservation, members: Iterable[tuple[int, MemberObservation | None, Any]]
) -> HouseholdFacts:
    """Assemble what the rules read. ``members``: (birth year, observation, member)."""
    year = observation.observed_on.year
    member_facts = tuple(
        MemberFacts(
            age=year - birth_year,
            years_of_schooling=member.years_of_schooling,
            attending_school=obs.attending_school if obs else None,
            health=obs.health if obs else "",
            has_disability=obs.has_disability if obs else False,
            medical_insurance=obs.medical_insurance if obs else None,
            labour=obs.labour if obs else "",
        )
        for birth_year, obs, member in members
    )
    livestock = observation.livestock or {}
    return HouseholdFacts(
        year=year,
        size=observation.size,
        net_income=observation.net_income,
        consumption_monthly=observation.consumption_monthly,
        roof=observation.roof,
        walls=observation.walls,
        floor=observation.floor,
        housing_area_m2=observation.housing_area_m2,
        dangerous_house=observation.dangerous_house,
        water_source=observation.water_source,
        water_minutes=observation.water_minutes,
        sanitation=observation.sanitation,
        cooking_fuel=observation.cooking_fuel,
        electricity=observation.electricity,
        assets=tuple(observation.assets or ()),
        land_ha=Decimal(observation.land_ha),
        livestock_head=sum(int(v) for v in livestock.values()),
        food_shortage_months=observation.food_shortage_months,
        worry_food=observation.worry_food,
        worry_clothing=observation.worry_clothing,
        child_death_5y=observation.child_death_5y,
        undernourished=observation.undernourished,
        members=member_facts,
    )


@dataclass(frozen=True)
class ClassifySummary:
    households: int
    poor: int
    created: int
    updated: int
    unchanged: int


def _reasons_json(reasons: dict[str, Any]) -> dict[str, Any]:
    return {
        key: (str(value) if isinstance(value, Decimal) else value) for key, value in reasons.items()
    }


@transaction.atomic
def classify_round(
    *,
    user: object | None,
    survey_round: SurveyRound,
    scheme: PovertyScheme,
    households: Iterable[Household] | None = None,
) -> ClassifySummary:
    """Classify every household observed in the round (or the given ones) under the scheme.

    Results are upserted: an unchanged result is left alone, a changed one is updated with
    a history row, so re-running a classification changes nothing.
    """
    if user is not None:
        require_analyst(user)
    if scheme.country_id is not None and scheme.country_id != survey_round.country_id:
        raise InvalidInput(
            _("scheme: %(scheme)s is for another country than round %(round)s.")
            % {"scheme": scheme, "round": survey_round.code},
            field="scheme",
        )
    config = parse_config(scheme.kind, scheme.config)
    observations = HouseholdObservation.objects.filter(survey_round=survey_round).order_by("id")
    if households is not None:
        observations = observations.filter(household__in=list(households))
    existing = {
        c.household_id: c
        for c in Classification.objects.filter(survey_round=survey_round, scheme=scheme)
    }
    to_create: list[Classification] = []
    to_update: list[Classification] = []
    unchanged = poor = 0
    actor = acting_user(user)
    # Chunks keep memory and IN-lists bounded for a national round of millions of households.
    for chunk in _chunks(observations, CHUNK):
        household_ids = [o.household_id for o in chunk]
        members_by_household: dict[int, list[Member]] = {}
        for member in Member.objects.filter(household_id__in=household_ids, is_present=True):
            members_by_household.setdefault(member.household_id, []).append(member)
        member_obs = {
            mo.member_id: mo
            for mo in MemberObservation.objects.filter(
                survey_round=survey_round, member__household_id__in=household_ids
            )
        }
        for observation in chunk:
            members = members_by_household.get(observation.household_id, [])
            facts = household_facts(
                observation, [(m.birth_year, member_obs.get(m.id), m) for m in members]
            )
            result = evaluate(scheme.kind, config, facts)
            poor += result.poor
            value = result.value.quantize(Decimal("0.0001")) if result.value is not None else None
            reasons = _reasons_json(result.reasons)
            current = existing.get(observation.household_id)
            if current is None:
                to_create.append(
                    Classification(
                        household_id=observation.household_id,
                        survey_round=survey_round,
                        scheme=scheme,
                        poor=result.poor,
                        level=result.level,
                        value=value,
                        reasons=reasons,
                        classified_by=actor,
                    )
                )
            elif (current.poor, current.level, current.value, current.reasons) == (
                result.poor,
                result.level,
                value,
                reasons,
            ):
                unchanged += 1
            else:
                current.poor, current.level, current.value = result.poor, result.level, value
                current.reasons, current.classified_by = reasons, actor
                to_update.append(current)
    if to_create:
        bulk_create_with_history(to_create, Classification, batch_size=2000, default_user=actor)
    if to_update:
        bulk_update_with_history(
            to_update,
            Classification,
            ["poor", "level", "value", "reasons", "classified_by"],
            batch_size=2000,
            default_user=actor,
        )
    return ClassifySummary(
        households=len(to_create) + len(to_update) + unchanged,
        poor=poor,
        created=len(to_create),
        updated=len(to_update),
        unchanged=unchanged,
    )


@transaction.atomic
def household_set_causes(
    *,
    user: object | None,
    household: Household,
    main_cause: str,
    secondary_causes: list[str],
    helper: Person | None = None,
) -> Household:
    if user is not None:
        require_can_edit_household(user, household)
    for cause in [main_cause, *secondary_causes]:
        if cause not in Cause.values:
            raise InvalidInput(
                _("causes: unknown cause %(cause)r.") % {"cause": cause}, field="causes"
            )
    if len(secondary_causes) > 2 or main_cause in secondary_causes:
        raise InvalidInput(
            _("secondary_causes: at most two, and not the main cause again."),
            field="secondary_causes",
        )
    if len(set(secondary_causes)) != len(secondary_causes):
        raise InvalidInput(_("secondary_causes: name each cause once."), field="secondary_causes")
    household.main_cause = main_cause
    household.secondary_causes = list(secondary_causes)
    household.helper = helper
    household.save(update_fields=["main_cause", "secondary_causes", "helper"])
    return household


@transaction.atomic
def assistance_record(
    *,
    user: object | None,
    household: Household,
    category: str,
    description: str,
    value: Decimal,
    currency: str,
    value_date: date,
    component: Component | None = None,
    provider: Organisation | None = None,
) -> AssistanceMeasure:
    if user is not None:
        require_can_edit_household(user, household)
    if category not in AssistanceCategory.values:
        raise InvalidInput(
            _("category: unknown category %(category)r.") % {"category": category}, field="category"
        )
    if category == AssistanceCategory.PROJECT and component is None:
        raise InvalidInput(
            _("component: a project measure names its component."), field="component"
        )
    if (
        component is not None
        and not component.project.villages.filter(id=household.village_id).exists()
    ):
        raise InvalidInput(
            _("component: the household's village is not in that project."), field="component"
        )
    if value < 0:
        raise InvalidInput(_("value: cannot be negative."), field="value")
    measure = AssistanceMeasure(
        household=household,
        category=category,
        component=component,
        description=description,
        value=value,
        currency=validate_currency(currency),
        value_date=value_date,
        provider=provider,
    )
    full_clean_or_raise(measure)
    measure.save()
    return measure
