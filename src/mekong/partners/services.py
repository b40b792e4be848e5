"""Writes to organisations, people, users and tokens."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from mekong.core.changes import apply_changes, full_clean_or_raise
from mekong.core.text import normalise_myanmar
from mekong.geo.models import Country
from mekong.partners.access import (
    require_can_create_in_country,
    require_can_edit_organisation,
)
from mekong.partners.models import ApiToken, Organisation, OrganisationKind, Person, User

ORGANISATION_EDITABLE_FIELDS = ("name_latin", "name_local", "acronym", "kind", "website")


@transaction.atomic
def organisation_create(
    *,
    user: object | None,
    country: Country,
    name_latin: str,
    kind: OrganisationKind | str,
    name_local: str = "",
    acronym: str = "",
    parent: Organisation | None = None,
    website: str = "",
    is_synthetic: bool = False,
) -> Organisation:
    if user is not None:
        require_can_create_in_country(user, country)
    organisation = Organisation(
        country=country,
        name_latin=normalise_myanmar(name_latin),
        name_local=normalise_myanmar(name_local),
        acronym=acronym,
        kind=kind,
        parent=parent,
        website=website,
        is_synthetic=is_synthetic,
    )
    full_clean_or_raise(organisation)
    organisation.save()
    return organisation


@transaction.atomic
def organisation_update(
    *, user: object, organisation: Organisation, changes: dict[str, Any]
) -> Organisation:
    require_can_edit_organisation(user, organisation)
    locked = apply_changes(organisation, changes, allowed=ORGANISATION_EDITABLE_FIELDS)
    full_clean_or_raise(locked)
    locked.save()
    return locked


@transaction.atomic
def person_create(
    *,
    user: object | None,
    organisation: Organisation,
    name_latin: str,
    name_local: str = "",
    position: str = "",
    email: str = "",
    phone: str = "",
    is_synthetic: bool = False,
) -> Person:
    if user is not None:
        require_can_edit_organisation(user, organisation)
    person = Person(
        organisation=organisation,
        name_latin=normalise_myanmar(name_latin),
        name_local=normalise_myanmar(name_local),
        position=normalise_myanmar(position),
        email=email,
        phone=phone,
        is_synthetic=is_synthetic,
    )
    full_clean_or_raise(person)
    person.save()
    return person


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Issue a token; returns it with the raw value, which is never stored or shown again."""
    raw = ApiToken.new_raw_value()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[4:12], digest=ApiToken.digest_of(raw)
    )
    return token, raw
