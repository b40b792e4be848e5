"""Request guards that apply to every page and endpoint."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _


class RejectNulMiddleware:
    """Answer 400 to query parameters containing NUL: PostgreSQL cannot store or compare
    strings with NUL, and the ORM would raise a 500 deep inside a search."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return HttpResponseBadRequest(
                    _("Query parameter %(name)s contains a NUL character.")
                    % {"name": key.replace("\x00", "\\0")},
                    content_type="text/plain; charset=utf-8",
                )
        return self.get_response(request)
