"""JSON data behind the dashboards, mounted at ``/api/dashboards/``.

Each handler resolves the framework as the user may see it (404 outside their scope),
then answers from the cache or builds the response from precomputed rows.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from mekong.results import dashboards
from mekong.results.dashboard_cache import cached, data_version
from mekong.results.models import Indicator, IndicatorValue

router = Router(tags=["dashboards"])


@router.get("/{framework_id}/summary", response=dict[str, Any])
def summary(request: HttpRequest, framework_id: int, period: int | None = None) -> HttpResponse:
    """Framework, periods, indicators and the countries in the reader's scope."""
    scope = dashboards.dashboard_scope(user=request.user, framework_id=framework_id)
    chosen = dashboards.period_choose(scope=scope, period_id=period)
    return cached(
        scope=scope,
        endpoint="summary",
        params={"period": chosen.id},
        version=data_version(framework_id=framework_id, analyses=True),
        build=lambda: dashboards.dashboard_summary(scope=scope, period=chosen),
    )


@router.get("/{framework_id}/targets", response=dict[str, Any])
def targets(request: HttpRequest, framework_id: int, period: int | None = None) -> HttpResponse:
    """Target, actual and percentage of target of every indicator in a period."""
    scope = dashboards.dashboard_scope(user=request.user, framework_id=framework_id)
    chosen = dashboards.period_choose(scope=scope, period_id=period)
    return cached(
        scope=scope,
        endpoint="targets",
        params={"period": chosen.id},
        version=data_version(
            framework_id=framework_id,
            # Exactly the cells the table reads, so the unique index answers.
            cells=IndicatorValue.objects.filter(
                indicator__in=Indicator.objects.filter(framework_id=framework_id).values("id"),
                period=chosen,
                disaggregation_key__in=["", *(f"country={c.iso3}" for c in scope.countries)],
            ),
            targets=True,
        ),
        build=lambda: {
            "period": chosen.code,
            "whole_scope": scope.whole,
            "rows": dashboards.targets_vs_actuals(scope=scope, period=chosen),
        },
    )


@router.get("/{framework_id}/headcount", response=dict[str, Any])
def headcount(request: HttpRequest, framework_id: int, scheme: str | None = None) -> HttpResponse:
    """Poverty headcount by village and survey round with confidence intervals."""
    scope = dashboards.dashboard_scope(user=request.user, framework_id=framework_id)
    return cached(
        scope=scope,
        endpoint="headcount",
        params={"scheme": scheme},
        version=data_version(framework_id=framework_id, analyses=True),
        build=lambda: dashboards.headcount_series(scope=scope, scheme=scheme),
    )


@router.get("/{framework_id}/mpi", response=dict[str, Any])
def mpi(request: HttpRequest, framework_id: int, scheme: str | None = None) -> HttpResponse:
    """Each MPI indicator's contribution to the adjusted headcount ratio M0."""
    scope = dashboards.dashboard_scope(user=request.user, framework_id=framework_id)
    return cached(
        scope=scope,
        endpoint="mpi",
        params={"scheme": scheme},
        version=data_version(framework_id=framework_id, analyses=True),
        build=lambda: dashboards.mpi_composition(scope=scope, scheme=scheme),
    )


@router.get("/{framework_id}/gic", response=dict[str, Any])
def gic(request: HttpRequest, framework_id: int) -> HttpResponse:
    """Growth incidence curve of per-capita income between two rounds."""
    scope = dashboards.dashboard_scope(user=request.user, framework_id=framework_id)
    return cached(
        scope=scope,
        endpoint="gic",
        params={},
        version=data_version(framework_id=framework_id, analyses=True),
        build=lambda: dashboards.growth_incidence_curve(scope=scope),
    )


@router.get("/{framework_id}/map", response=dict[str, Any])
def village_map(
    request: HttpRequest,
    framework_id: int,
    indicator: int | None = None,
    period: int | None = None,
) -> HttpResponse:
    """Villages in scope with coordinates and the chosen indicator's village values."""
    scope = dashboards.dashboard_scope(user=request.user, framework_id=framework_id)
    chosen_period = dashboards.period_choose(scope=scope, period_id=period)
    chosen = dashboards.indicator_choose(scope=scope, indicator_id=indicator)
    return cached(
        scope=scope,
        endpoint="map",
        params={"indicator": chosen.id, "period": chosen_period.id},
        version=data_version(
            framework_id=framework_id,
            cells=IndicatorValue.objects.filter(indicator=chosen, period=chosen_period),
        ),
        build=lambda: dashboards.map_data(scope=scope, indicator=chosen, period=chosen_period),
    )


@router.get("/{framework_id}/drilldown", response=dict[str, Any])
def drilldown(
    request: HttpRequest,
    framework_id: int,
    indicator: int | None = None,
    period: int | None = None,
    area: str | None = None,
) -> HttpResponse:
    """One level of country → administrative area → village, for one indicator."""
    scope = dashboards.dashboard_scope(user=request.user, framework_id=framework_id)
    chosen_period = dashboards.period_choose(scope=scope, period_id=period)
    chosen = dashboards.indicator_choose(scope=scope, indicator_id=indicator)
    return cached(
        scope=scope,
        endpoint="drilldown",
        params={"indicator": chosen.id, "period": chosen_period.id, "area": area},
        version=data_version(
            framework_id=framework_id,
            cells=IndicatorValue.objects.filter(indicator=chosen, period=chosen_period),
        ),
        build=lambda: dashboards.drilldown(
            scope=scope, indicator=chosen, period=chosen_period, area=area or None
        ),
    )
