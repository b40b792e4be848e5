"""Household import: formats, all-or-nothing validation, idempotent re-import, duplicates, scope."""

from __future__ import annotations

import io
import json

import polars as pl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from openpyxl import Workbook

from mekong.core.errors import PermissionDenied
from mekong.registry.imports import households_import
from mekong.registry.models import Household, ImportBatch, ImportOutcome, Member
from tests.conftest import Personas, World

HEADER = [
    "household_id",
    "village_code",
    "registered_on",
    "phone",
    "latitude",
    "main_cause",
    "secondary_causes",
    "member_id",
    "name_latin",
    "name_local",
    "national_id",
    "sex",
    "birth_year",
    "relation",
    "education",
    "years_of_schooling",
]
ROWS = [
    ["HH-1", "MM-V1", "2024-03-01", "+95911111", "19.51", "illness", "lack_of_land;disaster",
     "HH-1-1", "U Aung Min", "ဦးအောင်မင်း", "12/LAWENA(N)001", "M", "1970", "head", "primary", "5"],
    ["HH-1", "MM-V1", "2024-03-01", "+95911111", "19.51", "illness", "lack_of_land;disaster",
     "HH-1-2", "Daw Hla", "", "12/LAWENA(N)002", "F", "1974", "spouse", "none", ""],
    ["HH-1", "MM-V1", "2024-03-01", "+95911111", "19.51", "illness", "lack_of_land;disaster",
     "HH-1-3", "Mg Ko", "", "", "M", "2010", "child", "primary", "6"],
    ["HH-2", "MM-V2", "2024-03-02", "", "", "", "",
     "HH-2-1", "Daw Mya", "", "12/LAWENA(N)010", "F", "1960", "head", "", ""],
    ["HH-2", "MM-V2", "2024-03-02", "", "", "", "",
     "HH-2-2", "Ko Zaw", "", "", "M", "1990", "child", "upper_secondary", "11"],
]  # fmt: skip


