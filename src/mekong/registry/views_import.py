"""The web import page: upload a register file, dry-run it to see every error, then import.

The page lists the first errors; every error comes as a CSV file from the same upload (a
dry run whose answer is the file). Nothing of the upload is kept between requests: the
register file is never stored, so neither is its error list.
"""

from __future__ import annotations

import csv
import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from mekong.core.errors import DomainError, PermissionDenied
from mekong.partners.access import country_ids_in_scope
from mekong.partners.models import User
from mekong.registry.imports import (
    ImportReport,
    RowError,
    households_import,
    load_mapping,
    require_can_import,
)
from mekong.registry.models import SurveyRound

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
    survey_round = forms.ModelChoiceField(
        label=gettext_lazy("Survey round (optional)"),
        queryset=SurveyRound.objects.none(),
        required=False,
        help_text=gettext_lazy(
            "Needed when the file has observation columns (income, housing, health …)."
        ),
    )

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        rounds = SurveyRound.objects.select_related("country").order_by("-started_on", "code")
        ids = country_ids_in_scope(user)
        if ids is not None:
            rounds = rounds.filter(country_id__in=ids)
        self.fields["survey_round"].queryset = rounds  # type: ignore[attr-defined]


# Cells a spreadsheet would run as a formula; the CSV quotes them as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def errors_csv(errors: list[RowError], *, file_name: str) -> HttpResponse:
    """Every error of an import as CSV: row, column, value (personal values masked), reason."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["row", "column", "value", "reason"])
    for error in errors:
        writer.writerow([error.row, error.column, _cell(error.value), error.reason])
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode(), content_type="text/csv; charset=utf-8"
    )
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in file_name.rsplit(".", 1)[0])
    response["Content-Disposition"] = f'attachment; filename="{stem[:80] or "import"}-errors.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def household_import(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # login_required
    try:
        require_can_import(user)
    except PermissionDenied as exc:
        return render(request, "web/forbidden.html", {"message": exc.message}, status=403)
    form = ImportForm(request.POST or None, request.FILES or None, user=user)
    report: ImportReport | None = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        action = request.POST.get("action")
        dry_run = action != "import"
        try:
            mapping_file = form.cleaned_data["mapping"]
            mapping = load_mapping(mapping_file.read()) if mapping_file else None
            report = households_import(
                user=user,
                data=upload.read(),
                file_name=upload.name or "upload",
                mapping=mapping,
                dry_run=dry_run,
                survey_round=form.cleaned_data["survey_round"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            if action == "errors_csv" and report.errors:
                return errors_csv(report.errors, file_name=report.file_name)
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
