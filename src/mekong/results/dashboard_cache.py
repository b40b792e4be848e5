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
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Max
from django.http import HttpResponse
from django.utils.translation import get_language

from mekong.results.dashboards import DashboardScope
from mekong.results.models import (
    Analysis,
    Indicator,
    IndicatorValue,
    ReportingPeriod,
    Target,
)


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
    build: Callable[[], Any],
) -> HttpResponse:
    """The JSON response cached under this key, or ``build()`` serialised and stored.

    The serialised bytes are cached, not the data, so a hit costs one cache read and no
    JSON encoding (a programme's headcount series runs to hundreds of kilobytes)."""
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
    body: bytes | None = cache.get(key)
    if body is None:
        body = json.dumps(build(), cls=DjangoJSONEncoder, ensure_ascii=False).encode()
        cache.set(key, body, timeout=settings.MEKONG_DASHBOARD_CACHE_SECONDS)
    return HttpResponse(body, content_type="application/json")
