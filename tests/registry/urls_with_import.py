"""The site's URLs plus the import page, as the lead will include it at the site root."""

from __future__ import annotations

from django.urls import include, path

from mekong.urls import urlpatterns as site_urlpatterns

urlpatterns = [path("", include("mekong.registry.urls_import")), *site_urlpatterns]
