"""Dashboard pages. The page is a frame; dashboard.js fills it from /api/dashboards/."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from mekong.core.errors import NotFound
from mekong.results import dashboards


def _labels() -> dict[str, str]:
    """Every text the charts draw, translated here so dashboard.js holds no words."""
    return {
        "target": _("Target"),
        "actual": _("Actual"),
        "baseline": _("Baseline"),
        "percent_of_target": _("% of target"),
        "met": _("Target met"),
        "not_met": _("Not met yet"),
        "no_value": _("No value"),
        "estimate": _("Estimate"),
        "ci": _("95% confidence interval"),
        "round": _("Survey round"),
        "headcount": _("People below the line (%)"),
        "contribution": _("Contribution to M0 (%)"),
        "censored_headcount": _("Censored headcount (%)"),
        "weight": _("Weight"),
        "percentile": _("Percentile of per-capita income"),
        "growth": _("Annual growth (%)"),
        "mean_growth": _("Growth of the mean"),
        "village": _("Village"),
        "country": _("Country"),
        "area": _("Area"),
        "value": _("Value"),
        "observations": _("Observations"),
        "villages": _("Villages"),
        "method": _("How it is computed"),
        "method_cell": _("Computed from households"),
        "method_weighted_mean": _("Population-weighted mean of villages"),
        "method_sum": _("Sum of villages"),
        "not_available": _("Not available"),
        "loading_failed": _("The data could not be loaded:"),
        "no_data": _("No data for this period yet."),
        "open": _("Open"),
    }


@login_required
def dashboard(request: HttpRequest, framework_id: int) -> HttpResponse:
    try:
        scope = dashboards.dashboard_scope(user=request.user, framework_id=framework_id)
        raw_period = request.GET.get("period", "")
        period = dashboards.period_choose(
            scope=scope, period_id=int(raw_period) if raw_period.isdecimal() else None
        )
    except NotFound as exc:
        raise Http404(exc.message) from exc
    summary = dashboards.dashboard_summary(scope=scope, period=period)
    try:
        map_indicator: int | None = dashboards.indicator_choose(scope=scope, indicator_id=None).id
    except NotFound:
        map_indicator = None
    config: dict[str, Any] = {
        "api": reverse("api:api-root") + f"dashboards/{framework_id}/",
        "boundaries": reverse("boundaries"),
        "period": period.id,
        "map_indicator": map_indicator,
        "indicators": summary["indicators"],
        "decimal_separator": formats.get_format("DECIMAL_SEPARATOR"),
        "thousand_separator": formats.get_format("THOUSAND_SEPARATOR"),
        "labels": _labels(),
    }
    return render(
        request,
        "results/dashboard.html",
        {"summary": summary, "framework": scope.framework, "config": config, "scope": scope},
    )


@login_required
def dashboard_list(request: HttpRequest) -> HttpResponse:
    frameworks = dashboards.dashboards_visible_to(request.user)
    return render(request, "results/dashboard_list.html", {"frameworks": frameworks})