def csv_bytes(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    buffer = io.StringIO()
    for line in [header, *rows]:
        buffer.write(",".join(f'"{cell}"' for cell in line) + "\n")
    return buffer.getvalue().encode()


def history_counts() -> tuple[int, int]:
    return Household.history.count(), Member.history.count()


def run(user: object, data: bytes, name: str = "register.csv", **kwargs: object):  # type: ignore[no-untyped-def]
    return households_import(user=user, data=data, file_name=name, **kwargs)  # type: ignore[arg-type]


def test_csv_import_creates_households_members_and_history(
    world: World, personas: Personas
) -> None:
    report = run(personas.enumerator, csv_bytes(ROWS))

    assert report.errors == []
    # Both write paths run in CI: the suite runs on SQLite and on PostgreSQL.
    expected = "postgresql-copy" if connection.vendor == "postgresql" else "orm-batches"
    assert report.method == expected
    assert (report.households_created, report.members_created) == (2, 5)
    household = Household.objects.get(external_id="HH-1")
    assert household.village == world.mm_published
    assert household.head_name_latin == "U Aung Min"
    assert household.national_id == "12/LAWENA(N)001"
    assert household.secondary_causes == ["lack_of_land", "disaster"]
    assert str(household.latitude) == "19.51000"
    assert Member.objects.get(external_id="HH-1-3").years_of_schooling == 6
    assert history_counts() == (2, 5)
    assert set(Household.history.values_list("history_type", flat=True)) == {"+"}
    assert set(Member.history.values_list("history_user_id", flat=True)) == {personas.enumerator.pk}
    batch = ImportBatch.objects.get(pk=report.batch_id)
    assert (batch.outcome, batch.members_created) == (ImportOutcome.IMPORTED, 5)


def test_xlsx_import(world: World, personas: Personas) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "members"
    sheet.append(HEADER)
    for row in ROWS:
        # Spreadsheets hold numbers as numbers: the reader turns 1970.0 back into 1970.
        sheet.append([int(c) if c.isdigit() else (c or None) for c in row])
    buffer = io.BytesIO()
    workbook.save(buffer)

    report = run(personas.mm_counterpart, buffer.getvalue(), "register.xlsx")

    assert report.errors == []
    assert (report.households_created, report.members_created) == (2, 5)
    assert Member.objects.get(external_id="HH-2-2").birth_year == 1990


def test_parquet_import_with_column_mapping(world: World, personas: Personas) -> None:
    renamed = {"household_id": "hh", "member_id": "pid", "name_latin": "name"}
    frame = pl.DataFrame([dict(zip(HEADER, row, strict=True)) for row in ROWS]).rename(renamed)
    frame = frame.with_columns(pl.col("birth_year").cast(pl.Int32))
    buffer = io.BytesIO()
    frame.write_parquet(buffer)

    report = run(personas.enumerator, buffer.getvalue(), "register.parquet", mapping=renamed)

    assert report.errors == []
    assert Member.objects.get(external_id="HH-2-1").name_latin == "Daw Mya"


def test_bad_rows_write_nothing_and_every_error_is_listed(world: World, personas: Personas) -> None:
    rows = [list(r) for r in ROWS]
    rows[0][12] = "19x0"  # row 2: birth year
    rows[1][11] = "X"  # row 3: sex
    rows[2][1] = "MM-V9"  # row 4: unknown village (and differs from the household's first row)
    rows[3][13] = "child"  # row 5: HH-2 has no head
    rows[4][10] = "1234567890123456789012345678901234567890-too-long"  # row 6: national ID

    report = run(personas.enumerator, csv_bytes(rows))

    found = {(e.row, e.column, e.reason.split(":")[0]) for e in report.errors}
    assert {(e.row, e.column) for e in report.errors} == {
        (2, "birth_year"),
        (3, "sex"),
        (4, "village_code"),
        (5, "relation"),
        (6, "national_id"),
    }, found
    by_row = {(e.row, e.column): e for e in report.errors}
    assert by_row[(2, "birth_year")].value == "19x0"
    assert by_row[(2, "birth_year")].reason == "Not a whole number."
    assert by_row[(3, "sex")].value == "X"
    assert "F, M" in by_row[(3, "sex")].reason
    assert {e.reason for e in report.errors if e.row == 4} >= {"No village has this code."}
    # Personal values are masked even in the error list.
    assert "1234567890" not in by_row[(6, "national_id")].value
    assert Household.objects.count() == Member.objects.count() == 0
    assert history_counts() == (0, 0)
    assert ImportBatch.objects.get().outcome == ImportOutcome.REFUSED


def test_missing_required_column_is_named(world: World, personas: Personas) -> None:
    header = [h if h != "sex" else "gender" for h in HEADER]
    report = run(personas.enumerator, csv_bytes(ROWS, header))
    assert [(e.row, e.column) for e in report.errors] == [(1, "sex")]


def test_reimport_is_a_no_op(world: World, personas: Personas) -> None:
    data = csv_bytes(ROWS)
    run(personas.enumerator, data)
    before = history_counts()

    report = run(personas.enumerator, data)

    assert report.errors == []
    assert (report.households_created, report.households_updated) == (0, 0)
    assert (report.members_created, report.members_updated) == (0, 0)
    assert (report.households_unchanged, report.members_unchanged) == (2, 5)
    assert history_counts() == before


def test_changed_row_updates_one_member_with_history(world: World, personas: Personas) -> None:
    run(personas.enumerator, csv_bytes(ROWS))
    rows = [list(r) for r in ROWS]
    rows[4][15] = "12"
    rows[3][3] = "+9599"  # HH-2's phone, on each of its rows
    rows[4][3] = "+9599"

    report = run(personas.enumerator, csv_bytes(rows))

    assert (report.households_updated, report.members_updated) == (1, 1)
    assert Member.objects.get(external_id="HH-2-2").years_of_schooling == 12
    assert Household.objects.get(external_id="HH-2").phone == "+9599"
    assert history_counts() == (3, 6)
    assert Member.history.filter(history_type="~").count() == 1


def test_columns_absent_from_the_file_are_not_changed(world: World, personas: Personas) -> None:
    run(personas.enumerator, csv_bytes(ROWS))
    keep = [i for i, name in enumerate(HEADER) if name not in ("phone", "education")]
    header = [HEADER[i] for i in keep]
    rows = [[row[i] for i in keep] for row in ROWS]

    report = run(personas.enumerator, csv_bytes(rows, header))

    assert (report.households_updated, report.members_updated) == (0, 0)
    assert Household.objects.get(external_id="HH-1").phone == "+95911111"


def test_duplicates_are_flagged_in_the_file_and_against_the_register(
    world: World, personas: Personas
) -> None:
    run(personas.enumerator, csv_bytes(ROWS))
    rows = [
        # Same national ID as HH-1-1 already registered.
        ["HH-3", "MM-V1", "2024-04-01", "", "", "", "",
         "HH-3-1", "Aung Min", "", "12/LAWENA(N)001", "M", "1971", "head", "", ""],
        # Same name, birth year and village as HH-1-2 (case and spaces differ).
        ["HH-3", "MM-V1", "2024-04-01", "", "", "", "",
         "HH-3-2", "daw  hla", "", "", "F", "1974", "spouse", "", ""],
        # Same national ID as HH-3-1 within the file.
        ["HH-4", "MM-V2", "2024-04-01", "", "", "", "",
         "HH-4-1", "Ko Ko", "", "77/ABC(N)1", "M", "1980", "head", "", ""],
        ["HH-4", "MM-V2", "2024-04-01", "", "", "", "",
         "HH-4-2", "Ko Ko Gyi", "", "77/ABC(N)1", "M", "1981", "other", "", ""],
    ]  # fmt: skip

    report = run(personas.enumerator, csv_bytes(rows))

    assert report.errors == []
    pairs = {(d.member_id, d.other_member_id) for d in report.duplicates}
    assert pairs == {("HH-3-1", "HH-1-1"), ("HH-3-2", "HH-1-2"), ("HH-4-2", "HH-4-1")}
    # Warnings do not stop the import.
    assert Member.objects.filter(external_id__startswith="HH-4").count() == 2


def test_myanmar_enumerator_cannot_import_into_a_lao_village(
    world: World, personas: Personas
) -> None:
    rows = [list(r) for r in ROWS]
    for row in rows[3:]:
        row[1] = "LA-V1"

    report = run(personas.enumerator, csv_bytes(rows))

    scope = [e for e in report.errors if e.column == "village_code"]
    assert [(e.row, e.value) for e in scope] == [(5, "LA-V1"), (6, "LA-V1")]
    assert "outside" in scope[0].reason
    assert Household.objects.count() == 0


def test_existing_household_outside_scope_is_refused(world: World, personas: Personas) -> None:
    rows = [list(r) for r in ROWS[3:]]
    for row in rows:
        row[1] = "LA-V1"
    run(personas.la_counterpart, csv_bytes(rows))
    # The Myanmar enumerator tries to move the Lao household into a Myanmar village.
    report = run(personas.enumerator, csv_bytes(ROWS[3:]))
    assert {(e.row, e.column) for e in report.errors} >= {(2, "household_id"), (2, "member_id")}
    assert Household.objects.get(external_id="HH-2").village == world.la_published


def test_programme_officer_may_not_import(world: World, personas: Personas) -> None:
    with pytest.raises(PermissionDenied):
        run(personas.officer, csv_bytes(ROWS))


def test_dry_run_writes_nothing_but_counts(world: World, personas: Personas) -> None:
    report = run(personas.enumerator, csv_bytes(ROWS), dry_run=True)

    assert report.errors == []
    assert (report.households_created, report.members_created) == (2, 5)
    assert Household.objects.count() == Member.objects.count() == 0
    assert history_counts() == (0, 0)
    assert ImportBatch.objects.get().outcome == ImportOutcome.DRY_RUN


def test_zawgyi_names_are_stored_as_unicode(world: World, personas: Personas) -> None:
    rows = [list(r) for r in ROWS]
    rows[0][9] = "ဦးေအာင္မင္း"  # Zawgyi for ဦးအောင်မင်း
    run(personas.enumerator, csv_bytes(rows))
    assert Member.objects.get(external_id="HH-1-1").name_local == "ဦးအောင်မင်း"


def test_command_imports_and_exits_non_zero_on_errors(
    world: World,
    personas: Personas,
    tmp_path,
    capsys,  # type: ignore[no-untyped-def]
) -> None:
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(ROWS))
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"household_id": "household_id"}))
    call_command("import", "households", str(good), "--user", "kyaw", "--mapping", str(mapping))
    assert Member.objects.count() == 5

    rows = [list(r) for r in ROWS]
    rows[1][10] = "X" * 45
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(rows))
    with pytest.raises(CommandError):
        call_command("import", "households", str(bad), "--user", "kyaw")
    out = capsys.readouterr().out
    assert "national_id" in out
    assert "X" * 10 not in out


