from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "mekong.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from mekong.core import checks  # noqa: F401  (registers the system checks)
