"""The progress report as an Excel workbook (openpyxl): summary, indicators,
disaggregations and narratives, numbers stored as numbers with number formats, and a native
bar chart of targets against actuals per indicator."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from mekong.reports.build import Report, language_name

PERCENT_OF_TARGET_FORMAT = '0"%"'
CHART_ROWS = 16


def number_format_for(decimals: int) -> str:
    return "#,##0" if decimals <= 0 else "#,##0." + "0" * decimals


def _header(sheet: Worksheet, titles: list[str], row: int = 1) -> None:
    for column, title in enumerate(titles, start=1):
        sheet.cell(row=row, column=column, value=title).font = Font(bold=True)
    sheet.freeze_panes = f"A{row + 1}"


def _widths(sheet: Worksheet, widths: list[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _number(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def report_workbook(report: Report) -> Workbook:
    with translation.override(report.language):
        book = _workbook(report)
    _keep_text_as_text(book)
    return book


def _keep_text_as_text(book: Workbook) -> None:
    """openpyxl stores any string starting with "=" as a formula. The report writes none of
    its own, so every such cell is text someone typed (a narrative, a name) that Excel would
    otherwise run for each reader (HYPERLINK, WEBSERVICE …): keep it a plain string."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def _workbook(report: Report) -> Workbook:
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = _("Summary")[:31]
    summary["A1"] = report.title
    summary["A1"].font = Font(bold=True, size=14)
    rows: list[tuple[str, str | date | datetime]] = [
        (_("Progress report"), report.period_code),
        (report.owner_label, f"{report.owner_code} · {report.owner_title}"),
        (_("Countries"), ", ".join(report.countries)),
        (_("Starts on"), report.starts_on),
        (_("Ends on"), report.ends_on),
        (_("Language"), language_name(report.language)),
        (_("Generated"), report.generated_at.replace(tzinfo=None)),
        (
            _("Values"),
            _("Only approved reported values and values computed from the register."),
        ),
    ]
    if report.synthetic:
        rows.append((_("Synthetic"), _("Synthetic demonstration data: not real project results.")))
    for offset, (label, value) in enumerate(rows, start=3):
        summary.cell(row=offset, column=1, value=label).font = Font(bold=True)
        cell = summary.cell(row=offset, column=2, value=value)
        if offset in (6, 7):
            cell.number_format = "yyyy-mm-dd"
        elif offset == 9:
            cell.number_format = "yyyy-mm-dd hh:mm"
    _widths(summary, [24, 80])

    indicators = book.create_sheet(_("Indicators")[:31])
    _header(
        indicators,
        [
            _("Level"),
            _("Result"),
            _("Code"),
            _("Indicator"),
            _("Unit"),
            _("Direction"),
            _("Baseline"),
            _("Target"),
            _("Actual"),
            _("Standard error"),
            _("95 % CI low"),
            _("95 % CI high"),
            _("% of target"),
            _("Status"),
            _("Note"),
        ],
    )
    row = 2
    for result in report.results:
        for line in result.indicators:
            number_format = number_format_for(line.decimals)
            values: list[str | float | None] = [
                result.level_label,
                f"{result.code} {result.statement}",
                line.code,
                line.name,
                line.unit,
                line.direction_label,
                _number(line.baseline),
                _number(line.target),
                _number(line.actual),
                line.se,
                line.ci_low,
                line.ci_high,
                _number(line.percent_of_target),
                line.track_label,
                line.missing_reason,
            ]
            for column, item in enumerate(values, start=1):
                cell = indicators.cell(row=row, column=column, value=item)
                if 7 <= column <= 12:
                    cell.number_format = number_format
                elif column == 13:
                    cell.number_format = PERCENT_OF_TARGET_FORMAT
            row += 1
    _widths(indicators, [12, 36, 10, 44, 14, 18, 11, 11, 11, 11, 11, 11, 11, 14, 40])

    charts = book.create_sheet(_("Charts")[:31])
    for index in range(2, row):
        chart = BarChart()
        chart.type = "col"
        chart.title = f"{indicators.cell(row=index, column=3).value}"
        chart.y_axis.title = str(indicators.cell(row=index, column=5).value or "")
        chart.add_data(
            Reference(indicators, min_col=8, max_col=9, min_row=index, max_row=index),
            from_rows=True,
            titles_from_data=False,
        )
        chart.set_categories(Reference(indicators, min_col=8, max_col=9, min_row=1, max_row=1))
        chart.legend = None
        chart.height, chart.width = 7, 12
        charts.add_chart(chart, f"A{1 + (index - 2) * CHART_ROWS}")

    cells = book.create_sheet(_("Disaggregations")[:31])
    _header(
        cells,
        [
            _("Code"),
            _("Indicator"),
            _("Dimensions"),
            _("Cell"),
            _("Unit"),
            _("Value"),
            _("Standard error"),
            _("95 % CI low"),
            _("95 % CI high"),
            _("Observations"),
        ],
    )
    for table in report.disaggregations:
        for row_line in table.rows:
            cells.append(
                [
                    table.indicator_code,
                    table.indicator_name,
                    table.dimensions,
                    row_line.label,
                    table.unit,
                    _number(row_line.value),
                    row_line.se,
                    row_line.ci_low,
                    row_line.ci_high,
                    row_line.n,
                ]
            )
            for column in range(6, 10):
                cells.cell(row=cells.max_row, column=column).number_format = number_format_for(
                    row_line.decimals
                )
    _widths(cells, [10, 44, 18, 24, 14, 11, 11, 11, 11, 12])

    texts = book.create_sheet(_("Narratives")[:31])
    _header(texts, [_("Section"), _("Language"), _("Text")])
    for block in report.narratives:
        texts.append([block.heading, language_name(block.language), "\n\n".join(block.paragraphs)])
        texts.cell(row=texts.max_row, column=3).alignment = Alignment(wrap_text=True)
    _widths(texts, [28, 16, 100])
    return book
