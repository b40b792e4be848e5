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
from django.db.models import Count, Max, QuerySet, Subquery, Value
from django.http import HttpResponse
from django.utils.translation import get_language

from mekong.results.dashboards import DashboardScope
from mekong.results.models import (
    Analysis,
    Indicator,
    IndicatorValue,
    ReportingPeriod,
    ResultsFramework,
    Target,
)


def _scalar(rows: QuerySet[Any], aggregate: Any) -> Subquery:
    """``rows`` reduced to one aggregate, as a subquery (grouped by a constant)."""
    return Subquery(
        rows.order_by().values(one=Value(1)).annotate(result=aggregate).values("result")[:1]
    )


def _latest(rows: QuerySet[Any], field: str) -> Subquery:
    return Subquery(rows.order_by(f"-{field}").values(field)[:1])


def data_version(
    *,
    framework_id: int,
    cells: QuerySet[IndicatorValue] | None = None,
    targets: bool = False,
    analyses: bool = False,
) -> str:
    """A text that changes whenever the rows a response reads change: ``cells`` are the value
    rows it reads (their latest ``computed_at``, count and latest history row); indicators
    are always included (names, units, baselines), and so are the periods. One query,
    whatever is asked."""
    indicator_history = Indicator.history.model.objects.filter(framework_id=framework_id)
    # Periods too: the page's period list (summary) and every "?period=" choice read them.
    period_history = ReportingPeriod.history.model.objects.filter(framework_id=framework_id)
    parts: dict[str, Subquery] = {
        "v_indicators": _latest(indicator_history, "history_id"),
        "v_periods": _latest(period_history, "history_id"),
    }
    if cells is not None:
        history = IndicatorValue.history.model.objects.filter(id__in=cells.order_by().values("id"))
        parts["v_computed"] = _scalar(cells, Max("computed_at"))
        parts["v_count"] = _scalar(cells, Count("id"))
        parts["v_edited"] = _latest(history, "history_id")
    if targets:
        target_history = Target.history.model.objects.filter(indicator__framework_id=framework_id)
        parts["v_targets"] = _latest(target_history, "history_id")
    if analyses:
        found = Analysis.objects.filter(framework_id=framework_id)
        parts["v_analyses"] = _scalar(found, Max("computed_at"))
        parts["v_analysis_count"] = _scalar(found, Count("id"))
    row = (
        ResultsFramework.objects.filter(id=framework_id)
        .annotate(**parts)
        .values_list(*parts)
        .first()
    )
    return "|".join(str(p) for p in row or ())


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
