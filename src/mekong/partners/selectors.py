"""Reads of organisations and people, always through the user's scope."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from mekong.core.errors import NotFound
from mekong.partners.access import organisations_visible_to, people_visible_to
from mekong.partners.models import ApiToken, Organisation, Person, User


def organisation_list(
    *, user: object, country: str | None = None, kind: str | None = None, search: str | None = None
) -> QuerySet[Organisation]:
    organisations = organisations_visible_to(user)
    if country:
        organisations = organisations.filter(country__iso3=country.upper())
    if kind:
        organisations = organisations.filter(kind=kind)
    if search:
        organisations = organisations.filter(
            Q(name_latin__icontains=search)
            | Q(name_local__icontains=search)
            | Q(acronym__iexact=search)
        )
    return organisations


def organisation_get_for_user(*, user: object, organisation_id: int) -> Organisation:
    organisation = organisations_visible_to(user).filter(id=organisation_id).first()
    if organisation is None:
        raise NotFound(_("No organisation with id %(id)s.") % {"id": organisation_id})
    return organisation


def person_list(*, user: object, organisation: Organisation | None = None) -> QuerySet[Person]:
    people = people_visible_to(user)
    if organisation is not None:
        people = people.filter(organisation=organisation)
    return people


def user_for_token(raw: str) -> User | None:
    """The active user owning this bearer token, or None. Records the time of use."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=ApiToken.digest_of(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # One write a minute at most: a script polling the API should not turn reads into writes.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(id=token.id).update(last_used_at=now)
    return token.user
