"""Results pages for every persona, value entry through the forms, and evidence files:
magic bytes decide what is accepted, and downloads are scope-checked."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from mekong.core.errors import InvalidInput
from mekong.partners.models import User
from mekong.results import services
from mekong.results.models import Evidence, IndicatorValue, ValueStatus
from tests.conftest import Personas, client_for
from tests.results.conftest import ResultsWorld
from tests.results.core_fixtures import Staff, staff_fixture  # noqa: F401  (fixture)

SEES_MM = {"officer": True, "mm_counterpart": True, "la_counterpart": False, "enumerator": True}

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
CSV = b"sex,trained\nF,40\nM,35\n"


def _office_file(folder: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}/document.xml", "<x/>")
    return buffer.getvalue()


def test_framework_list_and_pages_scoped(
    persona: tuple[str, User | None], results_world: ResultsWorld
) -> None:
    name, user = persona
    rw = results_world
    client = client_for(user)
    listing = client.get("/results/")
    if user is None:
        assert listing.status_code == 302
        assert client.get(f"/results/{rw.project_framework.id}/").status_code == 302
        return
    body = listing.content.decode()
    assert ("Myanmar villages results" in body) == SEES_MM[name]
    assert "Demonstration cooperation results" in body
    for url in (
        f"/results/{rw.project_framework.id}/",
        f"/results/indicators/{rw.trained.id}/",
    ):
        assert client.get(url).status_code == (200 if SEES_MM[name] else 404), url


def test_framework_page_shows_tree_target_and_ci(
    personas: Personas, results_world: ResultsWorld
) -> None:
    rw = results_world
    services.target_set(user=None, indicator=rw.trained, period=rw.p2024, value=Decimal(150))
    # A computed value as results.compute would store it (25 % ± its interval).
    IndicatorValue.objects.create(
        indicator=rw.headcount,
        period=rw.p2024,
        value=25,
        ci_low=10.5,
        ci_high=39.5,
        source="computed",
        status=ValueStatus.COMPUTED,
    )
    page = (
        client_for(personas.officer)
        .get(f"/results/{rw.project_framework.id}/?period={rw.p2024.id}")
        .content.decode()
    )
    for text in (
        "Fewer poor households",
        "Households earn more",
        "Farmers trained",
        "MM-P1",
        "150",
        "25.0",
        "10.5–39.5",
        "status-computed",
    ):
        assert text in page, text


def test_enter_submit_verify_approve_through_pages(
    personas: Personas,
    staff: Staff,
    results_world: ResultsWorld,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    rw = results_world
    entry = client_for(personas.mm_counterpart)
    for dimension, category, number in (("sex", "F", 40), ("sex", "M", 35), ("", "", 75)):
        response = entry.post(
            f"/results/indicators/{rw.trained.id}/values/new/",
            {
                "period": rw.p2024.id,
                "dimension": dimension,
                "category": category,
                "value": number,
                "note": "",
                "evidence": SimpleUploadedFile("sheet.pdf", PDF),
                "description": "Attendance",
            },
        )
        assert response.status_code == 302, response.content.decode()
    total = IndicatorValue.objects.get(indicator=rw.trained, disaggregation_key="")
    assert total.evidence.count() == 1
    female = IndicatorValue.objects.get(indicator=rw.trained, disaggregation_key="sex=F")
    entry.post(f"/results/values/{total.id}/submit/")
    entry.post(f"/results/values/{female.id}/submit/")
    waiting = client_for(staff.me_officer).get("/results/waiting/").content.decode()
    assert f"/results/values/{total.id}/" in waiting
    # Cells read as words, not as their storage key.
    assert "Sex: Female" in waiting
    assert "sex=F" not in waiting
    client_for(staff.me_officer).post(f"/results/values/{total.id}/verify/")
    client_for(personas.officer).post(f"/results/values/{total.id}/approve/")
    total.refresh_from_db()
    assert total.status == ValueStatus.APPROVED


def test_refused_step_shows_a_message_and_changes_nothing(
    personas: Personas, results_world: ResultsWorld
) -> None:
    rw = results_world
    value = services.value_create(
        user=personas.officer, indicator=rw.trained, period=rw.p2024, value=5
    )
    services.value_submit(user=personas.officer, value=value)
    response = client_for(personas.officer).post(f"/results/values/{value.id}/verify/")
    assert response.status_code == 403
    assert "someone else must verify" in response.content.decode()
    value.refresh_from_db()
    assert value.status == ValueStatus.SUBMITTED


def test_lock_period_page(personas: Personas, results_world: ResultsWorld) -> None:
    rw = results_world
    url = f"/results/{rw.project_framework.id}/periods/{rw.p2024.id}/lock/"
    assert client_for(personas.mm_counterpart).post(url).status_code == 403
    assert client_for(personas.la_counterpart).post(url).status_code == 404
    assert client_for(personas.officer).post(url).status_code == 302
    rw.p2024.refresh_from_db()
    assert rw.p2024.is_locked


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (PDF, "application/pdf"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image/jpeg"),
        (PNG, "image/png"),
        (_office_file("xl"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (
            _office_file("word"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (CSV, "text/csv"),
    ],
)
def test_evidence_kinds_come_from_magic_bytes(
    personas: Personas,
    results_world: ResultsWorld,
    settings: Any,
    tmp_path: Path,
    content: bytes,
    kind: str,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    rw = results_world
    value = services.value_create(
        user=personas.officer, indicator=rw.trained, period=rw.p2024, value=5
    )
    # The name lies; the first bytes decide.
    evidence = services.evidence_attach(
        user=personas.officer, value=value, upload=SimpleUploadedFile("x.exe", content)
    )
    assert evidence.content_type == kind
    assert not str(evidence.file.name).endswith(".exe")


@pytest.mark.parametrize(
    "content",
    [b"MZ\x90\x00" + b"\x00" * 40, b"<html><script>x</script></html>", _office_file("other"), b""],
)
def test_evidence_refuses_other_files(
    personas: Personas,
    results_world: ResultsWorld,
    settings: Any,
    tmp_path: Path,
    content: bytes,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    rw = results_world
    value = services.value_create(
        user=personas.officer, indicator=rw.trained, period=rw.p2024, value=5
    )
    with pytest.raises(InvalidInput, match="file:"):
        services.evidence_attach(
            user=personas.officer, value=value, upload=SimpleUploadedFile("sheet.pdf", content)
        )
    assert not Evidence.objects.exists()


def test_evidence_size_limit(personas: Personas, results_world: ResultsWorld) -> None:
    rw = results_world
    value = services.value_create(
        user=personas.officer, indicator=rw.trained, period=rw.p2024, value=5
    )
    upload = SimpleUploadedFile("big.pdf", PDF)
    upload.size = services.EVIDENCE_MAX_BYTES + 1
    with pytest.raises(InvalidInput, match="20 MB"):
        services.evidence_attach(user=personas.officer, value=value, upload=upload)


def test_evidence_download_is_scope_checked(
    persona: tuple[str, User | None],
    personas: Personas,
    results_world: ResultsWorld,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    name, user = persona
    rw = results_world
    value = services.value_create(
        user=personas.officer, indicator=rw.trained, period=rw.p2024, value=5
    )
    evidence = services.evidence_attach(
        user=personas.officer, value=value, upload=SimpleUploadedFile("s.csv", CSV)
    )
    response = client_for(user).get(f"/results/evidence/{evidence.id}/")
    if user is None:
        assert response.status_code == 302
        return
    assert response.status_code == (200 if SEES_MM[name] else 404)
    if SEES_MM[name]:
        assert b"".join(response.streaming_content) == CSV  # type: ignore[attr-defined]
        assert response["Content-Type"] == "text/csv"


def test_api_evidence_upload(
    personas: Personas, results_world: ResultsWorld, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    rw = results_world
    value = services.value_create(
        user=personas.mm_counterpart, indicator=rw.trained, period=rw.p2024, value=5
    )
    url = f"/api/results/values/{value.id}/evidence"
    ok = client_for(personas.mm_counterpart).post(url, {"file": SimpleUploadedFile("a.png", PNG)})
    assert ok.status_code == 201
    bad = client_for(personas.mm_counterpart).post(
        url, {"file": SimpleUploadedFile("a.png", b"GIF89a")}
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "file"
    other = client_for(personas.la_counterpart).post(
        url, {"file": SimpleUploadedFile("a.png", PNG)}
    )
    assert other.status_code == 403


def test_navigation_has_results(personas: Personas, results_world: ResultsWorld) -> None:
    page = client_for(personas.officer).get("/results/").content.decode()
    assert 'href="/results/" aria-current="page"' in page
