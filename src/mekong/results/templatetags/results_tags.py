"""Small filters for the results pages: figures in the indicator's precision, names in the
reader's language."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import get_language

from mekong.results.models import Indicator

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
