"""Duplicate warnings name only people the importer may see: otherwise a dry run with a
list of national IDs tells a Myanmar enumerator who is registered in Laos, and where (a
member ID carries the household's and so the village's code)."""

from __future__ import annotations

from mekong.registry.imports import households_import
from mekong.registry.models import Member
from tests.conftest import Personas, World
from tests.registry.test_import import ROWS, csv_bytes


def test_a_national_id_registered_out_of_scope_is_not_revealed(
    world: World, personas: Personas
) -> None:
    lao_rows = [list(r) for r in ROWS[3:]]  # HH-2: Daw Mya, 12/LAWENA(N)010
    for row in lao_rows:
        row[0] = row[0].replace("HH-", "LA-HH-")
        row[1] = "LA-V1"
        row[7] = row[7].replace("HH-", "LA-HH-")
    lao = households_import(
        user=personas.la_counterpart, data=csv_bytes(lao_rows), file_name="la.csv"
    )
    assert lao.errors == []
    assert Member.objects.filter(national_id="12/LAWENA(N)010").exists()

    probe = [
        ["HH-6", "MM-V1", "2024-04-01", "", "", "", "",
         "HH-6-1", "Someone Else", "", "12/LAWENA(N)010", "F", "1961", "head", "", ""],
    ]  # fmt: skip
    report = households_import(
        user=personas.enumerator, data=csv_bytes(probe), file_name="probe.csv", dry_run=True
    )

    assert report.errors == []
    assert report.duplicates == []


def test_a_national_id_registered_in_scope_is_still_flagged(
    world: World, personas: Personas
) -> None:
    households_import(user=personas.enumerator, data=csv_bytes(ROWS[3:]), file_name="a.csv")
    probe = [
        ["HH-6", "MM-V1", "2024-04-01", "", "", "", "",
         "HH-6-1", "Someone Else", "", "12/LAWENA(N)010", "F", "1961", "head", "", ""],
    ]  # fmt: skip
    report = households_import(
        user=personas.enumerator, data=csv_bytes(probe), file_name="probe.csv", dry_run=True
    )
    assert [(d.member_id, d.other_member_id) for d in report.duplicates] == [("HH-6-1", "HH-2-1")]
