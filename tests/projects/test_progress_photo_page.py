"""The web form for progress photos: who may upload, the type check, nothing half-saved."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from mekong.projects import services
from mekong.projects.models import ProgressUpdate
from tests.conftest import PERSONA_NAMES, Personas, World, client_for
from tests.projects.conftest import Portfolio

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture
def update(portfolio: Portfolio, world: World, tmp_path: Path, settings) -> ProgressUpdate:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    component = services.component_create(
        user=None, project=portfolio.mm_project, focus_area="infrastructure", title="Water"
    )
    activity = services.activity_create(user=None, component=component, title="Wells")
    asset = services.asset_create(
        user=None,
        activity=activity,
        village=world.mm_published,
        asset_type="well",
        unit="units",
        planned_quantity=Decimal("4"),
        procurement_mode="recipient_built",
    )
    return services.asset_progress_record(
        user=None,
        asset=asset,
        reported_on=date(2019, 3, 1),
        percent_complete=30,
        actual_quantity=Decimal("1"),
    )


def url(update: ProgressUpdate) -> str:
    return f"/progress/{update.id}/photo/upload/"


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_photo_form_by_persona(name: str, personas: Personas, update: ProgressUpdate) -> None:
    user = getattr(personas, name, None)
    client = client_for(user)

    page = client.get(url(update))
    sent = client.post(url(update), {"photo": SimpleUploadedFile("well.png", PNG, "image/png")})

    update.refresh_from_db()
    if name == "anonymous":
        assert (page.status_code, sent.status_code) == (302, 302)
    elif name == "officer":  # a project editor in scope
        assert page.status_code == 200
        assert sent.status_code == 302
        assert sent["Location"] == f"/projects/{update.asset.activity.component.project_id}/#works"
        assert update.photo.name.endswith(f"update-{update.id}.png")
        return
    elif name == "la_counterpart":  # cannot see the Myanmar project
        assert (page.status_code, sent.status_code) == (404, 403)
    else:  # sees the project, may not change it
        assert (page.status_code, sent.status_code) == (403, 403)
    assert not update.photo


def test_a_file_that_is_not_an_image_is_refused_naming_the_field(
    personas: Personas, update: ProgressUpdate
) -> None:
    client = client_for(personas.officer)

    response = client.post(
        url(update), {"photo": SimpleUploadedFile("well.jpg", b"%PDF-1.4 nope", "image/jpeg")}
    )
    missing = client.post(url(update), {})

    assert response.status_code == 200
    assert response.context["form"].errors["photo"] == [
        "photo: only JPEG, PNG or WebP images are accepted."
    ]
    assert "photo" in missing.context["form"].errors
    update.refresh_from_db()
    assert not update.photo


def test_a_new_photo_replaces_the_old_one(
    personas: Personas, update: ProgressUpdate, tmp_path: Path
) -> None:
    client = client_for(personas.officer)
    client.post(url(update), {"photo": SimpleUploadedFile("a.png", PNG, "image/png")})
    page = client.get(url(update)).content.decode()
    assert "a new one replaces it" in page

    client.post(url(update), {"photo": SimpleUploadedFile("b.jpg", JPEG, "image/jpeg")})

    update.refresh_from_db()
    assert update.photo.name.endswith(".jpg")
    stored = sorted(p.name for p in (tmp_path / "progress").rglob("*") if p.is_file())
    assert stored == [f"update-{update.id}.jpg"]


def test_project_page_links_the_form_for_editors_only(
    personas: Personas, update: ProgressUpdate
) -> None:
    project_id = update.asset.activity.component.project_id
    for name, offered in (("officer", True), ("mm_counterpart", False)):
        page = client_for(getattr(personas, name)).get(f"/projects/{project_id}/")
        assert (url(update) in page.content.decode()) is offered
