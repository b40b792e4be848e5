from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from mekong.partners.models import ApiToken, Organisation, Person, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ("name_latin", "acronym", "kind", "country", "parent", "is_synthetic")
    list_filter = ("country", "kind", "is_synthetic")
    search_fields = ("name_latin", "name_local", "acronym")
    autocomplete_fields = ("parent", "village")


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin[Person]):
    list_display = ("name_latin", "name_local", "organisation", "position")
    list_filter = ("organisation__country",)
    search_fields = ("name_latin", "name_local")
    autocomplete_fields = ("organisation",)


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    list_display = ("username", "role", "scope_all_countries", "is_staff", "is_active")
    list_filter = ("role", "scope_all_countries", "is_staff", "is_active")
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        (
            _("Role and scope"),
            {
                "fields": (
                    "role",
                    "person",
                    "scope_all_countries",
                    "scope_countries",
                    "scope_organisations",
                    "preferred_language",
                )
            },
        ),
    )
    filter_horizontal = ("scope_countries", "scope_organisations", "groups", "user_permissions")
    autocomplete_fields = ("person",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at")
    search_fields = ("name", "user__username", "prefix")

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        # Tokens are issued by `mekong token create`, which shows the raw value once.
        return False
