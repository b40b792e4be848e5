"""Organisation, people and account endpoints; contacts are masked outside one's scope."""

# No `from __future__ import annotations`: django-ninja reads these signatures at run time.

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from mekong.core.errors import InvalidInput, NotFound
from mekong.geo.models import Country
from mekong.partners import selectors, services
from mekong.partners.access import can_see_contacts, country_ids_in_scope, role_of
from mekong.partners.models import Organisation, OrganisationKind, Person, Role

router = Router(tags=["organisations"])


class OrganisationOut(Schema):
    id: int
    name_latin: str
    name_local: str
    acronym: str
    kind: OrganisationKind
    country: str
    parent_id: int | None
    website: str
    is_synthetic: bool

    @staticmethod
    def resolve_country(obj: Organisation) -> str:
        return obj.country.iso3


class OrganisationIn(Schema):
    country: str = Field(min_length=3, max_length=3, description="ISO alpha-3")
    name_latin: str = Field(min_length=1, max_length=255)
    name_local: str = Field("", max_length=255)
    acronym: str = Field("", max_length=30)
    kind: OrganisationKind
    parent_id: int | None = None
    website: str = Field("", max_length=200)


class OrganisationPatch(Schema):
    name_latin: str | None = Field(None, min_length=1, max_length=255)
    name_local: str | None = Field(None, max_length=255)
    acronym: str | None = Field(None, max_length=30)
    kind: OrganisationKind | None = None
    website: str | None = Field(None, max_length=200)


class PersonOut(Schema):
    id: int
    name_latin: str
    name_local: str
    position: str
    organisation_id: int
    email: str | None = Field(description="null when your role or scope does not show contacts")
    phone: str | None = Field(description="null when your role or scope does not show contacts")


class MeOut(Schema):
    username: str
    role: Role | None
    all_countries: bool
    countries: list[str]


def _person_out(user: object, person: Person) -> dict[str, Any]:
    visible = can_see_contacts(user, person)
    return {
        "id": person.id,
        "name_latin": person.name_latin,
        "name_local": person.name_local,
        "position": person.position,
        "organisation_id": person.organisation_id,
        "email": person.email if visible else None,
        "phone": person.phone if visible else None,
    }


@router.get("/me", response=MeOut, summary="Who you are and what you see", tags=["account"])
def me(request: HttpRequest) -> Any:
    ids = country_ids_in_scope(request.user)
    codes = Country.objects.order_by("iso3").values_list("iso3", flat=True)
    return {
        "username": request.user.get_username(),
        "role": role_of(request.user),
        "all_countries": ids is None,
        "countries": list(codes if ids is None else codes.filter(id__in=ids)),
    }


@router.get("/organisations", response=list[OrganisationOut], summary="Organisations")
@paginate(PageNumberPagination)
def list_organisations(
    request: HttpRequest,
    country: str | None = None,
    kind: OrganisationKind | None = None,
    search: str | None = None,
) -> Any:
    return selectors.organisation_list(user=request.user, country=country, kind=kind, search=search)


@router.get("/organisations/{organisation_id}", response=OrganisationOut)
def get_organisation(request: HttpRequest, organisation_id: int) -> Any:
    return selectors.organisation_get_for_user(user=request.user, organisation_id=organisation_id)


@router.get("/organisations/{organisation_id}/people", response=list[PersonOut])
def list_people(request: HttpRequest, organisation_id: int) -> Any:
    organisation = selectors.organisation_get_for_user(
        user=request.user, organisation_id=organisation_id
    )
    people = selectors.person_list(user=request.user, organisation=organisation)
    return [_person_out(request.user, person) for person in people]


@router.post("/organisations", response={201: OrganisationOut}, summary="Register an organisation")
def create_organisation(request: HttpRequest, payload: OrganisationIn) -> Any:
    data = payload.dict()
    country = Country.objects.filter(iso3=data.pop("country").upper()).first()
    if country is None:
        raise InvalidInput(_("country: unknown ISO alpha-3 code."), field="country")
    parent_id = data.pop("parent_id")
    parent = None
    if parent_id is not None:
        try:
            parent = selectors.organisation_get_for_user(
                user=request.user, organisation_id=parent_id
            )
        except NotFound:
            raise InvalidInput(
                _("parent_id: no organisation with this id."), field="parent_id"
            ) from None
    organisation = services.organisation_create(
        user=request.user, country=country, parent=parent, **data
    )
    return Status(201, organisation)


@router.patch("/organisations/{organisation_id}", response=OrganisationOut)
def update_organisation(
    request: HttpRequest, organisation_id: int, payload: OrganisationPatch
) -> Any:
    organisation = Organisation.objects.select_related("country").filter(id=organisation_id).first()
    if organisation is None:
        raise NotFound(_("No organisation with id %(id)s.") % {"id": organisation_id})
    return services.organisation_update(
        user=request.user, organisation=organisation, changes=payload.dict(exclude_unset=True)
    )
