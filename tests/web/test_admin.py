"""Every model has an admin page that opens, and records kept by services are read-only."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.staticfiles import finders
from django.test import Client

from mekong.partners.models import Role, User
from tests.conftest import PASSWORD, World, client_for


@pytest.fixture
def superuser(world: World) -> User:
    return User.objects.create_superuser(
        username="root", password=PASSWORD, email="root@example.org", role=Role.ADMINISTRATOR
    )


def test_every_registered_model_has_a_changelist_that_opens(superuser: User) -> None:
    client = client_for(superuser)
    for model in admin.site._registry:
        meta = model._meta
        response = client.get(f"/admin/{meta.app_label}/{meta.model_name}/")
        assert response.status_code == 200, f"{meta.label}: {response.status_code}"


@pytest.mark.parametrize(
    "label",
    [
        "projects.transaction",
        "projects.workplanapproval",
        "registry.exitcase",
        "registry.importbatch",
        "registry.classification",
    ],
)
def test_service_records_cannot_be_added_in_the_admin(superuser: User, label: str) -> None:
    app, model = label.split(".")
    response = client_for(superuser).get(f"/admin/{app}/{model}/add/")
    assert response.status_code == 403


def test_every_app_model_is_registered() -> None:
    from django.apps import apps

    ours = [
        m
        for m in apps.get_models()
        if m._meta.app_label in {"geo", "partners", "projects", "registry"}
        and not m.__name__.startswith("Historical")
    ]
    missing = [m._meta.label for m in ours if m not in admin.site._registry]
    # Inline-only children are edited inside their parent's page.
    inline_only = {
        "projects.ProjectSector",
        "projects.ProjectParticipant",
        "projects.ProjectTransition",
        "projects.ProgressUpdate",
        "projects.JointOfficeMember",
        "projects.Decision",
        "projects.ExpertTeamMember",
        "projects.MissionReport",
        "projects.VotingOption",
        "registry.ExitStep",
        "registry.SampledHousehold",
    }
    assert sorted(set(missing) - inline_only) == []


def test_favicon_ico_leads_to_our_icon(client: Client) -> None:
    # The admin's pages link no icon, so browsers ask for /favicon.ico: every first visit
    # left a 404 in the server log.
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/web/favicon.svg"
    assert finders.find("web/favicon.svg") is not None
