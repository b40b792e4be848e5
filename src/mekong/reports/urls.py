from __future__ import annotations

from django.urls import path

from mekong.reports import views

urlpatterns = [
    path("<int:framework_id>/", views.report_page, name="report-page"),
    path(
        "<int:framework_id>/export.<str:export_format>",
        views.export,
        name="report-export",
    ),
]
