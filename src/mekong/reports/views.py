"""The report page of a results framework: choose period, language and format; download."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from mekong.core.errors import DomainError, NotFound
from mekong.exchange import indicators as exchange
from mekong.reports import files, selectors
from mekong.reports.build import REPORT_LANGUAGES, language_name
from mekong.results.models import ResultsFramework


def _framework(request: HttpRequest, framework_id: int) -> ResultsFramework:
    try:
        return selectors.report_framework_get(user=request.user, framework_id=framework_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
def report_page(request: HttpRequest, framework_id: int) -> HttpResponse:
    framework = _framework(request, framework_id)
    periods = list(framework.periods.order_by("-starts_on"))
    context = {
        "framework": framework,
        "periods": periods,
        "report_languages": [(code, language_name(code)) for code in REPORT_LANGUAGES],
        "formats": [("pdf", "PDF"), ("xlsx", "XLSX")],
        "exports": [
            ("csv", _("Indicator values (CSV)")),
            ("sdmx", _("SDG 1.1.1, 1.2.1, 1.2.2 (SDMX-CSV)")),
            ("dhis2", _("DHIS2 dataValueSet (JSON)")),
        ],
        "error": None,
        "without_data_element": framework.indicators.filter(dhis2_data_element="").order_by(
            "order", "code"
        ),
    }
    if "download" in request.GET:
        try:
            period = selectors.report_period_get(
                framework=framework, code=request.GET.get("period", "")
            )
            file = files.report_file(
                framework=framework,
                period=period,
                language=request.GET.get("language", "en"),
                file_format=request.GET.get("format", "pdf"),
            )
        except DomainError as exc:
            context["error"] = exc.message
            return render(request, "reports/report_page.html", context, status=400)
        return files.http_response(file)
    return render(request, "reports/report_page.html", context)


@login_required
def export(request: HttpRequest, framework_id: int, export_format: str) -> HttpResponse:
    framework = _framework(request, framework_id)
    try:
        org_units = (
            exchange.org_units_parse(request.GET["org_units"])
            if request.GET.get("org_units")
            else None
        )
        file = files.export_file(
            framework=framework,
            export_format=export_format,
            period_code=request.GET.get("period") or None,
            language=request.GET.get("language", "en"),
            org_units=org_units,
        )
    except DomainError as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain")
    return files.http_response(file)
