"""Small filters for the results pages: figures in the indicator's precision, names in the
reader's language."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from mekong.results.models import Dimension, Indicator, category_text

register = template.Library()


@register.filter
def figure(number: Decimal | float | None, indicator: Indicator) -> str:
    """``number`` with the indicator's decimals, thousands grouped; ``–`` when missing."""
    if number is None:
        return "–"
    return str(floatformat(number, f"{indicator.decimals}g"))


@register.filter
def local(obj: Any, attribute: str = "name") -> str:
    """The object's ``attribute`` in the reader's language from its ``translations``."""
    translations = getattr(obj, "translations", None)
    language = get_language() or "en"
    if isinstance(translations, dict) and translations.get(language):
        return str(translations[language])
    return str(getattr(obj, attribute, ""))


@register.filter
def cell(value: Any) -> str:
    """A value's disaggregation cell for readers: "Sex: Female", or "Total" for the total."""
    disaggregation = getattr(value, "disaggregation", None) or {}
    if not disaggregation:
        return str(_("Total"))
    dimensions = dict(Dimension.choices)
    return " · ".join(
        f"{dimensions.get(d, d)}: {category_text(d, c)}" for d, c in sorted(disaggregation.items())
    )


# Change reasons the services record: an event word, and after ": " what the person wrote.
_EVENTS = ("submitted", "verified", "approved", "rejected", "locked", "unlocked")


@register.filter
def history_note(reason: str | None) -> str:
    """What a person wrote with a step, without the event word the status column shows."""
    text = reason or ""
    event, _sep, note = text.partition(": ")
    if event in _EVENTS:
        return note
    return "" if text in _EVENTS else text