def test_mixed_file_inserts_new_rows_and_updates_only_changed_ones(
    world: World, personas: Personas
) -> None:
    run(personas.enumerator, csv_bytes(ROWS))
    rows = [list(r) for r in ROWS]
    rows[1][8] = "Daw Hla Hla"  # HH-1-2 renamed
    new_household = ["HH-5", "MM-V2", "2024-05-01", "", "", "", ""]
    rows[4][:7] = new_household  # HH-2-2 moves into a new household, as its head
    rows[4][13] = "head"
    rows.append([*ROWS[2][:7], "HH-1-4", "Ma Su", "", "", "F", "2015", "child", "", ""])
    rows.append([*new_household, "HH-5-2", "Ma Aye", "", "", "F", "1995", "spouse", "", ""])
    before = {m.external_id: m.pk for m in Member.objects.all()}

    report = run(personas.enumerator, csv_bytes(rows))

    assert report.errors == []
    assert (report.households_created, report.households_updated) == (1, 0)
    assert report.households_unchanged == 2
    assert (report.members_created, report.members_updated, report.members_unchanged) == (2, 2, 3)
    moved = Member.objects.get(external_id="HH-2-2")
    assert moved.pk == before["HH-2-2"]
    assert moved.household.external_id == "HH-5"
    assert Member.objects.get(external_id="HH-1-2").name_latin == "Daw Hla Hla"
    assert Member.objects.get(external_id="HH-5-2").household.external_id == "HH-5"
    assert Member.objects.filter(external_id="HH-1-4", household__external_id="HH-1").exists()
    # One history row per change: the first import's 2 + 5, then 1 household and 4 members.
    assert history_counts() == (3, 9)
    latest = Member.history.filter(history_change_reason=f"import batch {report.batch_id}")
    assert sorted(latest.values_list("external_id", "history_type")) == [
        ("HH-1-2", "~"),
        ("HH-1-4", "+"),
        ("HH-2-2", "~"),
        ("HH-5-2", "+"),
    ]
    assert latest.get(external_id="HH-2-2").household_id == moved.household_id


