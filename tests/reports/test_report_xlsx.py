"""The workbook, opened with openpyxl and read cell by cell against the fixture."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from openpyxl import load_workbook
from openpyxl.chart import BarChart

from mekong.reports.files import report_file
from tests.results.report_fixtures import EN_CHALLENGES, EN_SUMMARY, ZH_SUMMARY, ReportWorld


def _book(report_world: ReportWorld, language: str = "en"):  # type: ignore[no-untyped-def]
    rw = report_world.results
    file = report_file(
        framework=rw.project_framework, period=rw.p2024, language=language, file_format="xlsx"
    )
    assert file.filename == f"report-MM-01-2024-{language}.xlsx"
    return load_workbook(BytesIO(file.content))


def test_workbook_sheets_and_summary(report_world: ReportWorld) -> None:
    book = _book(report_world)
    assert book.sheetnames == ["Summary", "Indicators", "Charts", "Disaggregations", "Narratives"]
    summary = book["Summary"]
    assert summary["A1"].value == "Myanmar villages results"
    assert (summary["A3"].value, summary["B3"].value) == ("Progress report", "2024")
    assert summary["B4"].value == "MM-01 · Myanmar villages"
    assert summary["B5"].value == "Myanmar"
    assert summary["B6"].value.date() == date(2024, 1, 1)
    assert summary["B6"].number_format == "yyyy-mm-dd"
    assert summary["B7"].value.date() == date(2024, 12, 31)


def test_indicator_rows_are_numbers_with_formats(report_world: ReportWorld) -> None:
    sheet = _book(report_world)["Indicators"]
    header = [c.value for c in sheet[1]]
    assert header[:9] == [
        "Level",
        "Result",
        "Code",
        "Indicator",
        "Unit",
        "Direction",
        "Baseline",
        "Target",
        "Actual",
    ]
    headcount = [c.value for c in sheet[2]]
    assert headcount[:6] == [
        "Goal",
        "1 Fewer poor households",
        "MM-G1",
        "People below the national line",
        "%",
        "Lower is better",
    ]
    assert headcount[6:13] == [50.0, 30.0, 25.0, 10.0, 5.4, 44.6, 125.0]
    assert headcount[13] == "On track"
    assert sheet["I2"].number_format == "#,##0.0"
    assert sheet["M2"].number_format == '0"%"'
    trained = [c.value for c in sheet[3]]
    assert trained[2:9] == ["MM-P1", "Persons trained in production practices", "persons",
                            "Higher is better", None, 100.0, 120.0]  # fmt: skip
    assert sheet["I3"].number_format == "#,##0"
    assert sheet.max_row == 3


def test_disaggregations_and_narratives(report_world: ReportWorld) -> None:
    book = _book(report_world)
    cells = book["Disaggregations"]
    rows = [[c.value for c in row] for row in cells.iter_rows(min_row=2)]
    by_cell = {(r[0], r[3]): r[5] for r in rows}
    assert by_cell == {
        ("MM-G1", "Female"): 30.0,
        ("MM-G1", "Male"): 20.0,
        ("MM-G1", "Min Pyin"): 25.0,
        ("MM-P1", "Female"): 70.0,
        ("MM-P1", "Male"): 50.0,
    }
    assert 888.0 not in by_cell.values()  # the submitted 2023 cell
    texts = book["Narratives"]
    assert [[c.value for c in row] for row in texts.iter_rows(min_row=2)] == [
        ["Summary", "English", EN_SUMMARY],
        ["Challenges and responses", "English", EN_CHALLENGES],
    ]


def test_native_bar_chart_of_targets_and_actuals(report_world: ReportWorld) -> None:
    charts = _book(report_world)["Charts"]._charts
    assert len(charts) == 2
    assert all(isinstance(chart, BarChart) for chart in charts)
    reference = charts[0].series[0].val.numRef.f
    assert reference.endswith("$H$2:$I$2")  # target and actual of MM-G1


def test_chinese_workbook_carries_chinese_narrative(report_world: ReportWorld) -> None:
    book = _book(report_world, "zh-hans")
    texts = book.worksheets[4]
    assert ZH_SUMMARY in [row[2] for row in texts.iter_rows(min_row=2, values_only=True)]
    indicators = book.worksheets[1]
    assert indicators["D2"].value == "国家贫困线以下人口比例"
