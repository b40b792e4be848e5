from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from mekong.api.main import api

urlpatterns = [
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("results/", include("mekong.results.urls")),
    path("", include("mekong.projects.urls")),
    path("", include("mekong.registry.urls")),
    path("", include("mekong.registry.urls_import")),
    path("", include("mekong.web.urls")),
]

admin.site.site_header = "Mekong Bridge"
admin.site.site_title = "Mekong Bridge"
