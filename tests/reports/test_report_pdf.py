"""The PDF in English, Chinese and Burmese: rendered to PNG and read back by OCR, its text
layer, and its fonts (the self-hosted Noto files, embedded)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mekong.reports import pdf as report_pdf_module
from mekong.reports.build import report_build
from mekong.reports.pdf import font_face_css, report_pdf
from tests.reports.pdf_tools import ocr, pdf_fonts, pdf_pages_png, pdf_text, squeeze
from tests.results.report_fixtures import (
    EN_SUMMARY,
    FRAMEWORK_MY,
    FRAMEWORK_ZH,
    MY_SUMMARY,
    ZH_CHALLENGES,
    ZH_SUMMARY,
    ReportWorld,
)

pytestmark = pytest.mark.slow


def _pdf(report_world: ReportWorld, language: str) -> bytes:
    rw = report_world.results
    report = report_build(framework=rw.project_framework, period=rw.p2024, language=language)
    return report_pdf(report)


def test_chinese_pdf_reads_back_in_chinese(report_world: ReportWorld, tmp_path: Path) -> None:
    content = _pdf(report_world, "zh-hans")
    assert content.startswith(b"%PDF-")
    text = squeeze(pdf_text(content))
    for expected in (ZH_SUMMARY, ZH_CHALLENGES, FRAMEWORK_ZH, "国家贫困线以下人口比例"):
        assert squeeze(expected) in text
    assert "999" not in text  # the 2023 draft
    fonts = pdf_fonts(content)
    assert fonts
    assert all(embedded for _name, embedded in fonts)
    assert all("Noto-Sans" in name for name, _embedded in fonts)
    assert any("Noto-Sans-SC" in name for name, _embedded in fonts)

    first_page = pdf_pages_png(content, tmp_path)[0]
    seen = squeeze(ocr(first_page, "chi_sim+eng"))
    assert "本期共培训农民一百二十人" in seen
    assert "贫困发生率下降到百分之二十五" in seen
    assert "国家贫困线以下人口比例" in seen


def test_burmese_pdf_is_shaped_and_reads_back_in_burmese(
    report_world: ReportWorld, tmp_path: Path
) -> None:
    content = _pdf(report_world, "my")
    fonts = pdf_fonts(content)
    assert fonts
    assert all(embedded for _name, embedded in fonts)
    assert any("Noto-Sans-Myanmar" in name for name, _embedded in fonts)
    # WeasyPrint's text layer maps a glyph shared by several Burmese clusters to the text of
    # whichever cluster used it first, so which words copy back right depends on the rest of
    # the page (docs/reports.md); OCR reads the drawn glyphs and so checks the shaping.

    first_page = pdf_pages_png(content, tmp_path)[0]
    seen = squeeze(ocr(first_page, "mya+eng"))
    assert squeeze(MY_SUMMARY).rstrip("။") in seen
    assert squeeze(FRAMEWORK_MY) in seen
    assert squeeze("အမျိုးသားဆင်းရဲမှုမျဉ်းအောက်ရှိ") in seen


def test_english_pdf_has_figures_and_charts(report_world: ReportWorld) -> None:
    content = _pdf(report_world, "en")
    text = pdf_text(content)
    assert EN_SUMMARY.split(" and ")[0] in " ".join(text.split())
    for expected in ("Myanmar villages results", "MM-G1", "125 %", "120 %", "On track"):
        assert expected in text
    assert "5.4 – 44.6" in text  # the 95 % CI of the 2024 headcount
    assert "999" not in text
    assert "888" not in text
    assert "Page 1 of" in text


def test_chinese_report_headings_are_translated(report_world: ReportWorld) -> None:
    """Needs tools/translations/results-reports.json applied to the catalogues."""
    text = squeeze(pdf_text(_pdf(report_world, "zh-hans")))
    for heading in ("进度报告", "指标概览", "成果与指标", "分类数据", "第1页，共2页"):
        assert heading in text


def test_burmese_report_headings_are_translated(report_world: ReportWorld, tmp_path: Path) -> None:
    """Needs tools/translations/results-reports.json applied to the catalogues. Read by OCR:
    the text layer of Burmese is not reliable (see above)."""
    first_page = pdf_pages_png(_pdf(report_world, "my"), tmp_path)[0]
    seen = squeeze(ocr(first_page, "mya+eng"))
    for heading in ("တိုးတက်မှု အစီရင်ခံစာ", "ညွှန်ကိန်းများ အကျဉ်း", "အကျဉ်းချုပ်"):
        assert squeeze(heading) in seen


def test_font_faces_are_only_those_the_text_needs() -> None:
    css, families = font_face_css("Abc 中文")
    assert "Noto Sans Myanmar" not in css
    assert families[0].startswith("Noto Sans ")
    assert any("SC" in f for f in families)
    assert "file://" in css
    assert "http" not in css.replace("file://", "")
    # Noto Sans SC comes in ~100 files; only the one or two covering 中 and 文 are loaded.
    assert css.count("Noto Sans SC") <= 4


def test_rendering_never_fetches_from_the_network() -> None:
    fetcher = report_pdf_module._local_fetcher()
    with pytest.raises(ValueError, match="refusing"):
        fetcher.fetch("https://fonts.googleapis.com/css2?family=Noto+Sans")
    with pytest.raises(ValueError, match="refusing"):
        fetcher.fetch("file:///etc/passwd")
