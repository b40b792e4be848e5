from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from mekong.partners.access import role_of


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The main menu, shortened for the public."""
    signed_in = role_of(getattr(request, "user", None)) is not None
    items = [("home", _("Overview")), ("map", _("Map")), ("village-list", _("Villages"))]
    if signed_in:
        items.insert(1, ("project-list", _("Projects")))
        items.insert(2, ("results:framework-list", _("Results")))
        items.insert(3, ("results:dashboard-list", _("Dashboards")))
        items.append(("organisation-list", _("Organisations")))
        items.append(("alert-list", _("Alerts")))
    return {"nav_items": items, "nav_signed_in": signed_in}
