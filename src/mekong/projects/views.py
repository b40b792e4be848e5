"""Portfolio pages and exports. Each parses input, calls selectors, renders."""

from __future__ import annotations

import json
from decimal import Decimal
from io import BytesIO
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from mekong.core.codelists import sector_codes
from mekong.core.errors import DomainError, NotFound, PermissionDenied
from mekong.geo.selectors import country_list
from mekong.partners.access import role_of
from mekong.projects import selectors, services
from mekong.projects.access import APPROVERS, can_edit_project, can_keep_rates, side_of
from mekong.projects.access import in_scope as can_view_scope
from mekong.projects.exports import finance_workbook, portfolio_workbook
from mekong.projects.models import (
    FocusArea,
    Framework,
    JointOffice,
    ProgressUpdate,
    Project,
    ProjectStatus,
    RateType,
    WorkPlan,
)
from mekong.projects.rate_tables import read_rate_table


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=gettext_lazy("Next step"), choices=ProjectStatus.choices)
    occurred_on = forms.DateField(label=gettext_lazy("Date"))
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=1000)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters(request: HttpRequest) -> selectors.ProjectFilters:
    get = request.GET
    status = get.get("status") or None
    focus = get.get("focus_area") or None
    return selectors.ProjectFilters(
        country=(get.get("country") or None),
        framework=(get.get("framework") or None),
        status=status if status in ProjectStatus.values else None,
        focus_area=focus if focus in FocusArea.values else None,
        sector=(get.get("sector") or None),
        search=(get.get("search") or None),
    )


