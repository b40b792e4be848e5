"""Register pages: a village's households and one household's file."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from mekong.core.errors import NotFound
from mekong.geo.selectors import village_get_for_user
from mekong.registry import selectors
from mekong.registry.access import can_edit_household, can_see_personal_data
from mekong.registry.exports import register_export, register_frame
from mekong.registry.models import Cause, ExitCase, HouseholdStatus, RelapseAlert, SurveyRound
from mekong.registry.relapse import relapse_alert_list


@login_required
def village_register(request: HttpRequest, village_id: int) -> HttpResponse:
    try:
        village = village_get_for_user(user=request.user, village_id=village_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    status = request.GET.get("status") or None
    if status not in HouseholdStatus.values:
        status = None
    households = selectors.household_list(user=request.user, village=village, status=status)
    page = Paginator(households, 50).get_page(request.GET.get("page"))
    rows = list(page)
    results = selectors.latest_classifications(rows)
    return render(
        request,
        "registry/village_register.html",
        {
            "village": village,
            "page": page,
            "rows": [
                (h, selectors.household_personal(request.user, h), results.get(h.id, []))
                for h in rows
            ],
            "statuses": HouseholdStatus.choices,
            "status": status or "",
            "query": f"status={status}" if status else "",
            "personal": can_see_personal_data(request.user),
        },
    )


@login_required
def household_detail(request: HttpRequest, household_id: int) -> HttpResponse:
    try:
        household = selectors.household_get_for_user(user=request.user, household_id=household_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    detail = selectors.household_detail(household)
    members = [
        (m, selectors.member_personal(request.user, m), list(m.observations.all())[-1:])
        for m in detail["members"]
    ]
    return render(
        request,
        "registry/household_detail.html",
        {
            "household": household,
            "personal": selectors.household_personal(request.user, household),
            "members": members,
            "history": selectors.household_history(household),
            "can_edit": can_edit_household(request.user, household),
            "secondary_causes": [
                Cause(code).label for code in household.secondary_causes if code in Cause.values
            ],
            "classifications": [
                (c, selectors.reason_lines(c.reasons)) for c in detail["classifications"]
            ],
            "observations": detail["observations"],
            "measures": detail["measures"],
            "exit_cases": ExitCase.objects.filter(household=household)
            .prefetch_related("steps__by", "objections", "approvals__approved_by")
            .order_by("-id"),
            "alerts": RelapseAlert.objects.filter(household=household)
            .select_related("survey_round")
            .prefetch_related("follow_ups__by"),
        },
    )


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    """Open relapse alerts in the user's scope, newest first, with their follow-ups."""
    status = request.GET.get("status", "open")
    alerts = relapse_alert_list(
        user=request.user, status=status if status in ("open", "closed") else None
    )
    page = Paginator(alerts.select_related("household__village__country"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "registry/alerts.html",
        {
            "page": page,
            "rows": [(a, selectors.household_personal(request.user, a.household)) for a in page],
            "status": status,
            "query": f"status={status}",
        },
    )


@login_required
def register_download(request: HttpRequest, fmt: str) -> HttpResponse:
    """The register of the user's scope for analysis; pseudonymised unless they may see names."""
    if fmt not in ("csv", "parquet"):
        raise Http404(_("Unknown format."))
    village = None
    if request.GET.get("village", "").isdigit():
        try:
            village = village_get_for_user(
                user=request.user, village_id=int(request.GET["village"])
            )
        except NotFound as exc:
            raise Http404(exc.message) from exc
    survey_round = SurveyRound.objects.filter(code=request.GET.get("round", "")).first()
    frame = register_frame(user=request.user, village=village, survey_round=survey_round)
    content = register_export(frame, "parquet" if fmt == "parquet" else "csv")
    response = HttpResponse(
        content,
        content_type="application/vnd.apache.parquet" if fmt == "parquet" else "text/csv",
    )
    name = f"register-{village.code if village else 'all'}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
