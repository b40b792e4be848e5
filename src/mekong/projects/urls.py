from __future__ import annotations

from django.urls import path

from mekong.projects import views

urlpatterns = [
    path("projects/", views.portfolio, name="project-list"),
    path("projects/villages.json", views.portfolio_villages, name="project-villages"),
    path("projects/export.xlsx", views.portfolio_export, name="project-export"),
    path("projects/<int:project_id>/", views.project_detail, name="project-detail"),
    path(
        "projects/<int:project_id>/finance.xlsx", views.finance_export, name="project-finance-xlsx"
    ),
    path(
        "projects/<int:project_id>/work-plans/<int:plan_id>/approve/",
        views.work_plan_approve,
        name="work-plan-approve",
    ),
    path("projects/<int:project_id>/advance/", views.project_advance, name="project-advance"),
    path("exchange-rates/", views.exchange_rates, name="exchange-rates"),
    path("progress/<int:update_id>/photo/", views.progress_photo, name="progress-photo"),
    path(
        "progress/<int:update_id>/photo/upload/",
        views.progress_photo_upload,
        name="progress-photo-upload",
    ),
]
