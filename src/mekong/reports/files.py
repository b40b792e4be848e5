"""Reports and exports as downloadable files: one function each for the page, the API and
``mekong report`` so the three give the same bytes."""

from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO
from typing import Literal

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from mekong.core.errors import InvalidInput
from mekong.exchange import indicators as exchange
from mekong.reports.build import report_build
from mekong.results.models import ReportingPeriod, ResultsFramework

ReportFormat = Literal["pdf", "xlsx"]
ExportFormat = Literal["csv", "sdmx", "dhis2"]
REPORT_FORMATS: tuple[str, ...] = ("pdf", "xlsx")
EXPORT_FORMATS: tuple[str, ...] = ("csv", "sdmx", "dhis2")
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class File:
    content: bytes
    filename: str
    content_type: str
    skipped: list[exchange.Skipped] = field(default_factory=list)


def report_file(
    *, framework: ResultsFramework, period: ReportingPeriod, language: str, file_format: str
) -> File:
    if file_format not in REPORT_FORMATS:
        raise InvalidInput(
            _("Reports come as %(choices)s, not “%(format)s”.")
            % {"choices": ", ".join(REPORT_FORMATS), "format": file_format},
            field="format",
        )
    report = report_build(framework=framework, period=period, language=language)
    if file_format == "pdf":
        from mekong.reports.pdf import report_pdf

        return File(report_pdf(report), f"{report.file_stem}.pdf", PDF)
    from mekong.reports.xlsx import report_workbook

    buffer = BytesIO()
    report_workbook(report).save(buffer)
    return File(buffer.getvalue(), f"{report.file_stem}.xlsx", XLSX)


def export_file(
    *,
    framework: ResultsFramework,
    export_format: str,
    period_code: str | None = None,
    language: str = "en",
    org_units: dict[str, str] | None = None,
) -> File:
    periods = exchange.periods_for(framework, period_code)
    stem = f"indicators-{framework.owner_code or framework.id}" + (
        f"-{period_code}" if period_code else ""
    )
    if export_format == "csv":
        done = exchange.values_csv(framework=framework, periods=periods, language=language)
        return File(done.content.encode(), f"{stem}.csv", "text/csv; charset=utf-8")
    if export_format == "sdmx":
        done = exchange.values_sdmx_csv(framework=framework, periods=periods)
        return File(
            done.content.encode(), f"{stem}.sdmx.csv", "text/csv; charset=utf-8", done.skipped
        )
    if export_format == "dhis2":
        mapping = exchange.default_org_units() if org_units is None else org_units
        done = exchange.values_dhis2(framework=framework, org_units=mapping, periods=periods)
        return File(done.content.encode(), f"{stem}.dhis2.json", "application/json", done.skipped)
    raise InvalidInput(
        _("Exports come as %(choices)s, not “%(format)s”.")
        % {"choices": ", ".join(EXPORT_FORMATS), "format": export_format},
        field="format",
    )


def http_response(file: File) -> HttpResponse:
    """The file as a download; values a format could not carry are named in headers."""
    response = HttpResponse(file.content, content_type=file.content_type)
    # Names carry codes people typed (a period "2024/25", a Burmese code): RFC 6266 quoting,
    # so a quote or a line break in them cannot break the header (or raise a 500).
    response["Content-Disposition"] = content_disposition_header(True, file.filename)
    if file.skipped:
        codes = sorted({s.indicator_code for s in file.skipped})
        listed = ",".join(codes).encode("ascii", "replace").decode()
        response["X-Skipped-Values"] = str(len(file.skipped))
        response["X-Skipped-Indicators"] = "".join(c if c.isprintable() else "?" for c in listed)
    return response
