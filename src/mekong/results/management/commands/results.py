"""``mekong results refresh [--framework ID]``: recompute computed and roll-up indicator values
in unlocked periods and the dashboards' precomputed series."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from mekong.core.errors import DomainError
from mekong.results.compute import RefreshReport, refresh_all, refresh_framework
from mekong.results.models import ResultsFramework


def _print_reports(console: Console, reports: list[RefreshReport]) -> None:
    table = Table(title=_("Results refresh"))
    headings = (
        _("framework"),
        _("indicators"),
        _("open periods"),
        _("locked periods"),
        _("created"),
        _("updated"),
        _("unchanged"),
        _("removed"),
        _("without a value"),
        _("analyses"),
        _("seconds"),
    )
    for number, heading in enumerate(headings):
        table.add_column(heading, justify="left" if number == 0 else "right")
    for r in reports:
        table.add_row(
            f"{r.framework_id} {r.title}",
            *(
                str(n)
                for n in (
                    r.indicators,
                    r.periods,
                    r.locked_periods,
                    r.created,
                    r.updated,
                    r.unchanged,
                    r.deleted,
                    r.unavailable,
                    r.analyses,
                )
            ),
            f"{r.seconds:.1f}",
        )
    console.print(table)
    problems = [(r.title, p) for r in reports for p in r.problems]
    if problems:
        listing = Table(title=_("Totals that could not be computed (%(n)s)") % {"n": len(problems)})
        listing.add_column(_("framework"))
        listing.add_column(_("indicator, period: why"))
        for title, problem in problems:
            listing.add_row(title, problem)
        console.print(listing)


class Command(BaseCommand):
    help = "Recompute computed and rolled-up indicator values and dashboard series."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        refresh = sub.add_parser(
            "refresh", help="recompute values in unlocked periods (all frameworks by default)"
        )
        refresh.add_argument("--framework", type=int, help="ID of one results framework")

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(width=max(Console().width, 120))
        labels = {
            "load": _("Loading the register"),
            "compute": _("Computing"),
            "analyses": _("Dashboard series"),
            "write": _("Writing"),
        }
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress:
            tasks: dict[str, TaskID] = {}

            def step(phase: str, done: int, total: int) -> None:
                if phase not in tasks:
                    tasks[phase] = progress.add_task(labels.get(phase, phase), total=total)
                progress.update(tasks[phase], completed=done, total=max(total, 1))

            try:
                if options["framework"] is not None:
                    framework = ResultsFramework.objects.filter(id=options["framework"]).first()
                    if framework is None:
                        raise CommandError(
                            _("No results framework %(id)s.") % {"id": options["framework"]}
                        )
                    reports = [refresh_framework(framework, progress=step)]
                else:
                    reports = refresh_all(progress=step)
            except DomainError as exc:
                raise CommandError(exc.message) from exc
        _print_reports(console, reports)
