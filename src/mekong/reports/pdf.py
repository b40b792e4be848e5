"""Render a report as PDF with WeasyPrint.

Fonts are the self-hosted Noto files of ``web/static/vendor/fonts`` (``make assets``), given
to WeasyPrint as ``file://`` URLs; the URL fetcher refuses everything else, so rendering
never reaches the network. Pango shapes the text with HarfBuzz, which is what Burmese needs.

The vendored CSS splits each family into many files by ``unicode-range`` (Noto Sans SC
alone has about a hundred); WeasyPrint loads every ``@font-face`` it is given, so only the
faces whose range covers a character of the document are passed on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from mekong.core.errors import Conflict
from mekong.reports import charts
from mekong.reports.build import Report, language_name

VENDOR_FONTS = Path(__file__).resolve().parent.parent / "web" / "static" / "vendor" / "fonts"
STYLESHEET = Path(__file__).resolve().parent / "templates" / "reports" / "report.css"
FAMILIES = ("Noto Sans", "Noto Sans SC", "Noto Sans Myanmar")
LATIN_SUBSETS = ("latin", "latin-ext", "cyrillic", "cyrillic-ext", "greek", "vietnamese")
FACE = re.compile(r"@font-face\s*{(?P<body>[^}]*)}", re.S)
DESCRIPTOR = re.compile(r"(?P<name>[a-z-]+)\s*:\s*(?P<value>[^;]+);")
FILE_URL = re.compile(r"url\(\./files/(?P<name>[^)]+)\)")
RANGE = re.compile(r"U\+(?P<start>[0-9A-Fa-f]+)(?:-(?P<end>[0-9A-Fa-f]+))?")


class FontsMissing(Conflict):
    """The vendored fonts are not installed (run ``make assets``)."""


@lru_cache(maxsize=1)
def _faces() -> tuple[tuple[str, str, str, tuple[tuple[int, int], ...]], ...]:
    """(family, weight, file URI, ranges) of every vendored face of the report's families."""
    css_path = VENDOR_FONTS / "fonts.css"
    if not css_path.exists():
        raise FontsMissing(
            _("The report fonts are missing from %(path)s: run “make assets”.")
            % {"path": VENDOR_FONTS}
        )
    faces = []
    for match in FACE.finditer(css_path.read_text(encoding="utf-8")):
        descriptors = {d["name"]: d["value"].strip() for d in DESCRIPTOR.finditer(match["body"])}
        family = descriptors.get("font-family", "").strip("'\"")
        found = FILE_URL.search(descriptors.get("src", ""))
        if family not in FAMILIES or found is None:
            continue
        # Latin, Greek, Cyrillic and Vietnamese come from Noto Sans; the script families'
        # copies of them would only be loaded and never used.
        if family != FAMILIES[0] and any(f"-{s}-" in found["name"] for s in LATIN_SUBSETS):
            continue
        ranges = tuple(
            (int(r["start"], 16), int(r["end"] or r["start"], 16))
            for r in RANGE.finditer(descriptors.get("unicode-range", "U+0-10FFFF"))
        )
        uri = (VENDOR_FONTS / "files" / found["name"]).as_uri()
        faces.append((family, descriptors.get("font-weight", "400"), uri, ranges))
    return tuple(faces)


def font_face_css(text: str) -> tuple[str, list[str]]:
    """``@font-face`` rules for the faces that cover at least one character of ``text``, and
    the font-family list that uses them.

    Each vendored file gets its own family name ("Noto Sans SC 57"): WeasyPrint tells the
    fonts it embeds apart by family, weight and style only, so files sharing a family would
    be embedded as one and draw the wrong glyphs.
    """
    used = {ord(c) for c in text if not c.isspace()} | {ord(" ")}
    rules = []
    families: list[str] = []
    names: dict[tuple[str, tuple[tuple[int, int], ...]], str] = {}
    for family, weight, uri, ranges in _faces():
        if not any(start <= code <= end for code in used for start, end in ranges):
            continue
        key = (family, ranges)
        if key not in names:
            names[key] = f"{family} {sum(1 for k in names if k[0] == family) + 1}"
            families.append(names[key])
        unicode_range = ",".join(
            f"U+{start:X}" if start == end else f"U+{start:X}-{end:X}" for start, end in ranges
        )
        rules.append(
            f"@font-face {{ font-family: '{names[key]}'; font-weight: {weight}; "
            f"src: url({uri}); unicode-range: {unicode_range}; }}"
        )
    # Latin first, then Chinese, then Burmese, as FAMILIES lists them.
    families.sort(key=lambda name: FAMILIES.index(name.rsplit(" ", 1)[0]))
    return "\n".join(rules), families


def page_counter_content(text: str) -> str:
    """CSS ``content`` for a translated "Page %(page)s of %(pages)s", in whatever order the
    language puts the two numbers."""
    parts = []
    for piece in re.split(r"(%\((?:page|pages)\)s)", text):
        if piece == "%(page)s":
            parts.append("counter(page)")
        elif piece == "%(pages)s":
            parts.append("counter(pages)")
        elif piece:
            parts.append('"' + piece.replace("\\", "").replace('"', "") + '"')
    return " ".join(parts)


def _local_fetcher() -> Any:
    """A WeasyPrint URL fetcher that reads only the font files, never the network."""
    from weasyprint.urls import URLFetcher

    allowed = VENDOR_FONTS.as_uri() + "/"

    class LocalFontFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith(allowed):
                raise ValueError(f"refusing to fetch {url}: reports read only their fonts")
            return super().fetch(url, headers)

    return LocalFontFetcher(allowed_protocols=("file",))


def report_html(report: Report) -> str:
    with translation.override(report.language):
        return render_to_string(
            "reports/report.html",
            {
                "report": report,
                "language_name": language_name(report.language),
                "LANGUAGE_CODE": report.language,
            },
        )


def _characters(parts: Iterable[str]) -> str:
    return "".join(parts)


def report_pdf(report: Report) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    html = report_html(report)
    # Generated text (page numbers, headings in CSS) comes from the template too.
    stylesheet = STYLESHEET.read_text(encoding="utf-8")
    with translation.override(report.language):
        page_word = _("Page %(page)s of %(pages)s")
    fonts = FontConfiguration()
    faces, families = font_face_css(_characters([html, page_word, "0123456789–·%"]))
    family_list = ", ".join(f"'{name}'" for name in families)
    faces += f"\nhtml, body {{ font-family: {family_list}, sans-serif; }}"
    # Inline SVG takes its font from the attribute the charts write.
    html = html.replace(f'font-family="{charts.FONT}"', f'font-family="{family_list}, sans-serif"')
    page_css = f"@page {{ @bottom-right {{ content: {page_counter_content(page_word)}; }} }}"
    fetcher = _local_fetcher()
    document = HTML(string=html, base_url=VENDOR_FONTS.as_uri() + "/", url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(
        stylesheets=[
            CSS(string=faces, font_config=fonts, url_fetcher=fetcher),
            CSS(string=stylesheet + page_css, font_config=fonts, url_fetcher=fetcher),
        ],
        font_config=fonts,
    )
    return pdf
