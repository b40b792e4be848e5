"""The ``mekong`` console command: Django's management commands plus the platform's own.

    mekong migrate | runserver | demo --seed 1 | token create USER | measure ...

``mekong measure`` runs the measurement library's CLI without starting Django, so an
analyst can use it on a CSV or Parquet file with no database.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "measure":
        from mekong.measure.cli import main as measure_main

        return measure_main(args[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mekong.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["mekong", *args])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
