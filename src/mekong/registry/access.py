"""Who sees which households and who sees their personal data.

Households are seen through their village's country (partners.access scope). Names, ID
numbers, phones and home coordinates are shown only to the roles that work with families
face to face or decide on them; everyone else gets a stable pseudonym instead.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from mekong.core.errors import PermissionDenied
from mekong.partners.access import country_ids_in_scope, role_of
from mekong.partners.models import Role
from mekong.registry.models import Household

PERSONAL_DATA_READERS = frozenset(
    {Role.ADMINISTRATOR, Role.COUNTERPART, Role.JOINT_OFFICE, Role.ENUMERATOR}
)
REGISTRY_EDITORS = frozenset(
    {Role.ADMINISTRATOR, Role.COUNTERPART, Role.JOINT_OFFICE, Role.ENUMERATOR}
)
# Roles that may run classifications and configure schemes (analysts and programme staff).
ANALYSTS = frozenset({Role.ADMINISTRATOR, Role.PROGRAMME_OFFICER, Role.ME_OFFICER})


def households_visible_to(user: object) -> QuerySet[Household]:
    households = Household.objects.select_related("village", "village__country", "helper")
    if role_of(user) is None:
        return households.none()
    ids = country_ids_in_scope(user)
    if ids is None:
        return households
    return households.filter(village__country_id__in=ids)


def can_see_personal_data(user: object) -> bool:
    return role_of(user) in PERSONAL_DATA_READERS


def pseudonym(external_id: str) -> str:
    """A stable, non-reversible label for a household or member (keyed by the secret key)."""
    digest = hmac.new(settings.SECRET_KEY.encode(), external_id.encode(), hashlib.sha256)
    return "P-" + digest.hexdigest()[:10].upper()


def _in_scope(user: object, household: Household) -> bool:
    ids = country_ids_in_scope(user)
    return ids is None or household.village.country_id in ids


def require_can_edit_household(user: object, household: Household) -> None:
    if role_of(user) not in REGISTRY_EDITORS or not _in_scope(user, household):
        raise PermissionDenied(
            _("You may not change household %(id)s: it is outside your role or scope.")
            % {"id": household.external_id}
        )


def can_edit_household(user: object, household: Household) -> bool:
    try:
        require_can_edit_household(user, household)
    except PermissionDenied:
        return False
    return True


def require_can_register_in(user: object, country_id: int) -> None:
    ids = country_ids_in_scope(user)
    if role_of(user) not in REGISTRY_EDITORS or (ids is not None and country_id not in ids):
        raise PermissionDenied(
            _("You may not register households there: it is outside your role or scope.")
        )


def require_analyst(user: object) -> None:
    if role_of(user) not in ANALYSTS:
        raise PermissionDenied(_("Your role may not run or configure poverty classification."))
