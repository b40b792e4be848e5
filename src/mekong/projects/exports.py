"""Excel workbooks of the portfolio and of a project's finances (openpyxl)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from mekong.core.codelists import sector_codes
from mekong.projects.models import FocusArea, Project, ProjectStatus
from mekong.projects.selectors import FinanceSummary

MONEY_FORMAT = "#,##0.00"


def _header(sheet: Worksheet, titles: list[str]) -> None:
    sheet.append(titles)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"


def _widths(sheet: Worksheet, widths: list[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def portfolio_workbook(projects: list[Project]) -> Workbook:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Portfolio")[:31]
    _header(
        sheet,
        [
            _("Code"),
            _("Title"),
            _("Title (Chinese)"),
            _("Framework"),
            _("Programme"),
            _("Countries"),
            _("Status"),
            _("Focus areas"),
            _("DAC sectors"),
            _("Currency"),
            _("Start date"),
            _("End date"),
            _("Villages"),
            _("Synthetic"),
        ],
    )
    sectors = sector_codes()
    for project in projects:
        sheet.append(
            [
                project.code,
                project.title,
                project.title_zh,
                project.programme.framework.code,
                project.programme.code,
                ", ".join(c.iso3 for c in project.countries.all()),
                str(ProjectStatus(project.status).label),
                ", ".join(str(FocusArea(a).label) for a in project.focus_areas),
                "; ".join(
                    f"{s.code} {sectors.get(s.code, '')} ({s.percentage} %)"
                    for s in project.sectors.all()
                ),
                project.currency,
                project.start_date,
                project.end_date,
                getattr(project, "village_count", None) or project.villages.count(),
                _("yes") if project.is_synthetic else _("no"),
            ]
        )
    _widths(sheet, [14, 44, 30, 10, 14, 12, 18, 30, 40, 9, 12, 12, 9, 10])
    return book


def finance_workbook(project: Project, finance: FinanceSummary) -> Workbook:
    """Transactions in their own currency and in CNY, USD and the partner currency, with the
    rate behind each converted figure, and budget against spending by component and year."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Transactions")[:31]
    titles = [_("Date"), _("Kind"), _("Component"), _("Description"), _("Amount"), _("Currency")]
    for currency in finance.currencies:
        titles += [currency, _("Rate used (%(currency)s)") % {"currency": currency}]
    _header(sheet, titles)
    for row in finance.rows:
        t = row.transaction
        values: list[object] = [
            t.value_date,
            t.get_kind_display(),
            t.component.title if t.component else "",
            t.description,
            t.amount,
            t.currency,
        ]
        for currency in finance.currencies:
            amount = row.converted.amounts[currency]
            values += [amount, row.converted.notes[currency]]
        sheet.append(values)
    for column in range(5, len(titles) + 1, 1):
        for cell in sheet.iter_cols(min_col=column, max_col=column, min_row=2):
            for c in cell:
                if isinstance(c.value, Decimal):
                    c.number_format = MONEY_FORMAT

    summary = book.create_sheet(_("Budget vs actual")[:31])
    _header(
        summary,
        [
            _("Component"),
            _("Year"),
            _("Budget (%(currency)s)") % {"currency": project.currency},
            _("Spent (%(currency)s)") % {"currency": project.currency},
            _("Spent share"),
        ],
    )
    for (component, year), amounts in finance.budget_vs_actual.items():
        share = amounts["spent"] / amounts["budget"] if amounts["budget"] else None
        summary.append([component, year, amounts["budget"], amounts["spent"], share])
        summary.cell(summary.max_row, 3).number_format = MONEY_FORMAT
        summary.cell(summary.max_row, 4).number_format = MONEY_FORMAT
        summary.cell(summary.max_row, 5).number_format = "0.0%"
    _widths(summary, [40, 8, 18, 18, 12])

    notes = book.create_sheet(_("Notes")[:31])
    notes.append([_("Project"), f"{project.code} – {project.title}"])
    notes.append([_("Rates"), finance.rate_type])
    for message in finance.missing_rates:
        notes.append([_("Missing rate"), message])
    if project.is_synthetic:
        notes.append([_("Data"), _("Synthetic demonstration data, not real records.")])
    return book
