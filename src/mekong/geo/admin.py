from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from mekong.geo.models import AdminArea, Country, Village
from mekong.geo.services import place_in_tree


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin[Country]):
    list_display = ("iso3", "iso2", "name_latin", "name_local", "currency", "is_partner")


@admin.register(AdminArea)
class AdminAreaAdmin(admin.ModelAdmin[AdminArea]):
    list_display = ("code", "name_latin", "name_local", "level", "country", "depth")
    list_filter = ("country", "level")
    search_fields = ("code", "name_latin", "name_local")
    readonly_fields = ("path", "depth")
    autocomplete_fields = ("parent",)

    def get_readonly_fields(self, request: HttpRequest, obj: AdminArea | None = None) -> Any:
        # Moving an area would invalidate the paths below it; re-parenting is not offered.
        if obj is not None:
            return ("country", "parent", "code", "path", "depth")
        return self.readonly_fields

    def save_model(self, request: HttpRequest, obj: AdminArea, form: Any, change: bool) -> None:
        if not change:
            place_in_tree(obj)
        super().save_model(request, obj, form, change)


@admin.register(Village)
class VillageAdmin(admin.ModelAdmin[Village]):
    list_display = (
        "code",
        "name_latin",
        "name_local",
        "country",
        "population",
        "households",
        "is_demonstration",
        "published",
        "is_synthetic",
    )
    list_filter = ("country", "is_demonstration", "published", "is_synthetic")
    search_fields = ("code", "name_latin", "name_local")
    autocomplete_fields = ("admin_area",)
