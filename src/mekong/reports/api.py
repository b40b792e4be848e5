"""Report and export downloads; every framework is read through the user's scope."""

# No `from __future__ import annotations`: django-ninja reads these signatures at run time.

from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema

from mekong.exchange import indicators as exchange
from mekong.reports import files, selectors

router = Router(tags=["reports"])


class ReportQuery(Schema):
    period: str
    language: Literal["en", "zh-hans", "my"] = "en"


class ExportQuery(Schema):
    period: str | None = None
    language: str = "en"


class Dhis2Query(ExportQuery):
    org_units: str | None = None


def _report(
    request: HttpRequest, framework_id: int, query: ReportQuery, file_format: str
) -> HttpResponse:
    framework = selectors.report_framework_get(user=request.user, framework_id=framework_id)
    period = selectors.report_period_get(framework=framework, code=query.period)
    return files.http_response(
        files.report_file(
            framework=framework, period=period, language=query.language, file_format=file_format
        )
    )


@router.get("/frameworks/{framework_id}/report.pdf", response={200: None})
def report_pdf(request: HttpRequest, framework_id: int, query: Query[ReportQuery]) -> HttpResponse:
    """The progress report of a period as PDF (en, zh-hans or my)."""
    return _report(request, framework_id, query, "pdf")


@router.get("/frameworks/{framework_id}/report.xlsx", response={200: None})
def report_xlsx(request: HttpRequest, framework_id: int, query: Query[ReportQuery]) -> HttpResponse:
    """The progress report of a period as an Excel workbook."""
    return _report(request, framework_id, query, "xlsx")


def _export(
    request: HttpRequest,
    framework_id: int,
    export_format: str,
    query: ExportQuery,
    org_units: dict[str, str] | None = None,
) -> HttpResponse:
    framework = selectors.report_framework_get(user=request.user, framework_id=framework_id)
    return files.http_response(
        files.export_file(
            framework=framework,
            export_format=export_format,
            period_code=query.period,
            language=query.language,
            org_units=org_units,
        )
    )


@router.get("/frameworks/{framework_id}/values.csv", response={200: None})
def values_csv(request: HttpRequest, framework_id: int, query: Query[ExportQuery]) -> HttpResponse:
    """Approved and computed indicator values as tidy CSV (all periods, or ``period``)."""
    return _export(request, framework_id, "csv", query)


@router.get("/frameworks/{framework_id}/sdmx.csv", response={200: None})
def values_sdmx(request: HttpRequest, framework_id: int, query: Query[ExportQuery]) -> HttpResponse:
    """SDMX-CSV 2.0 of the values of indicators linked to SDG 1.1.1, 1.2.1 and 1.2.2."""
    return _export(request, framework_id, "sdmx", query)


@router.get("/frameworks/{framework_id}/dhis2.json", response={200: None})
def values_dhis2(request: HttpRequest, framework_id: int, query: Query[Dhis2Query]) -> HttpResponse:
    """A DHIS2 dataValueSet. ``org_units`` maps countries to org unit UIDs
    (``MMR=ImspTQPwCqd,LAO=…``; default: the MEKONG_DHIS2_ORG_UNITS setting). Values that
    cannot be sent are counted in the ``X-Skipped-Values`` header."""
    mapping = exchange.org_units_parse(query.org_units) if query.org_units else None
    return _export(request, framework_id, "dhis2", query, mapping)
