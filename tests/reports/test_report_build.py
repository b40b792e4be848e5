"""What a progress report holds, per language; progress against target by direction."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mekong.core.errors import InvalidInput
from mekong.reports.build import progress, report_build
from mekong.reports.selectors import reportable_values
from mekong.results.models import IndicatorValue, ValueStatus
from tests.results.report_fixtures import (
    DRAFT_VALUE,
    EN_CHALLENGES,
    EN_SUMMARY,
    FRAMEWORK_MY,
    FRAMEWORK_ZH,
    MY_CHALLENGES,
    MY_SUMMARY,
    SUBMITTED_VALUE,
    ZH_CHALLENGES,
    ZH_SUMMARY,
    ReportWorld,
)


def test_only_approved_and_computed_values_are_reportable(report_world: ReportWorld) -> None:
    rw = report_world.results
    statuses = {v.status for v in reportable_values(framework=rw.project_framework)}
    assert statuses == {ValueStatus.APPROVED, ValueStatus.COMPUTED}
    every = set(IndicatorValue.objects.values_list("status", flat=True))
    assert {ValueStatus.DRAFT, ValueStatus.SUBMITTED} <= every


@pytest.mark.parametrize("status", ["draft", "submitted", "verified", "rejected"])
def test_a_value_not_yet_approved_never_reaches_a_report(
    report_world: ReportWorld, status: str
) -> None:
    rw = report_world.results
    IndicatorValue.objects.filter(
        indicator=rw.trained, period=rw.p2024, disaggregation_key=""
    ).update(status=status)
    report = report_build(framework=rw.project_framework, period=rw.p2024, language="en")
    trained = next(line for line in report.indicators if line.code == "MM-P1")
    assert trained.actual is None
    assert trained.missing_reason == "No approved or computed value for this period."


def test_english_report_holds_figures_progress_and_narratives(report_world: ReportWorld) -> None:
    rw = report_world.results
    report = report_build(framework=rw.project_framework, period=rw.p2024, language="en")
    assert report.title == "Myanmar villages results"
    assert (report.owner_code, report.owner_title) == ("MM-01", "Myanmar villages")
    assert report.countries == ["Myanmar"]
    assert [(r.code, r.level, r.depth) for r in report.results] == [
        ("1", "goal", 0),
        ("1.1", "outcome", 1),
        ("1.1.1", "output", 2),
    ]
    headcount, trained = report.indicators
    assert (headcount.baseline, headcount.target, headcount.actual) == (
        Decimal("50"),
        Decimal("30"),
        Decimal("25"),
    )
    assert (headcount.ci_low, headcount.ci_high) == (5.4, 44.6)
    assert headcount.percent_of_target == Decimal("125")  # (25 − 50) / (30 − 50)
    assert headcount.track == "on"
    assert headcount.percent_text == "125 %"
    assert headcount.ci_text == "5.4 – 44.6"
    assert (trained.target, trained.actual, trained.percent_of_target) == (
        Decimal("100"),
        Decimal("120"),
        Decimal("120"),
    )
    # 2023 in the line chart: the headcount's value, the training draft left out.
    assert [(p.code, p.value) for p in headcount.history] == [
        ("2023", Decimal("50")),
        ("2024", Decimal("25")),
    ]
    assert [(p.code, p.value) for p in trained.history] == [
        ("2023", None),
        ("2024", Decimal("120")),
    ]
    assert "<svg" in headcount.bar_chart
    assert "<svg" in headcount.line_chart
    assert str(DRAFT_VALUE) not in trained.line_chart
    tables = {(t.indicator_code, t.dimensions): t for t in report.disaggregations}
    assert [(r.label, r.value) for r in tables[("MM-P1", "Sex")].rows] == [
        ("Female", Decimal("70")),
        ("Male", Decimal("50")),
    ]
    assert [(r.label, r.value) for r in tables[("MM-G1", "Village")].rows] == [
        ("Min Pyin", Decimal("25"))
    ]
    assert all(str(SUBMITTED_VALUE) not in str(r.value) for t in tables.values() for r in t.rows)
    narratives = {b.section: b.paragraphs for b in report.narratives}
    assert narratives == {"summary": [EN_SUMMARY], "challenges": [EN_CHALLENGES]}


@pytest.mark.parametrize(
    ("language", "title", "summary", "challenges", "indicator"),
    [
        ("zh-hans", FRAMEWORK_ZH, ZH_SUMMARY, ZH_CHALLENGES, "国家贫困线以下人口比例"),
        ("my", FRAMEWORK_MY, MY_SUMMARY, MY_CHALLENGES, "အမျိုးသားဆင်းရဲမှုမျဉ်းအောက်ရှိ လူဦးရေ"),
    ],
)
def test_report_in_chinese_and_burmese(
    report_world: ReportWorld,
    language: str,
    title: str,
    summary: str,
    challenges: str,
    indicator: str,
) -> None:
    rw = report_world.results
    report = report_build(framework=rw.project_framework, period=rw.p2024, language=language)
    assert report.title == title
    assert report.indicators[0].name == indicator
    # No translation given: the English name stands.
    assert report.indicators[1].name == "Persons trained in production practices"
    narratives = {b.section: (b.paragraphs, b.fallback) for b in report.narratives}
    assert narratives == {"summary": ([summary], False), "challenges": ([challenges], False)}


def test_missing_narrative_falls_back_to_english(report_world: ReportWorld) -> None:
    rw = report_world.results
    rw.project_framework.narratives.filter(language="my", section="challenges").delete()
    report = report_build(framework=rw.project_framework, period=rw.p2024, language="my")
    challenges = next(b for b in report.narratives if b.section == "challenges")
    assert (challenges.paragraphs, challenges.fallback) == ([EN_CHALLENGES], True)


def test_programme_report_shows_rolled_up_values(report_world: ReportWorld) -> None:
    rw = report_world.results
    period = rw.programme_framework.periods.get(code="2024")
    report = report_build(framework=rw.programme_framework, period=period, language="en")
    assert report.owner_code == "EA-PILOT"
    assert sorted(report.countries) == ["Lao PDR", "Myanmar"]
    assert [(line.code, line.actual) for line in report.indicators] == [
        ("PG-1", Decimal("25")),
        ("PG-2", Decimal("120")),
    ]


def test_unknown_language_is_refused_by_name(report_world: ReportWorld) -> None:
    rw = report_world.results
    with pytest.raises(InvalidInput) as raised:
        report_build(framework=rw.project_framework, period=rw.p2024, language="fr")
    assert raised.value.field == "language"
    assert "fr" in raised.value.message


@pytest.mark.parametrize(
    ("actual", "target", "baseline", "direction", "percent", "track"),
    [
        ("120", "100", None, "increase", "120", "on"),
        ("80", "100", None, "increase", "80", "off"),
        ("60", "100", "40", "increase", "33.33", "off"),  # (60 − 40) / (100 − 40)
        ("25", "30", "50", "decrease", "125", "on"),
        ("40", "30", None, "decrease", "75", "off"),  # 30 / 40
        ("98", "100", None, "maintain", "98", "on"),  # within 5 %
        ("90", "100", None, "maintain", "90", "off"),
    ],
)
def test_progress_against_target_follows_direction(
    actual: str, target: str, baseline: str | None, direction: str, percent: str, track: str
) -> None:
    got, on = progress(
        actual=Decimal(actual),
        target=Decimal(target),
        baseline=None if baseline is None else Decimal(baseline),
        direction=direction,
    )
    assert got is not None
    assert round(got, 2) == Decimal(percent)
    assert on == track


def test_progress_unknown_without_target() -> None:
    assert progress(actual=Decimal(1), target=None, baseline=None, direction="increase") == (
        None,
        "unknown",
    )
