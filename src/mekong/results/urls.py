from __future__ import annotations

from django.urls import path

from mekong.results import views_dashboard

app_name = "results"

urlpatterns = [
    path("dashboards/", views_dashboard.dashboard_list, name="dashboard-list"),
    path("<int:framework_id>/dashboard/", views_dashboard.dashboard, name="dashboard"),
]
