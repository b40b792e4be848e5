"""Read back a rendered PDF: text layer and embedded fonts (pypdfium2), page images and OCR
(tesseract, Debian's tesseract-ocr with the chi_sim and mya languages)."""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from tests.conftest import IN_CI


def pdf_text(content: bytes) -> str:
    document = pdfium.PdfDocument(content)
    try:
        return "\n".join(
            document[index].get_textpage().get_text_range() for index in range(len(document))
        )
    finally:
        document.close()


def pdf_fonts(content: bytes) -> set[tuple[str, bool]]:
    """(base font name, embedded) of every font used by a text object."""
    document = pdfium.PdfDocument(content)
    found: set[tuple[str, bool]] = set()
    try:
        for index in range(len(document)):
            for obj in document[index].get_objects(
                filter=[pdfium_c.FPDF_PAGEOBJ_TEXT], max_depth=5
            ):
                font = pdfium_c.FPDFTextObj_GetFont(obj.raw)
                size = pdfium_c.FPDFFont_GetBaseFontName(font, None, 0)
                buffer = ctypes.create_string_buffer(size)
                pdfium_c.FPDFFont_GetBaseFontName(font, buffer, size)
                found.add((buffer.value.decode(), bool(pdfium_c.FPDFFont_GetIsEmbedded(font))))
    finally:
        document.close()
    return found


def pdf_pages_png(content: bytes, folder: Path, *, dpi: int = 300) -> list[Path]:
    document = pdfium.PdfDocument(content)
    paths = []
    try:
        for index in range(len(document)):
            path = folder / f"page-{index + 1}.png"
            document[index].render(scale=dpi / 72).to_pil().convert("L").save(path)
            paths.append(path)
    finally:
        document.close()
    return paths


def ocr(image: Path, languages: str) -> str:
    """Tesseract's reading of ``image``; skipped locally without tesseract, failed in CI."""
    if shutil.which("tesseract") is None:
        message = "tesseract is not installed (apt-get install tesseract-ocr-chi-sim -mya)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    done = subprocess.run(
        # Sparse-text segmentation: full-page layout analysis (psm 3) loses Burmese lines
        # between tables; psm 11 reads every line at 200 to 400 dpi.
        ["tesseract", str(image), "stdout", "-l", languages, "--psm", "11"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return done.stdout


def squeeze(text: str) -> str:
    """Text without whitespace: OCR and PDF text layers break lines and space CJK freely."""
    return "".join(text.split())
