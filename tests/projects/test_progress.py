"""Dated progress updates with photos; photos reach only users who see the project."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished
from django.db import close_old_connections

from mekong.projects import services
from mekong.projects.models import Asset
from tests.conftest import Personas, World, client_for
from tests.projects.conftest import Portfolio

# The smallest valid PNG signature plus header bytes is enough for the type check.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def asset(portfolio: Portfolio, world: World) -> Asset:
    component = services.component_create(
        user=None, project=portfolio.mm_project, focus_area="infrastructure", title="Water"
    )
    activity = services.activity_create(user=None, component=component, title="Wells")
    return services.asset_create(
        user=None,
        activity=activity,
        village=world.mm_published,
        asset_type="well",
        unit="units",
        planned_quantity=Decimal("4"),
        procurement_mode="recipient_built",
    )


def _report(client, asset: Asset, body: dict) -> object:  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/assets/{asset.id}/progress", data=json.dumps(body), content_type="application/json"
    )


def test_progress_updates_the_asset_and_keeps_the_series(
    personas: Personas,
    asset: Asset,
    tmp_path,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = client_for(personas.officer)
    first = _report(
        client, asset, {"reported_on": "2019-03-01", "percent_complete": 50, "actual_quantity": "2"}
    )
    assert first.status_code == 201  # type: ignore[attr-defined]
    _report(
        client,
        asset,
        {"reported_on": "2019-06-01", "percent_complete": 100, "actual_quantity": "4"},
    )
    asset.refresh_from_db()
    assert (asset.percent_complete, asset.actual_quantity) == (100, Decimal("4"))
    assert asset.completed_on == date(2019, 6, 1)
    # An update dated before the latest one is refused and changes nothing.
    late = _report(
        client, asset, {"reported_on": "2019-04-01", "percent_complete": 60, "actual_quantity": "3"}
    )
    assert late.status_code == 400  # type: ignore[attr-defined]
    assert asset.progress_updates.count() == 2


def test_photo_upload_type_check_and_scoped_download(
    personas: Personas,
    asset: Asset,
    tmp_path,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.MEDIA_ROOT = tmp_path
    update = services.asset_progress_record(
        user=None,
        asset=asset,
        reported_on=date(2019, 3, 1),
        percent_complete=30,
        actual_quantity=Decimal("1"),
    )
    client = client_for(personas.officer)
    url = f"/api/progress-updates/{update.id}/photo"
    not_image = SimpleUploadedFile("site.jpg", b"%PDF-1.4 not an image", "image/jpeg")
    refused = client.post(url, {"photo": not_image})
    assert refused.status_code == 400
    assert "only JPEG, PNG or WebP" in refused.json()["detail"]
    accepted = client.post(url, {"photo": SimpleUploadedFile("site.png", PNG, "image/png")})
    assert accepted.status_code == 201
    assert accepted.json()["has_photo"] is True
    # The Lao counterpart cannot fetch the photo of a Myanmar project; the officer can.
    assert (
        client_for(personas.la_counterpart).get(f"/progress/{update.id}/photo/").status_code == 404
    )
    download = client.get(f"/progress/{update.id}/photo/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")  # type: ignore[attr-defined]
    # Closing a streaming response fires request_finished, which would close the test's
    # database connection (and its transaction, on PostgreSQL); close only the file.
    request_finished.disconnect(close_old_connections)
    try:
        download.close()
    finally:
        request_finished.connect(close_old_connections)
    # Nor may the Lao counterpart attach one.
    other = client_for(personas.la_counterpart).post(
        url, {"photo": SimpleUploadedFile("x.png", PNG, "image/png")}
    )
    assert other.status_code == 403
