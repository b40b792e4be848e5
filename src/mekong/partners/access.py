"""The only door to data a user may see or change.

Every selector starts from one of the ``*_visible_to`` querysets here, and every service
asks one of the ``require_*`` functions before it writes. Reading outside one's scope is
indistinguishable from reading something missing (404); writing outside it is refused (403).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from mekong.core.errors import PermissionDenied
from mekong.geo.models import Country, Village
from mekong.partners.models import Organisation, Person, Role, User

# Roles that may change villages' reference data (names, coordinates, counts).
VILLAGE_EDITORS = frozenset(
    {Role.ADMINISTRATOR, Role.PROGRAMME_OFFICER, Role.COUNTERPART, Role.JOINT_OFFICE}
)
# Roles that may register and edit organisations and their contact people.
ORGANISATION_EDITORS = frozenset({Role.ADMINISTRATOR, Role.PROGRAMME_OFFICER, Role.COUNTERPART})
# Roles that see contact details (email, phone) of people in their scope.
CONTACT_READERS = frozenset(
    {
        Role.ADMINISTRATOR,
        Role.PROGRAMME_OFFICER,
        Role.COUNTERPART,
        Role.JOINT_OFFICE,
        Role.ME_OFFICER,
    }
)


def _signed_in(user: object) -> User | None:
    if isinstance(user, User) and user.is_authenticated and user.is_active:
        return user
    return None


def acting_user(user: object | None) -> User | None:
    """The signed-in user to record as author of a change; None for the system (demo, jobs)."""
    return user if isinstance(user, User) else None


def country_ids_in_scope(user: object) -> set[int] | None:
    """Ids of the countries the user sees; ``None`` means all; an empty set, none."""
    member = _signed_in(user)
    if member is None:
        return set()
    if member.is_superuser or member.scope_all_countries or member.role == Role.ADMINISTRATOR:
        return None
    cached: set[int] | None = getattr(member, "_mekong_country_ids", None)
    if cached is None:
        cached = set(member.scope_countries.values_list("id", flat=True))
        member._mekong_country_ids = cached  # type: ignore[attr-defined]
    return cached


def organisation_ids_in_scope(user: object) -> set[int]:
    member = _signed_in(user)
    if member is None:
        return set()
    cached: set[int] | None = getattr(member, "_mekong_org_ids", None)
    if cached is None:
        cached = set(member.scope_organisations.values_list("id", flat=True))
        member._mekong_org_ids = cached  # type: ignore[attr-defined]
    return cached


def role_of(user: object) -> Role | None:
    member = _signed_in(user)
    if member is None:
        return None
    if member.is_superuser:
        return Role.ADMINISTRATOR
    return Role(member.role)


def countries_visible_to(user: object) -> QuerySet[Country]:
    ids = country_ids_in_scope(user)
    countries = Country.objects.all()
    if _signed_in(user) is None:
        # The public sees the countries that have a published village.
        return countries.filter(villages__published=True).distinct()
    if ids is None:
        return countries
    # China, the provider, is every partner's counterpart and always in view.
    return countries.filter(Q(id__in=ids) | Q(is_partner=False))


def villages_visible_to(user: object) -> QuerySet[Village]:
    villages = Village.objects.select_related("country", "admin_area", "admin_area__country")
    if _signed_in(user) is None:
        return villages.filter(published=True)
    ids = country_ids_in_scope(user)
    if ids is None:
        return villages
    return villages.filter(country_id__in=ids)


def organisations_visible_to(user: object) -> QuerySet[Organisation]:
    organisations = Organisation.objects.select_related("country", "parent")
    if _signed_in(user) is None:
        return organisations.none()
    ids = country_ids_in_scope(user)
    if ids is None:
        return organisations
    return organisations.filter(
        Q(country_id__in=ids)
        | Q(country__is_partner=False)
        | Q(id__in=organisation_ids_in_scope(user))
    )


def people_visible_to(user: object) -> QuerySet[Person]:
    return Person.objects.select_related("organisation", "organisation__country").filter(
        organisation__in=organisations_visible_to(user)
    )


def _in_country_scope(user: object, country_id: int) -> bool:
    ids = country_ids_in_scope(user)
    return ids is None or country_id in ids


def can_see_contacts(user: object, person: Person) -> bool:
    role = role_of(user)
    if role not in CONTACT_READERS:
        return False
    organisation = person.organisation
    return _in_country_scope(user, organisation.country_id) or (
        organisation.id in organisation_ids_in_scope(user)
    )


def can_edit_village(user: object, village: Village) -> bool:
    return role_of(user) in VILLAGE_EDITORS and _in_country_scope(user, village.country_id)


def can_edit_organisation(user: object, organisation: Organisation) -> bool:
    if role_of(user) not in ORGANISATION_EDITORS:
        return False
    return _in_country_scope(user, organisation.country_id) or (
        organisation.id in organisation_ids_in_scope(user)
    )


def can_create_in_country(user: object, country: Country) -> bool:
    return role_of(user) in ORGANISATION_EDITORS and _in_country_scope(user, country.id)


def require_can_edit_village(user: object, village: Village) -> None:
    if not can_edit_village(user, village):
        raise PermissionDenied(
            _("You may not change village %(code)s: it is outside your role or scope.")
            % {"code": village.code}
        )


def require_can_edit_organisation(user: object, organisation: Organisation) -> None:
    if not can_edit_organisation(user, organisation):
        raise PermissionDenied(
            _("You may not change organisation “%(name)s”: it is outside your role or scope.")
            % {"name": organisation.name_latin}
        )


def require_can_create_in_country(user: object, country: Country) -> None:
    if not can_create_in_country(user, country):
        raise PermissionDenied(
            _("You may not add records for %(country)s: it is outside your role or scope.")
            % {"country": country.display_name}
        )


__all__ = [
    "can_edit_organisation",
    "can_edit_village",
    "can_see_contacts",
    "countries_visible_to",
    "organisations_visible_to",
    "people_visible_to",
    "require_can_create_in_country",
    "require_can_edit_organisation",
    "require_can_edit_village",
    "villages_visible_to",
]
