"""Shared steps of the services that change a record: validate, lock, apply, clean."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from mekong.core.errors import Conflict, InvalidInput
from mekong.core.text import normalise_myanmar

M = TypeVar("M", bound=models.Model)

# Free-text fields that may arrive in Zawgyi and are stored as Unicode.
TEXT_FIELDS = frozenset({"name_latin", "name_local", "position"})


def full_clean_or_raise(instance: models.Model) -> None:
    """Run the model's validation; the first problem becomes an InvalidInput naming the field."""
    try:
        instance.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise InvalidInput(f"{field}: {' '.join(messages)}", field=field) from exc


def apply_changes(instance: M, changes: Mapping[str, Any], *, allowed: Iterable[str]) -> M:
    """Lock the row, set the allowed fields (Myanmar text normalised) and return it unsaved.

    Unknown fields are refused before anything is touched; the caller validates and saves
    inside its own transaction, so a refused change writes nothing.
    """
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise InvalidInput(
            _("These fields cannot be changed here: %(fields)s.") % {"fields": ", ".join(unknown)},
            field=unknown[0],
        )
    model = type(instance)
    for field, value in changes.items():
        if value is None and not model._meta.get_field(field).null:
            # full_clean skips empty values of blank-allowed fields; the database would not.
            raise InvalidInput(
                _("%(field)s: may not be null; send an empty string to clear it.")
                % {"field": field},
                field=field,
            )
    locked = model._default_manager.select_for_update().get(pk=instance.pk)
    for field, value in changes.items():
        if field in TEXT_FIELDS and isinstance(value, str):
            value = normalise_myanmar(value)
        setattr(locked, field, value)
    return locked


def save_new(instance: models.Model, *, conflict: str, field: str) -> None:
    """Insert ``instance``; a unique-key race with another request becomes a Conflict (409).

    Services check for duplicates before they write; two requests arriving together can both
    pass that check, and the database's unique constraint then decides.
    """
    try:
        with transaction.atomic():
            instance.save(force_insert=True)
    except IntegrityError as exc:
        raise Conflict(conflict, field=field) from exc
