"""The HTTP API: one NinjaAPI, routers from each app, one place mapping errors to statuses."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer, django_auth

from mekong import __version__
from mekong.core.errors import DomainError
from mekong.partners.models import User
from mekong.partners.selectors import user_for_token


class BearerToken(HttpBearer):
    """``Authorization: Bearer mkb_…`` issued by ``mekong token create``."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Mekong Bridge API",
    version=__version__,
    description=(
        "Read and change the data of the Mekong Bridge platform within your scope. "
        "Authenticate with a bearer token (`mekong token create USERNAME`) or a signed-in "
        "browser session. Records outside your scope answer 404 when read and 403 when written; "
        "invalid input answers 422 with the field and the reason."
    ),
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
)


def _field_of(location: Any) -> str:
    parts = [str(p) for p in location if p not in ("body", "query", "path", "payload")]
    return ".".join(parts) or "body"


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"field": _field_of(e.get("loc", ())), "message": e.get("msg", "")} for e in exc.errors
    ]
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return api.create_response(
        request,
        {"detail": _("Invalid input — %(summary)s") % {"summary": summary}, "errors": errors},
        status=422,
    )


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    body: dict[str, Any] = {"detail": exc.message}
    if exc.field:
        body["errors"] = [{"field": exc.field, "message": exc.message}]
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": _("Sign in, or send a valid token as “Authorization: Bearer <token>”.")},
        status=401,
    )


def _register_routers() -> None:
    from mekong.geo.api import router as geo_router
    from mekong.partners.api import router as partners_router
    from mekong.projects.api import router as projects_router
    from mekong.registry.api import router as registry_router
    from mekong.registry.api_exits import router as exits_router
    from mekong.reports.api import router as reports_router
    from mekong.results.api import router as results_router
    from mekong.results.api_dashboard import router as dashboards_router

    api.add_router("/", geo_router)
    api.add_router("/", partners_router)
    api.add_router("/", projects_router)
    api.add_router("/", registry_router)
    api.add_router("/", exits_router)
    api.add_router("/reports/", reports_router)
    api.add_router("/results", results_router)
    api.add_router("/dashboards/", dashboards_router)


_register_routers()
