"""The web import page: dry run lists every error and writes nothing; import writes."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from mekong.registry.models import Household, Member
from tests.conftest import Personas, World, client_for
from tests.registry.test_import import ROWS, csv_bytes

URL = "/register/import/"


def upload(rows: list[list[str]]) -> SimpleUploadedFile:
    return SimpleUploadedFile("register.csv", csv_bytes(rows), content_type="text/csv")


def test_dry_run_lists_errors_and_writes_nothing(world: World, personas: Personas) -> None:
    rows = [list(r) for r in ROWS]
    rows[1][11] = "X"
    rows[4][12] = "1850"
    client = client_for(personas.enumerator)

    response = client.post(URL, {"file": upload(rows), "action": "dry_run"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "2 errors" in page
    assert "Not one of the allowed values: F, M." in page
    assert "A birth year must lie between 1900" in page
    assert Household.objects.count() == 0


def test_dry_run_of_a_valid_file_counts_then_import_writes(
    world: World, personas: Personas
) -> None:
    client = client_for(personas.mm_counterpart)

    dry = client.post(URL, {"file": upload(ROWS), "action": "dry_run"})
    assert "Dry run: the file is valid" in dry.content.decode()
    assert Member.objects.count() == 0

    response = client.post(URL, {"file": upload(ROWS), "action": "import"})
    assert response.status_code == 200
    assert Member.objects.count() == 5


def test_page_needs_sign_in_and_an_editor_role(world: World, personas: Personas) -> None:
    assert client_for(None).get(URL).status_code == 302
    assert client_for(personas.officer).get(URL).status_code == 403
    assert client_for(personas.enumerator).get(URL).status_code == 200