@login_required
def portfolio(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    projects = list(
        selectors.project_list(user=request.user, filters=filters)
        .prefetch_related("sectors")
        .annotate(village_count=Count("villages", distinct=True))
    )
    sectors = sector_codes()
    used_sectors = sorted({s.code for p in projects for s in p.sectors.all()})
    return render(
        request,
        "projects/portfolio.html",
        {
            "projects": projects,
            "filters": filters,
            "countries": country_list(user=request.user),
            "frameworks": Framework.objects.order_by("code"),
            "statuses": ProjectStatus.choices,
            "focus_areas": FocusArea.choices,
            "sector_choices": [
                (code, f"{code} {sectors.get(code, '')}")
                for code in sorted(
                    set(used_sectors) | ({filters.sector} if filters.sector else set())
                )
            ],
            "query": request.GET.urlencode(),
            "focus_labels": dict(FocusArea.choices),
        },
    )


@login_required
def portfolio_villages(request: HttpRequest) -> JsonResponse:
    projects = selectors.project_list(user=request.user, filters=_filters(request))
    if request.GET.get("project", "").isdigit():
        projects = projects.filter(id=int(request.GET["project"]))
    seen: dict[int, dict[str, Any]] = {}
    for project in projects.prefetch_related("villages__country"):
        for village in project.villages.all():
            point = seen.setdefault(
                village.id,
                {
                    "id": village.id,
                    "name": village.display_name,
                    "country": village.country.display_name,
                    "iso3": village.country.iso3,
                    "value": [
                        float(village.longitude),
                        float(village.latitude),
                        village.population or 0,
                    ],
                    "households": village.households,
                    "demonstration": village.is_demonstration,
                    "url": f"/villages/{village.id}/",
                    "projects": [],
                },
            )
            point["projects"].append(project.code)
    return JsonResponse({"villages": list(seen.values())})


def _next_status(project: Project) -> ProjectStatus | None:
    cycle = list(ProjectStatus)
    position = cycle.index(ProjectStatus(project.status))
    return cycle[position + 1] if position + 1 < len(cycle) else None


@login_required
def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    try:
        project = selectors.project_get_for_user(user=request.user, project_id=project_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    rate_type = request.GET.get("rates", RateType.OFFICIAL)
    if rate_type not in RateType.values:
        rate_type = RateType.OFFICIAL
    finance = selectors.project_finance(project, rate_type=rate_type)
    chart = {
        currency: {
            "years": [str(year) for year in years],
            "budget": [float(v["budget"]) for v in years.values()],
            "spent": [float(v["spent"]) for v in years.values()],
        }
        for currency, years in finance.by_year.items()
    }
    sectors = sector_codes()
    work_plans = selectors.project_work_plans(project)
    plan_rows = []
    for plan in work_plans:
        sides = {a.side: a for a in plan.approvals.all()}
        plan_rows.append(
            {
                "plan": plan,
                "chinese": sides.get("chinese"),
                "partner": sides.get("partner"),
                "binding": len(sides) == 2,
            }
        )
    votes = []
    for voting_round in project.voting_rounds.select_related(
        "village", "village__country"
    ).prefetch_related("options__component"):
        options = sorted(voting_round.options.all(), key=lambda o: (-o.votes, o.title))
        total = sum(o.votes for o in options) or 1
        votes.append(
            {
                "round": voting_round,
                "options": [
                    {"option": o, "rank": rank, "share": Decimal(o.votes * 100) / total}
                    for rank, o in enumerate(options, start=1)
                ],
            }
        )
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "countries": list(project.countries.all()),
            "sectors": [
                (s.code, sectors.get(s.code, ""), s.percentage) for s in project.sectors.all()
            ],
            "participants": project.participants.select_related("organisation"),
            "focus_labels": [FocusArea(a).label for a in project.focus_areas],
            "components": selectors.project_components(project),
            "finance": finance,
            "chart_json": json.dumps(chart),
            "rate_type": rate_type,
            "rate_types": RateType.choices,
            "transitions": project.transitions.select_related("by"),
            "cycle": [(s, s.label) for s in ProjectStatus],
            "plan_rows": plan_rows,
            "teams": project.expert_teams.prefetch_related(
                "members", "villages__country", "reports"
            ),
            "office": JointOffice.objects.filter(project=project)
            .prefetch_related("members__person", "meetings__decisions")
            .first(),
            "votes": votes,
            "can_edit": can_edit_project(request.user, project),
            "my_side": side_of(request.user, project)
            if role_of(request.user) in APPROVERS and can_view_scope(request.user, project)
            else None,
            "next_status": _next_status(project),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def work_plan_approve(request: HttpRequest, project_id: int, plan_id: int) -> HttpResponse:
    plan = WorkPlan.objects.select_related("project").filter(id=plan_id, project_id=project_id)
    work_plan = plan.first()
    if work_plan is None:
        raise Http404(_("No such work plan."))
    try:
        services.work_plan_approve(
            user=request.user, work_plan=work_plan, note=request.POST.get("note", "")[:1000]
        )
    except PermissionDenied as exc:
        return render(request, "web/forbidden.html", {"message": exc.message}, status=403)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Approved for your side."))
    return redirect(f"{reverse('project-detail', args=[project_id])}#office")


@login_required
@require_POST
def project_advance(request: HttpRequest, project_id: int) -> HttpResponse:
    project = Project.objects.filter(id=project_id).first()
    if project is None:
        raise Http404(_("No such project."))
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, " ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in form.errors.items())
        )
        return redirect(f"{reverse('project-detail', args=[project_id])}#cycle")
    try:
        services.project_transition(user=request.user, project=project, **form.cleaned_data)
    except PermissionDenied as exc:
        return render(request, "web/forbidden.html", {"message": exc.message}, status=403)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Project moved to “%(status)s”.") % {"status": ProjectStatus(project.status).label},
        )
    return redirect(f"{reverse('project-detail', args=[project_id])}#cycle")


