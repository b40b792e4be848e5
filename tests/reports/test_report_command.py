"""``mekong report`` writes the file; its errors name the option that is wrong."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tests.reports.pdf_tools import pdf_text, squeeze
from tests.results.report_fixtures import ZH_SUMMARY, ReportWorld


@pytest.mark.slow
def test_report_command_writes_a_chinese_pdf(report_world: ReportWorld, tmp_path: Path) -> None:
    framework = report_world.results.project_framework
    target = tmp_path / "report.pdf"
    out = StringIO()
    call_command(
        "report",
        "--framework",
        str(framework.id),
        "--period",
        "2024",
        "--language",
        "zh-hans",
        "--format",
        "pdf",
        "-o",
        str(target),
        stdout=out,
    )
    content = target.read_bytes()
    assert content.startswith(b"%PDF-")
    assert squeeze(ZH_SUMMARY) in squeeze(pdf_text(content))
    assert str(target) in out.getvalue()


def test_report_command_takes_the_format_from_the_file_name(
    report_world: ReportWorld, tmp_path: Path
) -> None:
    framework = report_world.results.project_framework
    target = tmp_path / "report.xlsx"
    call_command("report", "--framework", str(framework.id), "--period", "2024", "-o", str(target))
    assert load_workbook(target).sheetnames[0] == "Summary"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--framework", "abc", "--period", "2024"], "--framework: “abc” is not a framework id"),
        (["--framework", "9999", "--period", "2024"], "--framework: there is no results framework"),
        (["--period", "2031"], "--period: The framework “Myanmar villages results” has no"),
        (["--period", "2024", "--language", "fr"], "--language: Reports are written in"),
        (["--period", "2024", "--format", "docx"], "--format: Reports come as pdf, xlsx"),
    ],
)
def test_report_command_errors_name_the_option(
    report_world: ReportWorld, tmp_path: Path, arguments: list[str], message: str
) -> None:
    framework = report_world.results.project_framework
    if "--framework" not in arguments:
        arguments = ["--framework", str(framework.id), *arguments]
    with pytest.raises(CommandError) as raised:
        call_command("report", *arguments, "-o", str(tmp_path / "out.pdf"))
    assert str(raised.value).startswith(message)
