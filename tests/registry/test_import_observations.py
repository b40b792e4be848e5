"""Observations of a survey round imported with the register: validated, all or nothing, once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mekong.registry.imports import households_import
from mekong.registry.models import (
    Household,
    HouseholdObservation,
    ImportBatch,
    Member,
    MemberObservation,
    SurveyRound,
)
from tests.conftest import Personas, World
from tests.registry.test_import import HEADER, ROWS, csv_bytes

OBS_HEADER = [
    "observed_on",
    "size",
    "income_crops",
    "income_wages",
    "production_costs",
    "consumption_monthly",
    "roof",
    "water_source",
    "sanitation",
    "cooking_fuel",
    "electricity",
    "assets",
    "land_ha",
    "livestock",
    "shocks",
    # member columns
    "attending_school",
    "health",
    "wg_seeing",
    "wg_walking",
    "labour",
    "migrant_months",
]
HH1 = [
    "2024-03-05",
    "3",
    "900000",
    "250000.50",
    "100000",
    "80000",
    "natural",
    "unprotected",
    "none",
    "wood",
    "no",
    "phone;bicycle",
    "0.8",
    "cattle:2;pig:3",
    "illness",
]
HH2 = [
    "2024-03-06",
    "",
    "",
    "1200000",
    "",
    "",
    "finished",
    "piped",
    "improved",
    "gas",
    "yes",
    "tv;phone;motorbike",
    "",
    "",
    "",
]
MEMBERS = [
    ["", "chronic", "1", "3", "partial", "0"],
    ["", "healthy", "1", "1", "full", "4"],
    ["yes", "healthy", "2", "1", "", ""],
    ["", "serious", "4", "4", "none", "0"],
    ["", "healthy", "", "", "full", "11"],
]  # fmt: skip
OBS_ROWS = [[*row, *(HH1 if row[0] == "HH-1" else HH2), *MEMBERS[i]] for i, row in enumerate(ROWS)]
COLUMNS = HEADER + OBS_HEADER


def col(name: str) -> int:
    return COLUMNS.index(name)


@pytest.fixture
def baseline(world: World) -> SurveyRound:
    return SurveyRound.objects.create(
        code="MM-BL-2024", kind="baseline", country=world.myanmar, started_on=date(2024, 3, 1)
    )


def run(user: object, rows: list[list[str]], survey_round: SurveyRound | None, **kwargs: object):  # type: ignore[no-untyped-def]
    return households_import(
        user=user,  # type: ignore[arg-type]
        data=csv_bytes(rows, COLUMNS),
        file_name="round.csv",
        survey_round=survey_round,
        **kwargs,  # type: ignore[arg-type]
    )


def history_counts() -> tuple[int, int]:
    return HouseholdObservation.history.count(), MemberObservation.history.count()


def test_observations_are_imported_with_the_register(
    world: World, personas: Personas, baseline: SurveyRound
) -> None:
    report = run(personas.enumerator, OBS_ROWS, baseline)

    assert report.errors == []
    assert (report.household_observations_created, report.member_observations_created) == (2, 5)
    first = HouseholdObservation.objects.get(household__external_id="HH-1")
    assert first.survey_round == baseline
    assert first.observed_on == date(2024, 3, 5)
    assert first.currency == "MMK"  # the round's country's currency by default
    assert (first.income_crops, first.income_wages) == (Decimal("900000"), Decimal("250000.50"))
    assert first.net_income == Decimal("1050000.50")
    assert (first.roof, first.water_source, first.cooking_fuel) == (
        "natural",
        "unprotected",
        "wood",
    )
    assert first.electricity is False
    assert first.assets == ["phone", "bicycle"]
    assert first.livestock == {"cattle": 2, "pig": 3}
    assert first.shocks == ["illness"]
    assert first.land_ha == Decimal("0.8")
    second = HouseholdObservation.objects.get(household__external_id="HH-2")
    # No size on the file: the household's present members on the file.
    assert (second.size, second.income_crops, second.weight) == (2, Decimal("0"), Decimal("1"))
    disabled = MemberObservation.objects.get(member__external_id="HH-2-1")
    assert (disabled.wg_seeing, disabled.wg_walking, disabled.has_disability) == (4, 4, True)
    child = MemberObservation.objects.get(member__external_id="HH-1-3")
    assert (child.attending_school, child.wg_seeing, child.labour) == (True, 2, "")
    migrant = MemberObservation.objects.get(member__external_id="HH-2-2")
    assert (migrant.migrant_months, migrant.wg_seeing, migrant.medical_insurance) == (11, 1, None)
    assert history_counts() == (2, 5)
    assert set(HouseholdObservation.history.values_list("history_user_id", flat=True)) == {
        personas.enumerator.pk
    }
    assert [row[0] for row in report.counts()][2:] == [
        "Household observations",
        "Member observations",
    ]
    # The batch keeps the account of what the run did to the round's observations.
    batch = ImportBatch.objects.get(pk=report.batch_id)
    assert (batch.household_observations_created, batch.member_observations_created) == (2, 5)


def test_reimport_of_the_round_is_a_no_op(
    world: World, personas: Personas, baseline: SurveyRound
) -> None:
    run(personas.enumerator, OBS_ROWS, baseline)
    before = history_counts()

    report = run(personas.enumerator, OBS_ROWS, baseline)

    assert report.errors == []
    assert (report.household_observations_created, report.household_observations_updated) == (0, 0)
    assert (report.member_observations_created, report.member_observations_updated) == (0, 0)
    assert (report.household_observations_unchanged, report.member_observations_unchanged) == (2, 5)
    assert history_counts() == before
    batch = ImportBatch.objects.get(pk=report.batch_id)
    assert (batch.household_observations_unchanged, batch.member_observations_unchanged) == (2, 5)
    assert (batch.household_observations_created, batch.member_observations_updated) == (0, 0)


def test_a_changed_value_updates_only_that_observation(
    world: World, personas: Personas, baseline: SurveyRound
) -> None:
    run(personas.enumerator, OBS_ROWS, baseline)
    rows = [list(r) for r in OBS_ROWS]
    for row in rows[3:]:
        row[col("sanitation")] = "shared"
    rows[0][col("wg_walking")] = "2"

    report = run(personas.enumerator, rows, baseline)

    assert (report.household_observations_updated, report.household_observations_unchanged) == (
        1,
        1,
    )
    assert (report.member_observations_updated, report.member_observations_unchanged) == (1, 4)
    assert HouseholdObservation.objects.get(household__external_id="HH-2").sanitation == "shared"
    assert MemberObservation.objects.get(member__external_id="HH-1-1").wg_walking == 2
    assert history_counts() == (3, 6)
    batch = ImportBatch.objects.get(pk=report.batch_id)
    assert (batch.household_observations_updated, batch.member_observations_updated) == (1, 1)


def test_bad_observation_values_are_listed_and_nothing_is_written(
    world: World, personas: Personas, baseline: SurveyRound
) -> None:
    rows = [list(r) for r in OBS_ROWS]
    for row in rows[:3]:
        row[col("income_crops")] = "9,000"  # rows 2-4: a thousands separator
    rows[3][col("roof")] = "straw"  # row 5
    rows[4][col("roof")] = "straw"  # row 6 (and both rows of HH-2 agree)
    rows[1][col("wg_seeing")] = "5"  # row 3
    rows[2][col("attending_school")] = "maybe"  # row 4
    for row in rows[3:]:
        row[col("livestock")] = "cattle:two"  # rows 5-6
        row[col("observed_on")] = "2023-12-31"  # before the round started

    report = run(personas.enumerator, rows, baseline)

    found = {(e.row, e.column) for e in report.errors}
    assert found == {
        (2, "income_crops"),
        (3, "income_crops"),
        (4, "income_crops"),
        (5, "roof"),
        (6, "roof"),
        (3, "wg_seeing"),
        (4, "attending_school"),
        (5, "livestock"),
        (6, "livestock"),
        (5, "observed_on"),
        (6, "observed_on"),
    }
    by_cell = {(e.row, e.column): e for e in report.errors}
    assert by_cell[(2, "income_crops")].value == "9,000"
    assert "no thousands separators" in by_cell[(2, "income_crops")].reason
    assert by_cell[(3, "wg_seeing")].reason == "A whole number from 1 to 4."
    assert "finished, rudimentary, natural" in by_cell[(5, "roof")].reason
    assert "MM-BL-2024" in by_cell[(5, "observed_on")].reason
    assert Household.objects.count() == Member.objects.count() == 0
    assert HouseholdObservation.objects.count() == MemberObservation.objects.count() == 0
    assert history_counts() == (0, 0)


def test_household_values_must_agree_on_each_row(
    world: World, personas: Personas, baseline: SurveyRound
) -> None:
    rows = [list(r) for r in OBS_ROWS]
    rows[1][col("income_wages")] = "1"

    report = run(personas.enumerator, rows, baseline)

    assert [(e.row, e.column) for e in report.errors] == [(3, "income_wages")]


def test_observation_columns_need_a_round(world: World, personas: Personas) -> None:
    report = run(personas.enumerator, OBS_ROWS, None)

    assert [(e.row, e.column) for e in report.errors] == [(2, "observed_on")]
    assert "survey round" in report.errors[0].reason
    assert Household.objects.count() == 0


def test_villages_of_another_country_than_the_round_are_refused(
    world: World, personas: Personas, baseline: SurveyRound
) -> None:
    rows = [list(r) for r in OBS_ROWS]
    for row in rows[3:]:
        row[1] = "LA-V1"

    report = run(personas.la_counterpart, rows[3:], baseline)

    assert {(e.row, e.column) for e in report.errors} == {(2, "village_code"), (3, "village_code")}
    assert "another country than survey round MM-BL-2024" in report.errors[0].reason
    assert HouseholdObservation.objects.count() == 0


def test_a_later_file_without_a_column_leaves_it_alone(
    world: World, personas: Personas, baseline: SurveyRound
) -> None:
    run(personas.enumerator, OBS_ROWS, baseline)
    keep = [i for i, name in enumerate(COLUMNS) if name not in ("assets", "health", "size")]
    rows = [[row[i] for i in keep] for row in OBS_ROWS]
    columns = [COLUMNS[i] for i in keep]

    report = households_import(
        user=personas.enumerator,
        data=csv_bytes(rows, columns),
        file_name="round.csv",
        survey_round=baseline,
    )

    assert (report.household_observations_updated, report.member_observations_updated) == (0, 0)
    assert HouseholdObservation.objects.get(household__external_id="HH-1").assets == [
        "phone",
        "bicycle",
    ]


def test_dry_run_counts_observations_and_writes_none(
    world: World, personas: Personas, baseline: SurveyRound
) -> None:
    report = run(personas.enumerator, OBS_ROWS, baseline, dry_run=True)

    assert report.errors == []
    assert (report.household_observations_created, report.member_observations_created) == (2, 5)
    assert HouseholdObservation.objects.count() == MemberObservation.objects.count() == 0


def test_command_imports_a_round(
    world: World,
    personas: Personas,
    baseline: SurveyRound,
    tmp_path,
    capsys,  # type: ignore[no-untyped-def]
) -> None:
    path = tmp_path / "round.csv"
    path.write_bytes(csv_bytes(OBS_ROWS, COLUMNS))

    call_command("import", "households", str(path), "--round", "MM-BL-2024", "--user", "kyaw")

    assert HouseholdObservation.objects.filter(survey_round=baseline).count() == 2
    assert "Member observations" in capsys.readouterr().out
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import", "households", str(path), "--user", "kyaw")
    assert "Observation columns need a survey round" in capsys.readouterr().out
