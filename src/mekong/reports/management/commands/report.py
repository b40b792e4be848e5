"""``mekong report --framework ID --period CODE --language en|zh-hans|my --format pdf|xlsx
-o FILE``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from mekong.core.errors import DomainError
from mekong.reports import files
from mekong.reports.build import REPORT_LANGUAGES
from mekong.reports.selectors import report_period_get
from mekong.results.models import ResultsFramework


class Command(BaseCommand):
    help = "Write the progress report of a results framework for one period as PDF or XLSX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--framework", required=True, help="results framework id")
        parser.add_argument("--period", required=True, help="reporting period code, e.g. 2024")
        parser.add_argument("--language", default="en", help=", ".join(REPORT_LANGUAGES))
        parser.add_argument("--format", dest="file_format", default=None, help="pdf or xlsx")
        parser.add_argument("-o", "--output", type=Path, required=True, help="file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        raw_id = str(options["framework"])
        if not raw_id.isdigit():
            raise CommandError(
                _("--framework: “%(value)s” is not a framework id (a number).") % {"value": raw_id}
            )
        framework = (
            ResultsFramework.objects.select_related("project", "programme")
            .filter(id=int(raw_id))
            .first()
        )
        if framework is None:
            raise CommandError(
                _("--framework: there is no results framework %(id)s.") % {"id": raw_id}
            )
        output: Path = options["output"]
        file_format = options["file_format"] or output.suffix.lstrip(".").lower() or "pdf"
        try:
            period = report_period_get(framework=framework, code=options["period"])
            file = files.report_file(
                framework=framework,
                period=period,
                language=options["language"],
                file_format=file_format,
            )
        except DomainError as exc:
            prefix = f"--{exc.field}: " if exc.field else ""
            raise CommandError(prefix + exc.message) from exc
        try:
            output.write_bytes(file.content)
        except OSError as exc:
            raise CommandError(
                _("Cannot write %(path)s: %(reason)s") % {"path": output, "reason": exc.strerror}
            ) from exc
        self.stdout.write(
            _("Wrote %(path)s (%(size)s bytes).") % {"path": output, "size": len(file.content)}
        )
