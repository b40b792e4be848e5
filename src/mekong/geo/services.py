"""Writes to geography: one function per use case, transactional, scope-checked."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from mekong.core.changes import apply_changes, full_clean_or_raise, save_new
from mekong.core.errors import Conflict, InvalidInput
from mekong.core.text import normalise_myanmar
from mekong.geo.models import AdminArea, AdminLevel, Country, Village
from mekong.partners.access import require_can_create_in_country, require_can_edit_village

VILLAGE_EDITABLE_FIELDS = (
    "name_latin",
    "name_local",
    "latitude",
    "longitude",
    "population",
    "households",
    "published",
)


def place_in_tree(area: AdminArea) -> None:
    """Set ``depth`` and the materialised ``path`` from the parent (before the first save)."""
    parent = area.parent
    prefix = parent.path if parent is not None else f"{area.country.iso3}/"
    area.depth = (parent.depth + 1) if parent is not None else 1
    area.path = f"{prefix}{area.code}/"


@transaction.atomic
def admin_area_create(
    *,
    country: Country,
    code: str,
    name_latin: str,
    level: AdminLevel,
    parent: AdminArea | None = None,
    name_local: str = "",
) -> AdminArea:
    if parent is not None and parent.country_id != country.id:
        raise InvalidInput(
            _("The parent area %(parent)s is in another country.") % {"parent": parent.code},
            field="parent",
        )
    area = AdminArea(
        country=country,
        parent=parent,
        code=code,
        level=level,
        name_latin=normalise_myanmar(name_latin),
        name_local=normalise_myanmar(name_local),
    )
    place_in_tree(area)
    full_clean_or_raise(area)
    area.save()
    return area


@transaction.atomic
def village_create(
    *,
    user: object | None,
    admin_area: AdminArea,
    code: str,
    name_latin: str,
    latitude: Decimal,
    longitude: Decimal,
    name_local: str = "",
    population: int | None = None,
    households: int | None = None,
    is_demonstration: bool = False,
    published: bool = False,
    is_synthetic: bool = False,
) -> Village:
    """Register a village. ``user=None`` is the system (demo generator, imports)."""
    if user is not None:
        require_can_create_in_country(user, admin_area.country)
    if Village.objects.filter(code=code).exists():
        raise Conflict(
            _("A village with code %(code)s already exists.") % {"code": code}, field="code"
        )
    village = Village(
        country=admin_area.country,
        admin_area=admin_area,
        code=code,
        name_latin=normalise_myanmar(name_latin),
        name_local=normalise_myanmar(name_local),
        latitude=latitude,
        longitude=longitude,
        population=population,
        households=households,
        is_demonstration=is_demonstration,
        published=published,
        is_synthetic=is_synthetic,
    )
    _check_counts(population, households)
    full_clean_or_raise(village)
    save_new(
        village,
        conflict=_("A village with code %(code)s already exists.") % {"code": code},
        field="code",
    )
    return village


def _check_counts(population: int | None, households: int | None) -> None:
    if population is not None and households is not None and households > population:
        raise InvalidInput(
            _("households (%(households)s) cannot exceed population (%(population)s).")
            % {"households": households, "population": population},
            field="households",
        )


@transaction.atomic
def village_update(*, user: object, village: Village, changes: dict[str, Any]) -> Village:
    """Apply ``changes`` (a subset of VILLAGE_EDITABLE_FIELDS) all at once or not at all."""
    require_can_edit_village(user, village)
    locked = apply_changes(village, changes, allowed=VILLAGE_EDITABLE_FIELDS)
    _check_counts(locked.population, locked.households)
    full_clean_or_raise(locked)
    locked.save()
    return locked
