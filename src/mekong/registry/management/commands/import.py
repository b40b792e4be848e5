"""``mekong import households FILE [--mapping M.json] [--dry-run] [--round CODE] [--user U]``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from mekong.core.errors import DomainError
from mekong.partners.models import User
from mekong.registry.imports import ImportReport, Phase, households_import, load_mapping
from mekong.registry.models import SurveyRound


def _print_report(console: Console, report: ImportReport) -> None:
    counts = Table(title=_("Import of %(name)s") % {"name": report.file_name})
    for heading in (_("records"), _("created"), _("updated"), _("unchanged")):
        counts.add_column(heading, justify="right" if heading != _("records") else "left")
    for what, created, updated, unchanged in report.counts():
        counts.add_row(what, str(created), str(updated), str(unchanged))
    console.print(counts)
    if report.duplicates:
        table = Table(title=_("Likely duplicates (%(n)s)") % {"n": len(report.duplicates)})
        for heading in (_("row"), _("member"), _("likely the same as"), _("why")):
            table.add_column(heading)
        for warning in report.duplicates:
            other = warning.other_member_id
            if warning.other_row is not None:
                other = _("%(id)s (row %(row)s)") % {"id": other, "row": warning.other_row}
            table.add_row(str(warning.row), warning.member_id, other, warning.reason)
        console.print(table)
    if report.errors:
        table = Table(title=_("Errors (%(n)s)") % {"n": len(report.errors)})
        for heading in (_("row"), _("column"), _("value"), _("reason")):
            table.add_column(heading)
        for error in report.errors:
            table.add_row(str(error.row), error.column, error.value, error.reason)
        console.print(table)


class Command(BaseCommand):
    help = "Import households and members from a CSV, XLSX or Parquet file (docs/import.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["households"], help="what the file holds")
        parser.add_argument("file", type=Path, help="a .csv, .xlsx or .parquet file")
        parser.add_argument("--mapping", type=Path, help="JSON: target column → file column")
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and count, write nothing"
        )
        parser.add_argument("--round", dest="round_code", help="code of the survey round")
        parser.add_argument(
            "--user",
            help="import as this user (their scope and name in the history); "
            "without it the import runs as the system",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(width=max(Console().width, 120))
        path: Path = options["file"]
        try:
            data = path.read_bytes()
            mapping = load_mapping(options["mapping"].read_bytes()) if options["mapping"] else None
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(path)s: %(reason)s")
                % {"path": exc.filename, "reason": exc.strerror}
            ) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(_("No user is called “%(name)s”.") % {"name": options["user"]})
        survey_round = None
        if options["round_code"]:
            survey_round = SurveyRound.objects.filter(code=options["round_code"]).first()
            if survey_round is None:
                raise CommandError(
                    _("No survey round has the code “%(code)s”.") % {"code": options["round_code"]}
                )

        labels: dict[Phase, str] = {
            "read": _("Reading"),
            "validate": _("Validating"),
            "write": _("Writing"),
        }
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as progress:
            tasks: dict[Phase, TaskID] = {
                phase: progress.add_task(label, total=1) for phase, label in labels.items()
            }

            def step(phase: Phase, done: int, total: int) -> None:
                progress.update(tasks[phase], completed=done, total=max(total, 1))

            try:
                report = households_import(
                    user=user,
                    data=data,
                    file_name=path.name,
                    mapping=mapping,
                    dry_run=options["dry_run"],
                    survey_round=survey_round,
                    progress=step,
                )
            except DomainError as exc:
                raise CommandError(exc.message) from exc
            if not report.written:
                progress.update(tasks["write"], completed=0, total=1)
        _print_report(console, report)
        if report.errors:
            raise CommandError(
                _("%(n)s errors; nothing was written. Correct the file and import it again.")
                % {"n": len(report.errors)}
            )
        if report.dry_run:
            console.print(_("Dry run: the file is valid; nothing was written."))
        else:
            console.print(_("Imported (batch %(id)s).") % {"id": report.batch_id})
