"""Caching of dashboard responses, invalidated by the data they are built from.

A response is cached under a key made of the framework, the endpoint and its parameters,
the reader's scope and language, and a *data version*: a few cheap aggregates over the rows
the response reads (latest ``computed_at`` and history row of the values, their count, the
targets' and indicators' latest history rows, the analyses' latest ``computed_at``). A
refresh, an edited value or target, or a new analysis changes the version, so the next
request misses and rebuilds; stale entries simply expire (``MEKONG_DASHBOARD_CACHE_SECONDS``).

The cache backend comes from ``MEKONG_CACHE_URL`` (``locmem://`` by default; ``redis://…``
in production so every web process shares one cache).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.db.models import Count, Max
from django.utils.translation import get_language

from mekong.results.dashboards import DashboardScope
from mekong.results.models import (
    Analysis,
    Indicator,
    IndicatorValue,
    ReportingPeriod,
    Target,
)

T = TypeVar("T")


def data_version(
    *,
    framework_id: int,
    values: bool = False,
    period: ReportingPeriod | None = None,
    indicator: Indicator | None = None,
    targets: bool = False,
    analyses: bool = False,
) -> str:
    """A text that changes whenever the rows a response reads change."""
    parts: list[Any] = []
    # Indicator names, units and baselines are read by every value-based response.
    indicator_history = Indicator.history.model
    parts.append(
        indicator_history.objects.filter(framework_id=framework_id).aggregate(
            last=Max("history_id")
        )["last"]
    )
    if values:
        cells = IndicatorValue.objects.filter(indicator__framework_id=framework_id)
        history = IndicatorValue.history.model.objects.filter(indicator__framework_id=framework_id)
        if period is not None:
            cells = cells.filter(period=period)
            history = history.filter(period_id=period.id)
        if indicator is not None:
            cells = cells.filter(indicator=indicator)
            history = history.filter(indicator_id=indicator.id)
        found = cells.aggregate(last=Max("computed_at"), count=Count("id"))
        parts += [found["last"], found["count"], history.aggregate(last=Max("history_id"))["last"]]
    if targets:
        target_history = Target.history.model
        parts.append(
            target_history.objects.filter(indicator__framework_id=framework_id).aggregate(
                last=Max("history_id")
            )["last"]
        )
    if analyses:
        found = Analysis.objects.filter(framework_id=framework_id).aggregate(
            last=Max("computed_at"), count=Count("id")
        )
        parts += [found["last"], found["count"]]
    return "|".join(str(p) for p in parts)


def cached(
    *,
    scope: DashboardScope,
    endpoint: str,
    params: dict[str, Any],
    version: str,
    build: Callable[[], T],
) -> T:
    """The cached response for this key, or ``build()`` stored under it."""
    raw = "|".join(
        [
            str(scope.framework.id),
            endpoint,
            repr(sorted(params.items())),
            scope.key,
            get_language() or "",
            version,
        ]
    )
    key = "mekong:dashboard:" + hashlib.sha256(raw.encode()).hexdigest()
    cache = caches["default"]
    found: T | None = cache.get(key)
    if found is not None:
        return found
    response = build()
    cache.set(key, response, timeout=settings.MEKONG_DASHBOARD_CACHE_SECONDS)
    return response
