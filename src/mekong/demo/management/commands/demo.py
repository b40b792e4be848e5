from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from rich.console import Console
from rich.table import Table

from mekong.demo.generator import build_demo, demo_logins
from mekong.geo.models import Country


class Command(BaseCommand):
    help = "Build the synthetic demo programme (clearly labelled synthetic) in an empty database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--households-per-village",
            type=int,
            default=None,
            help="cap the synthetic households per demonstration village (default: all)",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (but print the logins) when the database already has data",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console()
        if Country.objects.exists():
            if not options["if_empty"]:
                raise CommandError(
                    _(
                        "The database already has data; the demo only fills an empty one. "
                        "Use --if-empty to keep it, or delete var/mekong.sqlite3 to start over."
                    )
                )
            console.print(_("Demo data already present; reusing it."))
        else:
            with console.status(_("Building the synthetic programme…")):
                summary = build_demo(
                    seed=options["seed"],
                    households_per_village=options["households_per_village"],
                )
            console.print(
                _(
                    "Synthetic programme built (seed %(seed)s): %(countries)s countries, "
                    "%(areas)s administrative areas, %(villages)s villages, "
                    "%(orgs)s organisations, %(people)s people, %(projects)s projects, "
                    "%(households)s households, %(exits)s exit cases."
                )
                % {
                    "seed": options["seed"],
                    "countries": summary.countries,
                    "areas": summary.admin_areas,
                    "villages": summary.villages,
                    "orgs": summary.organisations,
                    "people": summary.people,
                    "projects": summary.projects,
                    "households": summary.households,
                    "exits": summary.exit_cases,
                }
            )
        table = Table(title=_("Demo logins (synthetic accounts)"))
        table.add_column(_("username"))
        table.add_column(_("password"))
        table.add_column(_("persona"))
        for row in demo_logins():
            table.add_row(row["username"], row["password"], row["who"])
        console.print(table)
