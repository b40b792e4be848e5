"""Pages. Each parses input, calls one selector or service, and renders."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods

from mekong.core.errors import DomainError, NotFound, PermissionDenied
from mekong.geo import selectors as geo_selectors
from mekong.geo import services as geo_services
from mekong.geo.models import Village
from mekong.partners import selectors as partner_selectors
from mekong.partners.access import can_edit_village, can_see_contacts, role_of
from mekong.web.forms import VillageFilterForm, VillageForm

GEO_DATA = Path(__file__).resolve().parent.parent / "geo" / "data"
BOUNDARY_COUNTRIES = ["CHN-YN_yunnan", "MMR", "LAO", "KHM", "THA", "VNM"]


def _page_size() -> int:
    return int(settings.MEKONG_PAGE_SIZE)


class SignInView(LoginView):
    """Sign in, then show the interface in the user's preferred language if one is set."""

    template_name = "web/login.html"

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        language = getattr(form.get_user(), "preferred_language", "")
        if language and language in dict(settings.LANGUAGES):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response


def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``, which browsers ask for on pages without an icon link (the
    admin's): our icon instead of a 404 in the server log."""
    return redirect(static("web/favicon.svg"), permanent=True)


def home(request: HttpRequest) -> HttpResponse:
    villages = geo_selectors.village_list(user=request.user)
    by_country = (
        villages.values("country__iso3")
        .annotate(villages=Count("id"), population=Sum("population"), households=Sum("households"))
        .order_by("country__iso3")
    )
    names = {c.iso3: c.display_name for c in geo_selectors.country_list(user=request.user)}
    rows = [
        {**row, "name": names.get(row["country__iso3"], row["country__iso3"])} for row in by_country
    ]
    return render(
        request,
        "web/home.html",
        {
            "rows": rows,
            "demonstration_count": villages.filter(is_demonstration=True).count(),
            "any_synthetic": villages.filter(is_synthetic=True).exists(),
        },
    )


def map_page(request: HttpRequest) -> HttpResponse:
    return render(request, "web/map.html")


@lru_cache(maxsize=1)
def _boundaries_json() -> bytes:
    features: list[dict[str, Any]] = []
    for name in BOUNDARY_COUNTRIES:
        data = json.loads((GEO_DATA / "admin1" / f"{name}.geojson").read_text(encoding="utf-8"))
        for index, feature in enumerate(data["features"]):
            props = feature["properties"]
            # ECharts keys regions by name; unnamed islands get a unique technical name.
            props["name"] = props.get("name") or f"{props['iso3']}-{index}"
            features.append(feature)
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


@cache_control(public=True, max_age=86400)
def boundaries(request: HttpRequest) -> HttpResponse:
    """Admin-1 boundaries of Yunnan and the five partner countries (Natural Earth)."""
    return HttpResponse(_boundaries_json(), content_type="application/geo+json")


def map_data(request: HttpRequest) -> JsonResponse:
    villages = geo_selectors.village_list(user=request.user)
    points = [
        {
            "id": v.id,
            "name": v.display_name,
            "country": v.country.display_name,
            "iso3": v.country.iso3,
            "value": [float(v.longitude), float(v.latitude), v.population or 0],
            "households": v.households,
            "demonstration": v.is_demonstration,
            "url": f"/villages/{v.id}/",
        }
        for v in villages
    ]
    return JsonResponse({"villages": points})


def village_list(request: HttpRequest) -> HttpResponse:
    countries = [(c.iso3, c.display_name) for c in geo_selectors.country_list(user=request.user)]
    areas = [
        (str(area.id), f"{area.country.iso3} · {area.display_name}")
        for area in geo_selectors.provinces_with_villages(user=request.user)
    ]
    form = VillageFilterForm(request.GET or None, countries=countries, areas=areas)
    filters = geo_selectors.VillageFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = geo_selectors.VillageFilters(
            country=data["country"] or None,
            admin_area=int(data["area"]) if data["area"] else None,
            demonstration=data["demonstration"],
            search=data["search"] or None,
        )
    villages = geo_selectors.village_list(user=request.user, filters=filters).order_by(
        "country__iso3", "name_latin"
    )
    page = Paginator(villages, _page_size()).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/village_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


def village_detail(request: HttpRequest, village_id: int) -> HttpResponse:
    try:
        village = geo_selectors.village_get_for_user(user=request.user, village_id=village_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    signed_in = role_of(request.user) is not None
    committees = (
        partner_selectors.organisation_list(user=request.user).filter(village=village)
        if signed_in
        else []
    )
    return render(
        request,
        "web/village_detail.html",
        {
            "village": village,
            "ancestors": geo_selectors.admin_area_ancestors(village.admin_area),
            "committees": committees,
            "can_edit": can_edit_village(request.user, village),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def village_edit(request: HttpRequest, village_id: int) -> HttpResponse:
    try:
        village = geo_selectors.village_get_for_user(user=request.user, village_id=village_id)
    except NotFound as exc:
        # An out-of-scope write is refused, not hidden (see partners.access).
        if request.method == "POST" and Village.objects.filter(id=village_id).exists():
            return _forbidden(request, _("You may not change this village."))
        raise Http404(exc.message) from exc
    if not can_edit_village(request.user, village):
        return _forbidden(request, _("Your role does not allow changing villages."))
    form = VillageForm(request.POST or None, instance=village)
    if request.method == "POST" and form.is_valid():
        try:
            geo_services.village_update(
                user=request.user,
                village=village,
                changes={name: form.cleaned_data[name] for name in form.changed_data},
            )
        except PermissionDenied as exc:
            return _forbidden(request, exc.message)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Village saved."))
            return redirect("village-detail", village_id=village.id)
    return render(request, "web/village_edit.html", {"village": village, "form": form})


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "web/forbidden.html", {"message": message}, status=403)


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    country = request.GET.get("country", "")
    search = request.GET.get("search", "")
    organisations = partner_selectors.organisation_list(
        user=request.user, country=country or None, search=search or None
    )
    page = Paginator(organisations, _page_size()).get_page(request.GET.get("page"))
    countries = geo_selectors.country_list(user=request.user)
    return render(
        request,
        "web/organisation_list.html",
        {"page": page, "countries": countries, "selected": request.GET.get("country", "")},
    )


@login_required
def organisation_detail(request: HttpRequest, organisation_id: int) -> HttpResponse:
    try:
        organisation = partner_selectors.organisation_get_for_user(
            user=request.user, organisation_id=organisation_id
        )
    except NotFound as exc:
        raise Http404(exc.message) from exc
    people = [
        (person, can_see_contacts(request.user, person))
        for person in partner_selectors.person_list(user=request.user, organisation=organisation)
    ]
    return render(
        request, "web/organisation_detail.html", {"organisation": organisation, "people": people}
    )
