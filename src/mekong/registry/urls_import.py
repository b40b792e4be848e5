from __future__ import annotations

from django.urls import path

from mekong.registry import views_import

urlpatterns = [
    path("register/import/", views_import.household_import, name="household-import"),
]
