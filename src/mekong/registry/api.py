"""Register endpoints: households with personal data masked by role; schemes; classification."""

# No `from __future__ import annotations`: django-ninja reads these signatures at run time.

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from mekong.core.errors import InvalidInput, NotFound
from mekong.geo.models import Country
from mekong.geo.selectors import village_get_for_user
from mekong.partners.access import country_ids_in_scope
from mekong.registry import selectors, services
from mekong.registry.access import require_can_edit_household
from mekong.registry.exit_selectors import household_for_write
from mekong.registry.models import (
    AssistanceCategory,
    AssistanceMeasure,
    Cause,
    Classification,
    Household,
    PovertyScheme,
    SchemeKind,
    SurveyRound,
)

router = Router(tags=["registry"])


def _view(obj: Household, context: dict[str, Any]) -> selectors.PersonalView:
    return selectors.household_personal(context["request"].user, obj)


class HouseholdOut(Schema):
    id: int
    label: str = Field(description="Head's name, or a pseudonym when your role may not see it")
    external_id: str | None
    village: str
    status: str
    national_id: str | None
    phone: str | None
    main_cause: str
    secondary_causes: list[str]
    helper_id: int | None
    helper: str | None
    personal_data_masked: bool

    @staticmethod
    def resolve_helper(obj: Household) -> str | None:
        return obj.helper.name_latin if obj.helper is not None else None

    @staticmethod
    def resolve_label(obj: Household, context: dict[str, Any]) -> str:
        return _view(obj, context).label

    @staticmethod
    def resolve_external_id(obj: Household, context: dict[str, Any]) -> str | None:
        return None if _view(obj, context).masked else obj.external_id

    @staticmethod
    def resolve_village(obj: Household) -> str:
        return obj.village.code

    @staticmethod
    def resolve_national_id(obj: Household, context: dict[str, Any]) -> str | None:
        return None if _view(obj, context).masked else obj.national_id

    @staticmethod
    def resolve_phone(obj: Household, context: dict[str, Any]) -> str | None:
        return None if _view(obj, context).masked else obj.phone

    @staticmethod
    def resolve_personal_data_masked(obj: Household, context: dict[str, Any]) -> bool:
        return _view(obj, context).masked


class CausesIn(Schema):
    main_cause: Cause
    secondary_causes: list[Cause] = Field(default_factory=list, max_length=2)
    helper_id: int | None = Field(None, description="A person you may see; null for none")


class MeasureIn(Schema):
    category: AssistanceCategory
    description: str = Field(min_length=1, max_length=255)
    value: Decimal = Field(ge=0, max_digits=18, decimal_places=2)
    currency: str = Field(min_length=3, max_length=3, description="ISO 4217 code")
    value_date: date
    component_id: int | None = Field(None, description="Required for the category “project”")
    provider_id: int | None = None


class MeasureOut(Schema):
    id: int
    household_id: int
    category: str
    description: str
    value: Decimal
    currency: str
    value_date: date
    component_id: int | None
    component: str | None
    provider_id: int | None
    provider: str | None

    @staticmethod
    def resolve_component(obj: AssistanceMeasure) -> str | None:
        return obj.component.title if obj.component is not None else None

    @staticmethod
    def resolve_provider(obj: AssistanceMeasure) -> str | None:
        return obj.provider.name_latin if obj.provider is not None else None


class ClassificationOut(Schema):
    survey_round: str
    scheme: str
    scheme_version: int
    poor: bool
    level: str
    value: Decimal | None
    reasons: dict[str, Any]

    @staticmethod
    def resolve_survey_round(obj: Classification) -> str:
        return obj.survey_round.code

    @staticmethod
    def resolve_scheme(obj: Classification) -> str:
        return obj.scheme.code

    @staticmethod
    def resolve_scheme_version(obj: Classification) -> int:
        return obj.scheme.version


class SchemeIn(Schema):
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    kind: SchemeKind
    country: str | None = Field(None, min_length=3, max_length=3)
    config: dict[str, Any]
    valid_from: date
    source: str = ""


class SchemeOut(Schema):
    id: int
    code: str
    version: int
    name: str
    kind: str
    config: dict[str, Any]
    valid_from: date


class ClassifyOut(Schema):
    households: int
    poor: int
    created: int
    updated: int
    unchanged: int


