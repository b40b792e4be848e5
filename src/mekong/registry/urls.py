from __future__ import annotations

from django.urls import path

from mekong.registry import views, views_household

urlpatterns = [
    path("villages/<int:village_id>/register/", views.village_register, name="village-register"),
    path("households/<int:household_id>/", views.household_detail, name="household-detail"),
    path(
        "households/<int:household_id>/causes/",
        views_household.household_causes,
        name="household-causes",
    ),
    path(
        "households/<int:household_id>/measures/new/",
        views_household.measure_create,
        name="household-measure-create",
    ),
    path("alerts/", views.alert_list, name="alert-list"),
    path("register/export.<str:fmt>", views.register_download, name="register-export"),
]
