"""Tidy CSV, SDMX-CSV (parsed back with the csv module) and DHIS2 dataValueSets."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from mekong.core.errors import InvalidInput
from mekong.exchange import indicators as exchange
from mekong.results.models import ReportingPeriod, ValueStatus
from tests.results.report_fixtures import HEADCOUNT_DATA_ELEMENT, ReportWorld

MM_ORG_UNIT = "ImspTQPwCqd"


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_has_one_row_per_reportable_value(report_world: ReportWorld) -> None:
    rw = report_world.results
    done = exchange.values_csv(framework=rw.project_framework)
    rows = _rows(done.content)
    assert list(rows[0]) == exchange.CSV_COLUMNS
    got = {(r["indicator_code"], r["period"], r["disaggregation"]): r for r in rows}
    assert set(got) == {
        ("MM-G1", "2023", ""),
        ("MM-G1", "2024", ""),
        ("MM-G1", "2024", "sex=F"),
        ("MM-G1", "2024", "sex=M"),
        ("MM-G1", "2024", "village=MM-V1"),
        ("MM-P1", "2024", ""),
        ("MM-P1", "2024", "sex=F"),
        ("MM-P1", "2024", "sex=M"),
    }
    total = got[("MM-G1", "2024", "")]
    assert (total["value"], total["se"], total["ci_low"], total["ci_high"]) == (
        "25",
        "10.0",
        "5.4",
        "44.6",
    )
    assert (total["unit"], total["status"], total["source"], total["n"]) == (
        "percent",
        "computed",
        "computed",
        "4",
    )
    assert got[("MM-P1", "2024", "")]["status"] == "approved"
    assert done.count == 8


def test_csv_names_in_the_chosen_language(report_world: ReportWorld) -> None:
    rw = report_world.results
    rows = _rows(exchange.values_csv(framework=rw.project_framework, language="zh-hans").content)
    assert rows[0]["indicator_name"] == "国家贫困线以下人口比例"


@pytest.mark.parametrize(
    "status", [s for s in ValueStatus.values if s not in ("approved", "computed")]
)
def test_values_not_approved_are_never_exported(report_world: ReportWorld, status: str) -> None:
    rw = report_world.results
    rw.headcount.values.update(status=status)
    rw.trained.values.filter(status="approved").update(status=status)
    framework = rw.project_framework
    assert exchange.values_csv(framework=framework).count == 0
    assert exchange.values_sdmx_csv(framework=framework).count == 0
    done = exchange.values_dhis2(framework=framework, org_units={"MMR": MM_ORG_UNIT})
    assert json.loads(done.content) == {"dataValues": []}


def test_sdmx_csv_reads_back(report_world: ReportWorld) -> None:
    rw = report_world.results
    done = exchange.values_sdmx_csv(framework=rw.project_framework)
    lines = done.content.splitlines()
    assert lines[0] == "STRUCTURE,STRUCTURE_ID,ACTION,SERIES,REF_AREA,SEX,TIME_PERIOD,OBS_VALUE"
    rows = _rows(done.content)
    assert {r["STRUCTURE"] for r in rows} == {"dataflow"}
    assert {r["STRUCTURE_ID"] for r in rows} == {"MEKONG:DF_SDG_MEKONG(1.0)"}
    assert {r["ACTION"] for r in rows} == {"I"}
    got = {(r["SERIES"], r["REF_AREA"], r["SEX"], r["TIME_PERIOD"]): r["OBS_VALUE"] for r in rows}
    assert got == {
        ("SI_POV_NAHC", "104", "_T", "2023"): "50.0",
        ("SI_POV_NAHC", "104", "_T", "2024"): "25.0",
        ("SI_POV_NAHC", "104", "F", "2024"): "30.0",
        ("SI_POV_NAHC", "104", "M", "2024"): "20.0",
    }
    # The village cell has no SDMX dimension: listed, not silently dropped. MM-P1 has no SDG.
    assert [(s.indicator_code, s.disaggregation) for s in done.skipped] == [
        ("MM-G1", "village=MM-V1")
    ]


def test_sdmx_for_a_programme_spanning_countries_needs_a_country(
    report_world: ReportWorld,
) -> None:
    rw = report_world.results
    done = exchange.values_sdmx_csv(framework=rw.programme_framework)
    assert done.count == 0
    assert [(s.indicator_code, s.reason) for s in done.skipped] == [
        ("PG-1", "No single country with a UN M49 code for this value.")
    ]
    assert done.content.startswith("STRUCTURE,STRUCTURE_ID,ACTION,")


def test_m49_codes() -> None:
    assert exchange.M49 == {
        "CHN": "156",
        "MMR": "104",
        "LAO": "418",
        "KHM": "116",
        "THA": "764",
        "VNM": "704",
    }


def test_dhis2_data_value_set(report_world: ReportWorld) -> None:
    rw = report_world.results
    done = exchange.values_dhis2(framework=rw.project_framework, org_units={"MMR": MM_ORG_UNIT})
    payload = json.loads(done.content)
    assert list(payload) == ["dataValues"]
    assert payload["dataValues"] == [
        {
            "dataElement": HEADCOUNT_DATA_ELEMENT,
            "period": "2023",
            "orgUnit": MM_ORG_UNIT,
            "value": "50",
            "comment": "MM-G1 Computed; 95% CI 25.5–74.5",
        },
        {
            "dataElement": HEADCOUNT_DATA_ELEMENT,
            "period": "2024",
            "orgUnit": MM_ORG_UNIT,
            "value": "25",
            "comment": "MM-G1 Computed; 95% CI 5.4–44.6",
        },
    ]
    skipped = {(s.indicator_code, s.period, s.disaggregation): s.reason for s in done.skipped}
    # MM-P1 has no data element: every one of its values is listed as skipped.
    assert {k for k in skipped if k[0] == "MM-P1"} == {
        ("MM-P1", "2024", ""),
        ("MM-P1", "2024", "sex=F"),
        ("MM-P1", "2024", "sex=M"),
    }
    assert skipped[("MM-P1", "2024", "")] == "The indicator has no DHIS2 data element."
    assert "category option combo" in skipped[("MM-G1", "2024", "sex=F")]


def test_dhis2_without_an_org_unit_for_the_country_skips_and_says_so(
    report_world: ReportWorld,
) -> None:
    rw = report_world.results
    done = exchange.values_dhis2(framework=rw.project_framework, org_units={"LAO": MM_ORG_UNIT})
    assert json.loads(done.content) == {"dataValues": []}
    assert "No DHIS2 org unit is mapped for MMR." in {s.reason for s in done.skipped}


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "dhis2", "sdmx"),
    [
        (date(2024, 1, 1), date(2024, 12, 31), "2024", "2024"),
        (date(2024, 1, 1), date(2024, 3, 31), "2024Q1", "2024-Q1"),
        (date(2024, 7, 1), date(2024, 9, 30), "2024Q3", "2024-Q3"),
        (date(2024, 1, 1), date(2024, 6, 30), "2024S1", "2024-S1"),
        (date(2024, 7, 1), date(2024, 12, 31), "2024S2", "2024-S2"),
        (date(2024, 1, 1), date(2024, 1, 31), "202401", "2024-01"),
        (date(2024, 2, 1), date(2024, 2, 29), "202402", "2024-02"),
        (date(2024, 4, 1), date(2025, 3, 31), None, None),  # a fiscal year
        (date(2024, 1, 15), date(2024, 2, 14), None, None),
    ],
)
def test_period_codes_from_dates(
    starts_on: date, ends_on: date, dhis2: str | None, sdmx: str | None
) -> None:
    period = ReportingPeriod(code="x", starts_on=starts_on, ends_on=ends_on)
    assert exchange.dhis2_period(period) == dhis2
    assert exchange.sdmx_time_period(period) == sdmx


def test_org_unit_mapping_parses_and_names_bad_entries() -> None:
    assert exchange.org_units_parse("mmr=ImspTQPwCqd, LAO=O6uvpzGd5pu") == {
        "MMR": "ImspTQPwCqd",
        "LAO": "O6uvpzGd5pu",
    }
    with pytest.raises(InvalidInput) as raised:
        exchange.org_units_parse("MMR=short")
    assert raised.value.field == "org_units"
    assert "MMR=short" in raised.value.message
