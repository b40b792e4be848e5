"""Reads of geography, always through the user's scope (partners.access)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from mekong.core.errors import NotFound
from mekong.geo.models import AdminArea, Country, Village
from mekong.partners.access import countries_visible_to, villages_visible_to


@dataclass(frozen=True)
class VillageFilters:
    country: str | None = None  # ISO alpha-3
    admin_area: int | None = None  # includes every area below it
    demonstration: bool | None = None
    search: str | None = None


def country_list(*, user: object) -> QuerySet[Country]:
    return countries_visible_to(user).order_by("iso3")


def village_list(*, user: object, filters: VillageFilters | None = None) -> QuerySet[Village]:
    villages = villages_visible_to(user)
    if filters is None:
        return villages
    if filters.country:
        villages = villages.filter(country__iso3=filters.country.upper())
    if filters.admin_area is not None:
        area = AdminArea.objects.filter(id=filters.admin_area).only("path").first()
        if area is None:
            return villages.none()
        villages = villages.filter(admin_area__path__startswith=area.path)
    if filters.demonstration is not None:
        villages = villages.filter(is_demonstration=filters.demonstration)
    if filters.search:
        term = filters.search.strip()
        villages = villages.filter(
            Q(name_latin__icontains=term) | Q(name_local__icontains=term) | Q(code__iexact=term)
        )
    return villages


def village_get_for_user(*, user: object, village_id: int) -> Village:
    """The village, if it exists and the user may see it; NotFound in either other case."""
    village = villages_visible_to(user).filter(id=village_id).first()
    if village is None:
        raise NotFound(_("No village with id %(id)s.") % {"id": village_id})
    return village


def admin_area_ancestors(area: AdminArea) -> list[AdminArea]:
    """The chain from the country's top level down to ``area`` (inclusive), in one query."""
    codes = [code for code in area.path.strip("/").split("/")[1:]]
    by_code = {
        a.code: a for a in AdminArea.objects.filter(country_id=area.country_id, code__in=codes)
    }
    return [by_code[code] for code in codes if code in by_code]


def admin_areas_for_filter(*, user: object, country: str | None = None) -> QuerySet[AdminArea]:
    """Areas of the countries the user sees (for filter menus and the API)."""
    areas = AdminArea.objects.select_related("country").filter(
        country__in=countries_visible_to(user)
    )
    if country:
        areas = areas.filter(country__iso3=country.upper())
    return areas.order_by("country__iso3", "path")


def provinces_with_villages(*, user: object) -> list[AdminArea]:
    """Top-level areas holding at least one village the user sees (for the filter menu)."""
    paths = villages_visible_to(user).values_list("admin_area__path", flat=True).distinct()
    top_codes = {(path.split("/")[0], path.split("/")[1]) for path in paths}
    areas = AdminArea.objects.select_related("country").filter(
        depth=1, code__in={code for _iso3, code in top_codes}
    )
    return sorted(
        (a for a in areas if (a.country.iso3, a.code) in top_codes),
        key=lambda a: (a.country.iso3, a.name_latin),
    )
