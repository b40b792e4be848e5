"""Results pages: frameworks, indicators, value entry and the approval steps.

Each view parses input, calls one selector or service, renders. The dashboards at
``results/<id>/dashboard/`` live in views_dashboard.py.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mekong.core.errors import DomainError, NotFound, PermissionDenied
from mekong.partners.access import role_of
from mekong.results import selectors, services
from mekong.results.access import covers_whole_scope
from mekong.results.models import (
    Dimension,
    Indicator,
    IndicatorKind,
    IndicatorValue,
    ReportingPeriod,
    disaggregation_key,
)


class ValueForm(forms.Form):
    period = forms.ModelChoiceField(
        label=gettext_lazy("Period"), queryset=ReportingPeriod.objects.none()
    )
    dimension = forms.ChoiceField(label=gettext_lazy("Breakdown"), required=False)
    category = forms.CharField(label=gettext_lazy("Category"), required=False, max_length=60)
    value = forms.DecimalField(label=gettext_lazy("Value"), max_digits=20, decimal_places=6)
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence = forms.FileField(label=gettext_lazy("Evidence file"), required=False)
    description = forms.CharField(
        label=gettext_lazy("Description of the file"), required=False, max_length=255
    )

    def __init__(self, *args: Any, indicator: Indicator, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        period_field = self.fields["period"]
        assert isinstance(period_field, forms.ModelChoiceField)
        period_field.queryset = indicator.framework.periods.filter(locked_at__isnull=True).order_by(
            "starts_on"
        )
        labels = dict(Dimension.choices)
        dimension_field = self.fields["dimension"]
        assert isinstance(dimension_field, forms.ChoiceField)
        dimension_field.choices = [("", _("Total"))] + [
            (d, labels.get(d, d)) for d in indicator.disaggregations
        ]


def _not_found(exc: NotFound) -> Http404:
    return Http404(exc.message)


def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return render(request, "web/forbidden.html", {"message": exc.message}, status=403)


@login_required
def framework_list(request: HttpRequest) -> HttpResponse:
    frameworks = selectors.framework_list(user=request.user).prefetch_related("periods")
    return render(
        request,
        "results/framework_list.html",
        {"frameworks": frameworks, "waiting": len(selectors.values_waiting_for(user=request.user))},
    )


def _framework(request: HttpRequest, framework_id: int) -> Any:
    try:
        return selectors.framework_get(user=request.user, framework_id=framework_id)
    except NotFound as exc:
        raise _not_found(exc) from exc


@login_required
def framework_detail(request: HttpRequest, framework_id: int) -> HttpResponse:
    framework = _framework(request, framework_id)
    try:
        period = selectors.period_for(framework, request.GET.get("period"))
    except NotFound as exc:
        raise _not_found(exc) from exc
    tree = selectors.framework_tree(framework, period)
    return render(
        request,
        "results/framework_detail.html",
        {
            "framework": framework,
            "period": period,
            "periods": framework.periods.order_by("starts_on"),
            "rows": selectors.flatten(tree),
            "language": get_language(),
            "can_lock": role_of(request.user) in services.LOCKERS
            and covers_whole_scope(request.user, framework),
            "can_enter": role_of(request.user) in services.VALUE_ENTERERS
            and covers_whole_scope(request.user, framework),
            "narratives": framework.narratives.filter(period=period).order_by("section", "language")
            if period
            else [],
        },
    )


@login_required
def indicator_detail(request: HttpRequest, indicator_id: int) -> HttpResponse:
    try:
        indicator = selectors.indicator_get(user=request.user, indicator_id=indicator_id)
    except NotFound as exc:
        raise _not_found(exc) from exc
    values = selectors.value_list(
        user=request.user, framework=indicator.framework, indicator_id=indicator.id
    )
    by_period: dict[int, dict[str, Any]] = {}
    for period in indicator.framework.periods.order_by("starts_on"):
        by_period[period.id] = {"period": period, "total": None, "cells": defaultdict(list)}
    for value in values:
        slot = by_period[value.period_id]
        if value.disaggregation_key:
            ((dimension, _category),) = value.disaggregation.items()
            slot["cells"][dimension].append(value)
        else:
            slot["total"] = value
    targets = {t.period_id: t for t in indicator.targets.all()}
    rows = [
        {**slot, "cells": dict(slot["cells"]), "target": targets.get(pid)}
        for pid, slot in by_period.items()
    ]
    return render(
        request,
        "results/indicator_detail.html",
        {
            "indicator": indicator,
            "framework": indicator.framework,
            "rows": rows,
            "language": get_language(),
            "dimension_labels": dict(Dimension.choices),
            "can_enter": indicator.kind == IndicatorKind.REPORTED
            and role_of(request.user) in services.VALUE_ENTERERS
            and covers_whole_scope(request.user, indicator.framework),
        },
    )


@login_required
def value_new(request: HttpRequest, indicator_id: int) -> HttpResponse:
    try:
        indicator = selectors.indicator_get(user=request.user, indicator_id=indicator_id)
    except NotFound as exc:
        raise _not_found(exc) from exc
    form = ValueForm(request.POST or None, request.FILES or None, indicator=indicator)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        cell = {data["dimension"]: data["category"]} if data["dimension"] else {}
        try:
            value = _enter_value(request, indicator, data, cell)
        except PermissionDenied as exc:
            return _forbidden(request, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Value saved as a draft; submit it when it is complete."))
            return redirect("results:value-detail", value_id=value.id)
    return render(
        request,
        "results/value_form.html",
        {"indicator": indicator, "framework": indicator.framework, "form": form},
    )


def _enter_value(
    request: HttpRequest, indicator: Indicator, data: dict[str, Any], cell: dict[str, str]
) -> IndicatorValue:
    """Create the cell's value, or correct it if it is still a draft or returned; attach the
    evidence in the same transaction so a refused file leaves nothing half-written."""
    with transaction.atomic():
        existing = IndicatorValue.objects.filter(
            indicator=indicator,
            period=data["period"],
            disaggregation_key=disaggregation_key(services.clean_disaggregation(indicator, cell)),
        ).first()
        if existing is not None:
            value = services.value_update(
                user=request.user,
                value=existing,
                changes={"value": data["value"], "note": data["note"]},
            )
        else:
            value = services.value_create(
                user=request.user,
                indicator=indicator,
                period=data["period"],
                value=data["value"],
                disaggregation=cell,
                note=data["note"],
            )
        if data.get("evidence"):
            services.evidence_attach(
                user=request.user,
                value=value,
                upload=data["evidence"],
                description=data.get("description", ""),
            )
    return value


@login_required
def value_detail(request: HttpRequest, value_id: int) -> HttpResponse:
    try:
        value = selectors.value_get(user=request.user, value_id=value_id)
    except NotFound as exc:
        raise _not_found(exc) from exc
    return render(
        request,
        "results/value_detail.html",
        {
            "value": value,
            "indicator": value.indicator,
            "framework": value.indicator.framework,
            "evidence": value.evidence.order_by("id"),
            "steps": selectors.next_steps_for(request.user, value),
            "history": value.history.select_related("history_user").order_by("-history_id")[:20],
        },
    )


@login_required
@require_POST
def value_step(request: HttpRequest, value_id: int, step: str) -> HttpResponse:
    try:
        value = selectors.value_get(user=request.user, value_id=value_id)
    except NotFound as exc:
        raise _not_found(exc) from exc
    note = request.POST.get("note", "")[:90]
    try:
        if step == "reject":
            services.value_reject(
                user=request.user, value=value, reason=request.POST.get("reason", "")[:2000]
            )
            done = _("Returned for correction.")
        elif step == "edit":
            services.value_update(
                user=request.user,
                value=value,
                changes={
                    "value": request.POST.get("value", ""),
                    "note": request.POST.get("note", ""),
                },
            )
            done = _("Value corrected.")
        elif step == "evidence":
            upload = request.FILES.get("file")
            if upload is None:
                raise DomainError(_("file: choose a file to upload."), field="file")
            services.evidence_attach(
                user=request.user,
                value=value,
                upload=upload,
                description=request.POST.get("description", "")[:255],
            )
            done = _("Evidence attached.")
        elif step == "submit":
            services.value_submit(user=request.user, value=value)
            done = _("Submitted for verification.")
        elif step == "verify":
            services.value_verify(user=request.user, value=value, note=note)
            done = _("Verified (step 1).")
        elif step == "approve":
            services.value_approve(user=request.user, value=value, note=note)
            done = _("Approved (step 2).")
        else:
            raise Http404(_("No such step."))
    except PermissionDenied as exc:
        return _forbidden(request, exc)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("results:value-detail", value_id=value.id)


@login_required
@require_POST
def period_lock(request: HttpRequest, framework_id: int, period_id: int) -> HttpResponse:
    framework = _framework(request, framework_id)
    period = framework.periods.filter(id=period_id).first()
    if period is None:
        raise Http404(_("No such period."))
    try:
        services.period_lock(user=request.user, period=period)
    except PermissionDenied as exc:
        return _forbidden(request, exc)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Period %(period)s locked.") % {"period": period.code})
    return redirect(
        f"{reverse('results:framework-detail', args=[framework.id])}?period={period.id}"
    )


@login_required
def waiting(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "results/waiting.html",
        {"items": selectors.values_waiting_for(user=request.user)},
    )


@login_required
def evidence_download(request: HttpRequest, evidence_id: int) -> FileResponse:
    """Serve an evidence file only to users who see its framework (sheets may name people)."""
    try:
        evidence = selectors.evidence_get(user=request.user, evidence_id=evidence_id)
    except NotFound as exc:
        raise _not_found(exc) from exc
    name = str(evidence.file.name).rsplit("/", 1)[-1]
    return FileResponse(
        evidence.file.open("rb"),
        content_type=evidence.content_type,
        as_attachment=True,
        filename=name,
    )
