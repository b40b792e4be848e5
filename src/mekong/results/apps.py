from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    name = "mekong.results"
    label = "results"
    verbose_name = _("Results")
