from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from mekong.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("map/", views.map_page, name="map"),
    path("map/villages.json", views.map_data, name="map-data"),
    path("map/boundaries.geojson", views.boundaries, name="boundaries"),
    path("villages/", views.village_list, name="village-list"),
    path("villages/<int:village_id>/", views.village_detail, name="village-detail"),
    path("villages/<int:village_id>/edit/", views.village_edit, name="village-edit"),
    path("organisations/", views.organisation_list, name="organisation-list"),
    path(
        "organisations/<int:organisation_id>/",
        views.organisation_detail,
        name="organisation-detail",
    ),
    path(
        "accounts/login/",
        views.SignInView.as_view(),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
