"""Request guards that apply to every page and endpoint."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _nul_path(data: Any, path: tuple[str, ...] = ()) -> str | None:
    """The dotted path of the first key or string in ``data`` containing NUL, if any."""
    if isinstance(data, str):
        if "\x00" not in data:
            return None
        return ".".join(path) or "body"
    if isinstance(data, dict):
        for key, item in data.items():
            if "\x00" in str(key):
                return ".".join((*path, str(key).replace("\x00", "\\0")))
            found = _nul_path(item, (*path, str(key)))
            if found is not None:
                return found
    if isinstance(data, list):
        for index, item in enumerate(data):
            found = _nul_path(item, (*path, str(index)))
            if found is not None:
                return found
    return None


class RejectNulMiddleware:
    """Answer 400 to query parameters, form fields and JSON bodies containing NUL:
    PostgreSQL cannot store or compare strings with NUL, and the ORM would raise a 500 deep
    inside a search or a save. (Uploaded files may hold NUL; they are not looked at.)"""

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
        if request.method in ("POST", "PUT", "PATCH"):
            content_type = request.content_type or ""
            if content_type == "application/json":
                refused = self._json_body(request)
                if refused is not None:
                    return refused
            elif content_type in _FORM_TYPES and request.method == "POST":
                for key, values in request.POST.lists():
                    if "\x00" in key or any("\x00" in value for value in values):
                        return HttpResponseBadRequest(
                            _("Field %(name)s contains a NUL character.")
                            % {"name": key.replace("\x00", "\\0")},
                            content_type="text/plain; charset=utf-8",
                        )
        return self.get_response(request)

    @staticmethod
    def _json_body(request: HttpRequest) -> HttpResponse | None:
        body = request.body
        if b"\\u0000" not in body and b"\x00" not in body:
            return None
        try:
            field = _nul_path(json.loads(body))
        except ValueError:
            field = "body" if b"\x00" in body else None
        if field is None:
            return None
        message = _("%(field)s: contains a NUL character.") % {"field": field}
        return JsonResponse(
            {"detail": message, "errors": [{"field": field, "message": message}]}, status=400
        )
