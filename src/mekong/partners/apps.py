from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "mekong.partners"
    label = "partners"
    verbose_name = _("Organisations and people")
