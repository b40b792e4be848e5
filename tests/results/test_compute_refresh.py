"""The refresh as a whole: locked periods stay frozen, a second run changes nothing, the
analyses' payloads, the command, and the same frame from PostgreSQL COPY and a cursor."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from numpy.testing import assert_allclose

from mekong.results import frames as frames_module
from mekong.results.compute import refresh_framework
from mekong.results.frames import load_register
from mekong.results.models import Analysis, AnalysisKind, IndicatorValue, ValueSource
from tests.conftest import World
from tests.results.compute_fixtures import add_members, add_mpi
from tests.results.conftest import ResultsWorld


def test_locked_periods_are_never_rewritten(results_world: ResultsWorld) -> None:
    p2023 = results_world.p2023
    frozen = IndicatorValue.objects.create(
        indicator=results_world.headcount,
        period=p2023,
        value=Decimal("61"),  # what was reported when 2023 closed; the register changed since
        source=ValueSource.COMPUTED,
        status="computed",
    )
    p2023.locked_at = timezone.now()
    p2023.save()
    report = refresh_framework(results_world.project_framework)
    assert report.locked_periods == 1
    assert list(IndicatorValue.objects.filter(period=p2023)) == [frozen]
    frozen.refresh_from_db()
    assert frozen.value == Decimal("61")
    assert IndicatorValue.objects.get(period=results_world.p2024, disaggregation_key="").value == 25


def test_a_period_locked_during_the_refresh_is_not_written(
    results_world: ResultsWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mekong.results import compute

    refresh_framework(results_world.project_framework)
    p2024 = results_world.p2024
    before = {v.id: v.value for v in IndicatorValue.objects.filter(period=p2024)}
    from mekong.registry.models import Classification

    Classification.objects.filter(
        household=results_world.households[1], survey_round=results_world.r2024
    ).update(poor=True)
    analyses = compute.compute_analyses

    def lock_then_analyse(*args: object, **kwargs: object) -> object:
        # Someone locks 2024 after its values were computed, before they are written.
        p2024.locked_at = timezone.now()
        p2024.save(update_fields=["locked_at"])
        return analyses(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(compute, "compute_analyses", lock_then_analyse)
    report = refresh_framework(results_world.project_framework)
    assert report.locked_periods == 1  # 2024; 2023 is open and written
    assert {v.id: v.value for v in IndicatorValue.objects.filter(period=p2024)} == before
    assert not any(p.endswith("2024") for p in report.problems)


def test_a_second_refresh_changes_nothing(results_world: ResultsWorld) -> None:
    first = refresh_framework(results_world.project_framework)
    history = IndicatorValue.history.count()
    second = refresh_framework(results_world.project_framework)
    assert first.created > 0
    assert (second.created, second.updated, second.deleted) == (0, 0, 0)
    assert second.unchanged == first.created
    assert IndicatorValue.history.count() == history


def test_a_changed_register_updates_the_value_and_keeps_history(
    results_world: ResultsWorld,
) -> None:
    from mekong.registry.models import Classification

    refresh_framework(results_world.project_framework)
    Classification.objects.filter(
        household=results_world.households[1], survey_round=results_world.r2024
    ).update(poor=True)
    report = refresh_framework(results_world.project_framework)
    total = IndicatorValue.objects.get(period=results_world.p2024, disaggregation_key="")
    assert total.value == Decimal("50")  # 2 of 4 now
    assert report.updated == 3  # total, village and country
    assert total.history.count() == 1  # the change (creations keep no history row)


def test_analyses_payloads(results_world: ResultsWorld, world: World) -> None:
    add_mpi(results_world, world)
    refresh_framework(results_world.project_framework)
    headcount = Analysis.objects.get(kind=AnalysisKind.HEADCOUNT_BY_VILLAGE, key="MM-NL").payload
    assert headcount["scheme"] == "MM-NL"
    assert headcount["rounds"] == [
        {"code": "MM-2023", "label": "MM-2023", "year": 2023},
        {"code": "MM-2024", "label": "MM-2024", "year": 2024},
    ]
    [village] = headcount["villages"]
    assert village["code"] == world.mm_published.code
    assert set(village) == {"code", "name", "country", "lat", "lon", "values"}
    assert [(v["round"], v["estimate"], v["n"]) for v in village["values"]] == [
        ("MM-2023", 50.0, 4),
        ("MM-2024", 25.0, 4),
    ]
    mpi = Analysis.objects.get(kind=AnalysisKind.MPI_COMPOSITION, key="MM-MPI").payload
    assert mpi["round"] == "MM-2024"
    assert mpi["H"] == 50.0
    assert_allclose([mpi["A"], mpi["M0"]], [13 / 36, 13 / 72], atol=1e-9)
    by_name = {i["name"]: i for i in mpi["indicators"]}
    # Censored headcounts: nutrition MM-H1 and MM-H2 (50 %); electricity MM-H2 only (25 %:
    # MM-H3 is deprived but not poor). Contributions w·CH/M0: nutrition (1/6 · 1/2)/(13/72)
    # = 6/13, electricity (1/18 · 1/4)/(13/72) = 1/13.
    assert by_name["nutrition"]["censored_headcount"] == 50.0
    assert by_name["electricity"]["censored_headcount"] == 25.0
    assert_allclose(by_name["nutrition"]["contribution"], 600 / 13, atol=1e-6)
    assert_allclose(by_name["electricity"]["contribution"], 100 / 13, atol=1e-6)
    assert_allclose(sum(i["contribution"] for i in mpi["indicators"]), 100, atol=1e-6)
    gic = Analysis.objects.get(kind=AnalysisKind.GROWTH_INCIDENCE, key="").payload
    assert (gic["from_round"], gic["to_round"], gic["currency"]) == ("MM-2023", "MM-2024", "MMK")
    assert [p["p"] for p in gic["points"]] == [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    # Mean per-capita income 1,250 → 1,600 MMK: +28 %.
    assert_allclose(gic["mean_growth"], 28.0, atol=1e-6)


def test_refresh_command_prints_a_summary(
    results_world: ResultsWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("results", "refresh")
    out = capsys.readouterr().out
    assert "Results refresh" in out
    assert "Myanmar" in out  # the project framework's title (rich may wrap it)
    assert IndicatorValue.objects.filter(indicator=results_world.headcount).count() == 6
    call_command("results", "refresh", "--framework", str(results_world.project_framework.id))


def test_refresh_command_rejects_an_unknown_framework(results_world: ResultsWorld) -> None:
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="No results framework 999"):
        call_command("results", "refresh", "--framework", "999")


def _frame(results_world: ResultsWorld, world: World) -> pl.DataFrame:
    ids = [world.mm_published.id, world.mm_hidden.id]
    return load_register(ids).households


def test_frame_holds_the_register_values(results_world: ResultsWorld, world: World) -> None:
    add_members(results_world)
    frame = _frame(results_world, world)
    first = frame.filter(pl.col("round") == "MM-2024").sort("household_id").row(0, named=True)
    # MM-H1 in 2024: size 2, 1,600 MMK wages → 800 per person; poor under MM-NL;
    # female head born 1980 (44 in 2024), Shan; nobody disabled.
    expected = {
        "village": world.mm_published.code,
        "country": "MMR",
        "round": "MM-2024",
        "observed_on": date(2024, 1, 10),
        "size": 2,
        "weight": 1.0,
        "currency": "MMK",
        "per_capita_income": 800.0,
        "MM-NL:poor": True,
        "MM-NL:level": "poor",
        "head_sex": "F",
        "head_age_band": "25-59",
        "head_ethnicity": "Shan",
        "disability": False,
        "electricity": False,
        "water_source": None,
    }
    assert {k: first[k] for k in expected} == expected
    assert frame.height == 8
    assert not {"head_name_latin", "national_id", "phone", "latitude"} & set(frame.columns)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY exists on PostgreSQL only")
def test_copy_and_cursor_give_the_same_frame(
    results_world: ResultsWorld, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_members(results_world)
    add_mpi(results_world, world)
    copied = load_register([world.mm_published.id])
    monkeypatch.setattr(frames_module, "USE_COPY", False)
    fetched = load_register([world.mm_published.id])
    assert copied.households.equals(fetched.households)
    assert copied.households.height == 8
