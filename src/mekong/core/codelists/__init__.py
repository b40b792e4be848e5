"""Official code lists shipped with the platform (IATI 2.03 copies, CC BY 4.0)."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # trusted files shipped in this package, not user input
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent


@cache
def codelist(name: str) -> dict[str, str]:
    """Active codes of a codelist mapped to their English names, e.g. ``codelist("Currency")``."""
    root = ET.parse(HERE / f"{name}.xml").getroot()
    codes: dict[str, str] = {}
    for item in root.iter("codelist-item"):
        if item.get("status", "active") != "active":
            continue
        code = item.findtext("code", "").strip()
        narrative = item.find("name/narrative")
        codes[code] = (narrative.text or "").strip() if narrative is not None else code
    return codes


def currency_codes() -> dict[str, str]:
    return codelist("Currency")


def sector_codes() -> dict[str, str]:
    return codelist("Sector")
