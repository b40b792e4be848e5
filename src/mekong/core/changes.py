"""Shared steps of the services that change a record: validate, lock, apply, clean."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from mekong.core.errors import InvalidInput
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
    locked = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
    for field, value in changes.items():
        if field in TEXT_FIELDS and isinstance(value, str):
            value = normalise_myanmar(value)
        setattr(locked, field, value)
    return locked
