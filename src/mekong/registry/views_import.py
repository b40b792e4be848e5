"""The web import page: upload a register file, dry-run it to see every error, then import."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from mekong.core.errors import DomainError, PermissionDenied
from mekong.partners.models import User
from mekong.registry.imports import (
    ImportReport,
    households_import,
    load_mapping,
    require_can_import,
)

# A page cannot usefully show more; the command line lists every error of a larger file.
MAX_ERRORS_SHOWN = 2000


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Register file"),
        help_text=gettext_lazy("CSV (UTF-8), XLSX or Parquet; one row per member."),
    )
    mapping = forms.FileField(
        label=gettext_lazy("Column mapping (optional)"),
        required=False,
        help_text=gettext_lazy("JSON: our column name → the column name in your file."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_import(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # login_required
    try:
        require_can_import(user)
    except PermissionDenied as exc:
        return render(request, "web/forbidden.html", {"message": exc.message}, status=403)
    form = ImportForm(request.POST or None, request.FILES or None)
    report: ImportReport | None = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        dry_run = request.POST.get("action") != "import"
        try:
            mapping_file = form.cleaned_data["mapping"]
            mapping = load_mapping(mapping_file.read()) if mapping_file else None
            report = households_import(
                user=user,
                data=upload.read(),
                file_name=upload.name or "upload",
                mapping=mapping,
                dry_run=dry_run,
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            if report.written:
                messages.success(request, _("Imported. The register now holds the file's rows."))
    return render(
        request,
        "registry/import.html",
        {
            "form": form,
            "report": report,
            "errors_shown": report.errors[:MAX_ERRORS_SHOWN] if report else [],
            "errors_hidden": max(len(report.errors) - MAX_ERRORS_SHOWN, 0) if report else 0,
        },
    )
