"""Compile the gettext catalogues (.po → .mo) with polib, so no system gettext is needed.

Django's compilemessages calls GNU msgfmt, which a machine with only Python, make and npm
does not have. The compiled files are build output and are not committed.
"""

from __future__ import annotations

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "src" / "mekong" / "locale"


def main() -> int:
    count = 0
    for po_path in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        catalogue = polib.pofile(str(po_path))
        catalogue.save_as_mofile(str(mo_path))
        count += 1
    print(f"compiled {count} catalogue(s) in {LOCALE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