@router.get("/households", response=list[HouseholdOut], summary="Households in your scope")
@paginate(PageNumberPagination)
def list_households(request: HttpRequest, village: int | None = None) -> Any:
    place = village_get_for_user(user=request.user, village_id=village) if village else None
    return selectors.household_list(user=request.user, village=place)


@router.get("/households/{household_id}", response=HouseholdOut)
def get_household(request: HttpRequest, household_id: int) -> Any:
    return selectors.household_get_for_user(user=request.user, household_id=household_id)


@router.put(
    "/households/{household_id}/causes",
    response=HouseholdOut,
    summary="Set a household's main and secondary causes of poverty and its helper",
)
def set_causes(request: HttpRequest, household_id: int, payload: CausesIn) -> Any:
    household = household_for_write(household_id)
    # Outside the role or scope answers 403 before the helper is looked up.
    require_can_edit_household(request.user, household)
    helper = selectors.helper_for_user(user=request.user, person_id=payload.helper_id)
    return services.household_set_causes(
        user=request.user,
        household=household,
        main_cause=payload.main_cause.value,
        secondary_causes=[cause.value for cause in payload.secondary_causes],
        helper=helper,
    )


@router.get("/households/{household_id}/measures", response=list[MeasureOut])
def list_measures(request: HttpRequest, household_id: int) -> Any:
    household = selectors.household_get_for_user(user=request.user, household_id=household_id)
    return list(household.measures.select_related("component", "provider").order_by("value_date"))


@router.post(
    "/households/{household_id}/measures",
    response={201: MeasureOut},
    summary="Record an assistance measure for a household",
)
def create_measure(request: HttpRequest, household_id: int, payload: MeasureIn) -> Any:
    household = household_for_write(household_id)
    # The role and scope are checked before the named records are looked up, so an
    # out-of-scope write answers 403 whatever it names.
    require_can_edit_household(request.user, household)
    measure = services.assistance_record(
        user=request.user,
        household=household,
        category=payload.category.value,
        description=payload.description,
        value=payload.value,
        currency=payload.currency,
        value_date=payload.value_date,
        component=selectors.component_for_user(
            user=request.user, household=household, component_id=payload.component_id
        ),
        provider=selectors.provider_for_user(
            user=request.user, organisation_id=payload.provider_id
        ),
    )
    return Status(201, measure)


@router.get("/households/{household_id}/classifications", response=list[ClassificationOut])
def household_classifications(request: HttpRequest, household_id: int) -> Any:
    household = selectors.household_get_for_user(user=request.user, household_id=household_id)
    return list(
        household.classifications.select_related("scheme", "survey_round").order_by(
            "survey_round__started_on", "scheme__code"
        )
    )


@router.get("/schemes", response=list[SchemeOut], summary="Identification schemes")
def list_schemes(request: HttpRequest) -> Any:
    return PovertyScheme.objects.order_by("code", "-version")


@router.post("/schemes", response={201: SchemeOut}, summary="Add a scheme or a new version")
def create_scheme(request: HttpRequest, payload: SchemeIn) -> Any:
    data = payload.dict()
    country = None
    if data["country"]:
        country = Country.objects.filter(iso3=data["country"].upper()).first()
        if country is None:
            raise InvalidInput(_("country: unknown ISO alpha-3 code."), field="country")
    scheme = services.scheme_create(
        user=request.user,
        code=data["code"],
        name=data["name"],
        kind=data["kind"],
        config=data["config"],
        valid_from=data["valid_from"],
        country=country,
        source=data["source"],
    )
    return Status(201, scheme)


@router.post(
    "/rounds/{round_code}/classify/{scheme_id}",
    response=ClassifyOut,
    summary="Classify every household of a round under a scheme",
)
def classify(request: HttpRequest, round_code: str, scheme_id: int) -> Any:
    survey_round = SurveyRound.objects.filter(code=round_code).first()
    scheme = PovertyScheme.objects.filter(id=scheme_id).first()
    if survey_round is None or scheme is None:
        raise NotFound(_("No such round or scheme."))
    # A round of a country outside the analyst's scope does not exist for them.
    ids = country_ids_in_scope(request.user)
    if ids is not None and survey_round.country_id not in ids:
        raise NotFound(_("No such round or scheme."))
    return services.classify_round(user=request.user, survey_round=survey_round, scheme=scheme)