@login_required
def progress_photo(request: HttpRequest, update_id: int) -> FileResponse:
    """Serve a progress photo only to users who may see its project (photos show people)."""
    update = (
        ProgressUpdate.objects.select_related("asset__activity__component")
        .filter(id=update_id)
        .first()
    )
    if update is None or not update.photo:
        raise Http404(_("No such photo."))
    try:
        selectors.project_get_for_user(
            user=request.user, project_id=update.asset.activity.component.project_id
        )
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return FileResponse(update.photo.open("rb"))


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=gettext_lazy("Photo"),
        help_text=gettext_lazy("JPEG, PNG or WebP, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def progress_photo_upload(request: HttpRequest, update_id: int) -> HttpResponse:
    """Attach a photo to a progress update: for those who may change the project."""
    update = (
        ProgressUpdate.objects.select_related("asset__activity__component__project")
        .filter(id=update_id)
        .first()
    )
    if update is None:
        raise Http404(_("No such progress update."))
    project = update.asset.activity.component.project
    try:
        selectors.project_get_for_user(user=request.user, project_id=project.id)
    except NotFound as exc:
        # An out-of-scope write is refused, not hidden (see partners.access).
        if request.method == "POST":
            return _forbidden(request, _("You may not change this project."))
        raise Http404(exc.message) from exc
    if not can_edit_project(request.user, project):
        return _forbidden(
            request,
            _("You may not change project %(code)s: it is outside your role or scope.")
            % {"code": project.code},
        )
    # Bound on every POST, even an empty one, so a missing file is named as an error.
    form = PhotoForm(request.POST, request.FILES) if request.method == "POST" else PhotoForm()
    if request.method == "POST" and form.is_valid():
        try:
            services.progress_photo_attach(
                user=request.user, update=update, photo=form.cleaned_data["photo"]
            )
        except PermissionDenied as exc:
            return _forbidden(request, exc.message)
        except DomainError as exc:
            form.add_error("photo", exc.message)
        else:
            messages.success(request, _("Photo saved."))
            return redirect(f"{reverse('project-detail', args=[project.id])}#works")
    return render(
        request,
        "projects/progress_photo_upload.html",
        {"project": project, "update": update, "form": form},
    )


class RateTableForm(forms.Form):
    base = forms.CharField(
        label=gettext_lazy("Base currency"),
        min_length=3,
        max_length=3,
        help_text=gettext_lazy("ISO 4217 code, e.g. USD: one unit of it buys the rate."),
    )
    quote = forms.CharField(
        label=gettext_lazy("Quote currency"),
        min_length=3,
        max_length=3,
        help_text=gettext_lazy("ISO 4217 code, e.g. MMK."),
    )
    rate_type = forms.ChoiceField(label=gettext_lazy("Rate type"), choices=RateType.choices)
    source = forms.CharField(
        label=gettext_lazy("Source"),
        max_length=255,
        required=False,
        help_text=gettext_lazy("e.g. Central Bank of Myanmar, reference rates."),
    )
    file = forms.FileField(
        label=gettext_lazy("Table (CSV)"),
        help_text=gettext_lazy(
            "A header row with a “date” and a “rate” column, then one row per date "
            "(2024-01-31, 2105.5); commas, semicolons or tabs; at most 7,500 rates."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def exchange_rates(request: HttpRequest) -> HttpResponse:
    """The recorded rate series, and for those who keep rates, a form that records a
    whole table of one pair and type at once (all or nothing)."""
    may_record = can_keep_rates(request.user)
    if request.method == "POST" and not may_record:
        return _forbidden(request, _("Your role may not record exchange rates."))
    form = RateTableForm(request.POST, request.FILES) if request.method == "POST" else None
    if form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            rates = services.exchange_rate_series_record(
                user=request.user,
                base=data["base"].upper(),
                quote=data["quote"].upper(),
                rate_type=data["rate_type"],
                rates=read_rate_table(data["file"]),
                source=data["source"],
            )
        except PermissionDenied as exc:
            return _forbidden(request, exc.message)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else "file", exc.message)
        else:
            messages.success(
                request,
                _("%(count)s %(base)s→%(quote)s rates recorded, %(first)s to %(last)s.")
                % {
                    "count": len(rates),
                    "base": rates[0].base,
                    "quote": rates[0].quote,
                    "first": rates[0].date,
                    "last": rates[-1].date,
                },
            )
            return redirect("exchange-rates")
    return render(
        request,
        "projects/exchange_rates.html",
        {
            "series": selectors.exchange_rate_series(),
            "form": form if form is not None else (RateTableForm() if may_record else None),
        },
    )


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "web/forbidden.html", {"message": message}, status=403)


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def portfolio_export(request: HttpRequest) -> HttpResponse:
    projects = selectors.project_list(user=request.user, filters=_filters(request))
    buffer = BytesIO()
    portfolio_workbook(
        list(
            projects.prefetch_related("sectors").annotate(
                village_count=Count("villages", distinct=True)
            )
        )
    ).save(buffer)
    return _xlsx(buffer.getvalue(), f"portfolio-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
def finance_export(request: HttpRequest, project_id: int) -> HttpResponse:
    try:
        project = selectors.project_get_for_user(user=request.user, project_id=project_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    rate_type = request.GET.get("rates", RateType.OFFICIAL)
    if rate_type not in RateType.values:
        rate_type = RateType.OFFICIAL
    buffer = BytesIO()
    finance_workbook(project, selectors.project_finance(project, rate_type=rate_type)).save(buffer)
    return _xlsx(buffer.getvalue(), f"{project.code}-finance-{rate_type}.xlsx")
