"""Geography endpoints; the same scoping as the pages (partners.access)."""

# No `from __future__ import annotations`: django-ninja reads these signatures at run time.

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from mekong.core.errors import InvalidInput, NotFound
from mekong.geo import selectors, services
from mekong.geo.models import AdminArea, AdminLevel, Country, Village

router = Router(tags=["geography"])


class CountryOut(Schema):
    iso3: str
    iso2: str
    name: str
    name_local: str
    currency: str
    is_partner: bool

    @staticmethod
    def resolve_name(obj: Country) -> str:
        return obj.display_name


class AdminAreaOut(Schema):
    id: int
    country: str
    parent_id: int | None
    level: AdminLevel
    code: str
    name_latin: str
    name_local: str
    depth: int

    @staticmethod
    def resolve_country(obj: AdminArea) -> str:
        return obj.country.iso3


class VillageOut(Schema):
    id: int
    code: str
    country: str
    admin_area_id: int
    name_latin: str
    name_local: str
    latitude: Decimal
    longitude: Decimal
    population: int | None
    households: int | None
    is_demonstration: bool
    published: bool
    is_synthetic: bool

    @staticmethod
    def resolve_country(obj: Village) -> str:
        return obj.country.iso3


class VillageFilterIn(Schema):
    country: str | None = Field(None, min_length=3, max_length=3, description="ISO alpha-3")
    admin_area: int | None = Field(None, description="Area id; includes all areas below it")
    demonstration: bool | None = None
    search: str | None = Field(None, max_length=100)


class VillageIn(Schema):
    admin_area_id: int
    code: str = Field(min_length=1, max_length=40)
    name_latin: str = Field(min_length=1, max_length=150)
    name_local: str = Field("", max_length=150)
    latitude: Decimal = Field(ge=-90, le=90, max_digits=8, decimal_places=5)
    longitude: Decimal = Field(ge=-180, le=180, max_digits=8, decimal_places=5)
    population: int | None = Field(None, ge=0)
    households: int | None = Field(None, ge=0)
    is_demonstration: bool = False
    published: bool = False


class VillagePatch(Schema):
    name_latin: str | None = Field(None, min_length=1, max_length=150)
    name_local: str | None = Field(None, max_length=150)
    latitude: Decimal | None = Field(None, ge=-90, le=90, max_digits=8, decimal_places=5)
    longitude: Decimal | None = Field(None, ge=-180, le=180, max_digits=8, decimal_places=5)
    population: int | None = Field(None, ge=0)
    households: int | None = Field(None, ge=0)
    published: bool | None = None


@router.get("/countries", response=list[CountryOut], summary="Countries you can see")
def list_countries(request: HttpRequest) -> Any:
    return selectors.country_list(user=request.user)


@router.get("/admin-areas", response=list[AdminAreaOut], summary="Administrative areas")
@paginate(PageNumberPagination)
def list_admin_areas(request: HttpRequest, country: str | None = None) -> Any:
    return selectors.admin_areas_for_filter(user=request.user, country=country)


@router.get("/villages", response=list[VillageOut], summary="Villages in your scope")
@paginate(PageNumberPagination)
def list_villages(request: HttpRequest, filters: Query[VillageFilterIn]) -> Any:
    return selectors.village_list(
        user=request.user, filters=selectors.VillageFilters(**filters.dict())
    )


@router.get("/villages/{village_id}", response=VillageOut, summary="One village")
def get_village(request: HttpRequest, village_id: int) -> Any:
    return selectors.village_get_for_user(user=request.user, village_id=village_id)


@router.post("/villages", response={201: VillageOut}, summary="Register a village")
def create_village(request: HttpRequest, payload: VillageIn) -> Any:
    data = payload.dict()
    area = AdminArea.objects.select_related("country").filter(id=data.pop("admin_area_id")).first()
    if area is None:
        raise InvalidInput(
            _("admin_area_id: there is no administrative area with this id."),
            field="admin_area_id",
        )
    return Status(201, services.village_create(user=request.user, admin_area=area, **data))


@router.patch("/villages/{village_id}", response=VillageOut, summary="Change a village")
def update_village(request: HttpRequest, village_id: int, payload: VillagePatch) -> Any:
    # Writes look the village up without scope so that out-of-scope answers 403, not 404.
    village = Village.objects.select_related("country").filter(id=village_id).first()
    if village is None:
        raise NotFound(_("No village with id %(id)s.") % {"id": village_id})
    changes = payload.dict(exclude_unset=True)
    return services.village_update(user=request.user, village=village, changes=changes)