def test_reimport_changing_one_member_writes_one_history_row(
    world: World, personas: Personas
) -> None:
    run(personas.enumerator, csv_bytes(ROWS))
    before = history_counts()
    rows = [list(r) for r in ROWS]
    rows[2][12] = "2011"  # HH-1-3's birth year

    report = run(personas.enumerator, csv_bytes(rows))

    assert (report.members_updated, report.members_unchanged) == (1, 4)
    assert history_counts() == (before[0], before[1] + 1)
    change = Member.history.latest("history_id")
    assert (change.external_id, change.history_type, change.birth_year) == ("HH-1-3", "~", 2011)
    assert change.history_user_id == personas.enumerator.pk


def test_national_id_duplicate_in_a_village_not_in_the_file_is_flagged(
    world: World, personas: Personas
) -> None:
    run(personas.enumerator, csv_bytes(ROWS[3:]))  # HH-2 in MM-V2
    rows = [
        ["HH-6", "MM-V1", "2024-04-01", "", "", "", "",
         "HH-6-1", "Someone Else", "", "12/LAWENA(N)010", "F", "1961", "head", "", ""],
    ]  # fmt: skip

    report = run(personas.enumerator, csv_bytes(rows))

    assert [(d.member_id, d.other_member_id) for d in report.duplicates] == [("HH-6-1", "HH-2-1")]


def test_checks_within_the_file_name_the_later_rows(world: World, personas: Personas) -> None:
    rows = [list(r) for r in ROWS]
    rows[2][7] = "HH-1-1"  # row 4 repeats row 2's member ID
    rows[1][13] = "head"  # row 3: HH-1's second head
    rows[4][2] = "2024-03-09"  # row 6: HH-2 registered on another day than on row 5

    report = run(personas.enumerator, csv_bytes(rows))

    assert sorted((e.row, e.column, e.reason) for e in report.errors) == [
        (3, "relation", "This household already has a head on an earlier row."),
        (4, "member_id", "This member ID is already used on an earlier row."),
        (6, "registered_on", "Differs from the value on this household's first row."),
    ]
    assert Member.objects.count() == 0
