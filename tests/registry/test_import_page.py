"""The web import page: dry run lists errors, all of them as CSV; import writes; rounds."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse

from mekong.registry import views_import
from mekong.registry.imports import RowError
from mekong.registry.models import (
    Household,
    HouseholdObservation,
    Member,
    MemberObservation,
    SurveyRound,
)
from tests.conftest import PERSONA_NAMES, Personas, World, client_for
from tests.registry.test_import import ROWS, csv_bytes
from tests.registry.test_import_observations import COLUMNS, OBS_ROWS

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


def _csv_rows(response: HttpResponse) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_all_errors_download_as_csv_beyond_those_shown(
    world: World, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views_import, "MAX_ERRORS_SHOWN", 1)
    rows = [list(r) for r in ROWS]
    rows[1][11] = "X"
    rows[4][12] = "1850"
    rows[2][10] = "=HYPERLINK(0)" + "9" * 40  # a national ID: too long, and a formula
    client = client_for(personas.enumerator)

    page = client.post(URL, {"file": upload(rows), "action": "dry_run"}).content.decode()
    assert "And 2 more errors" in page
    assert "Download all errors (CSV)" in page

    response = client.post(URL, {"file": upload(rows), "action": "errors_csv"})

    assert response.status_code == 200
    table = _csv_rows(response)
    assert table[0] == ["row", "column", "value", "reason"]
    assert [(r[0], r[1]) for r in table[1:]] == [
        ("3", "sex"),
        ("4", "national_id"),
        ("6", "birth_year"),
    ]
    # Personal values stay masked, as on the page.
    assert table[2][2] == "•••99"
    assert "HYPERLINK" not in response.content.decode()
    assert Household.objects.count() == 0


def test_errors_csv_of_a_valid_file_shows_the_page_and_writes_nothing(
    world: World, personas: Personas
) -> None:
    response = client_for(personas.mm_counterpart).post(
        URL, {"file": upload(ROWS), "action": "errors_csv"}
    )
    assert response.status_code == 200
    assert "Dry run: the file is valid" in response.content.decode()
    assert Member.objects.count() == 0


def test_a_formula_in_a_value_is_written_as_text() -> None:
    errors = [RowError(row=2, column="name_latin", value="=1+1", reason="Too long.")]
    response = views_import.errors_csv(errors, file_name="a b.csv")
    assert _csv_rows(response)[1] == ["2", "name_latin", "'=1+1", "Too long."]
    assert 'filename="a_b-errors.csv"' in response["Content-Disposition"]


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_errors_csv_by_persona(name: str, world: World, personas: Personas) -> None:
    user = getattr(personas, name, None)
    rows = [list(r) for r in ROWS]
    rows[1][11] = "X"
    response = client_for(user).post(URL, {"file": upload(rows), "action": "errors_csv"})
    if user is None:
        assert response.status_code == 302
        return
    if name == "officer":
        assert response.status_code == 403
        return
    table = _csv_rows(response)
    found = {(r[0], r[1]) for r in table[1:]}
    assert ("3", "sex") in found
    if name == "la_counterpart":
        # Myanmar villages are outside the Lao counterpart's scope: the file's own codes only.
        assert {r[2] for r in table[1:] if r[1] == "village_code"} == {"MM-V1", "MM-V2"}
    assert Household.objects.count() == 0


def test_observations_of_a_round_through_the_page(world: World, personas: Personas) -> None:
    mm_round = SurveyRound.objects.create(
        code="MM-BL-2024", kind="baseline", country=world.myanmar, started_on=date(2024, 3, 1)
    )
    la_round = SurveyRound.objects.create(
        code="LA-BL-2024", kind="baseline", country=world.laos, started_on=date(2024, 3, 1)
    )
    client = client_for(personas.enumerator)
    page = client.get(URL).content.decode()
    assert "MM-BL-2024" in page
    assert "LA-BL-2024" not in page
    data = csv_bytes(OBS_ROWS, COLUMNS)

    refused = client.post(
        URL,
        {
            "file": SimpleUploadedFile("r.csv", data),
            "survey_round": la_round.id,
            "action": "import",
        },
    )
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()
    assert HouseholdObservation.objects.count() == 0

    response = client.post(
        URL,
        {
            "file": SimpleUploadedFile("r.csv", data),
            "survey_round": mm_round.id,
            "action": "import",
        },
    )
    assert "Household observations" in response.content.decode()
    assert HouseholdObservation.objects.filter(survey_round=mm_round).count() == 2
    assert MemberObservation.objects.filter(survey_round=mm_round).count() == 5
