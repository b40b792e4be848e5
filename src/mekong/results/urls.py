"""Results pages. ``<id>/dashboard/`` and below belong to views_dashboard.py."""

from __future__ import annotations

from django.urls import path

from mekong.results import views, views_dashboard

app_name = "results"

urlpatterns = [
    path("", views.framework_list, name="framework-list"),
    path("waiting/", views.waiting, name="waiting"),
    path("<int:framework_id>/", views.framework_detail, name="framework-detail"),
    path(
        "<int:framework_id>/periods/<int:period_id>/lock/",
        views.period_lock,
        name="period-lock",
    ),
    path("indicators/<int:indicator_id>/", views.indicator_detail, name="indicator-detail"),
    path("indicators/<int:indicator_id>/values/new/", views.value_new, name="value-new"),
    path("values/<int:value_id>/", views.value_detail, name="value-detail"),
    path("values/<int:value_id>/<slug:step>/", views.value_step, name="value-step"),
    path("evidence/<int:evidence_id>/", views.evidence_download, name="evidence-download"),
    path("dashboards/", views_dashboard.dashboard_list, name="dashboard-list"),
    path("<int:framework_id>/dashboard/", views_dashboard.dashboard, name="dashboard"),
]
