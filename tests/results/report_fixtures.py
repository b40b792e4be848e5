"""Values, targets and narratives for the progress-report and exchange tests, on top of
``results_world`` (tests/results/conftest.py).

Myanmar project framework ``MM-01``:

- ``MM-G1`` headcount (computed, lower is better, baseline 50 %): 2023 50.0 [25.5, 74.5],
  2024 25.0 [5.4, 44.6] with sex cells F 30.0 and M 20.0 and a village cell MM-V1 25.0;
  targets 45 (2023) and 30 (2024). 2024 progress: (25 − 50) / (30 − 50) = 125 %, on track.
- ``MM-P1`` persons trained (reported, higher is better): 2024 approved 120 (F 70, M 50),
  target 100 → 120 %, on track. 2023: a draft of 999 and a submitted 888 F cell that no
  report or export may show; target 50.
- Narratives for 2024 in English, Chinese and Burmese (summary and challenges).

Programme framework: ``PG-1`` 2024 rolled up 25.0, ``PG-2`` 2024 rolled up 120.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from mekong.results.models import (
    Indicator,
    IndicatorValue,
    Narrative,
    NarrativeSection,
    ReportingPeriod,
    Target,
    ValueSource,
    ValueStatus,
    disaggregation_key,
)
from tests.results.conftest import ResultsWorld

DRAFT_VALUE = Decimal("999")
SUBMITTED_VALUE = Decimal("888")
HEADCOUNT_DATA_ELEMENT = "fbfJHSPpUQD"
ZH_SUMMARY = "本期共培训农民一百二十人，贫困发生率下降到百分之二十五。"
ZH_CHALLENGES = "雨季道路中断，培训推迟一个月。"
MY_SUMMARY = "ဤကာလတွင် လယ်သမား ၁၂၀ ဦးကို လေ့ကျင့်ပေးခဲ့သည်။"
MY_CHALLENGES = "မိုးရာသီတွင် လမ်းများ ပိတ်ဆို့ခဲ့သည်။"
EN_SUMMARY = "In 2024 the project trained 120 farmers and the headcount fell to 25 %."
EN_CHALLENGES = "Roads were cut in the rainy season, so training started a month late."
FRAMEWORK_ZH = "缅甸村庄成果框架"
FRAMEWORK_MY = "မြန်မာ ကျေးရွာ ရလဒ်များ"


@dataclass
class ReportWorld:
    results: ResultsWorld


def _value(
    indicator: Indicator,
    period: ReportingPeriod,
    cell: dict[str, str],
    value: object,
    *,
    status: str,
    source: str,
    **extra: Any,
) -> IndicatorValue:
    return IndicatorValue.objects.create(
        indicator=indicator,
        period=period,
        disaggregation=cell,
        disaggregation_key=disaggregation_key(cell),
        value=Decimal(str(value)),
        status=status,
        source=source,
        **extra,
    )


@pytest.fixture
def report_world(results_world: ResultsWorld) -> ReportWorld:
    rw = results_world
    framework = rw.project_framework
    framework.translations = {"zh-hans": FRAMEWORK_ZH, "my": FRAMEWORK_MY}
    framework.save()
    rw.goal.translations = {"zh-hans": "贫困户减少", "my": "ဆင်းရဲသော အိမ်ထောင်စုများ လျော့နည်း"}
    rw.goal.save()
    headcount = rw.headcount
    headcount.baseline_value = Decimal("50")
    headcount.baseline_date = date(2023, 1, 1)
    headcount.dhis2_data_element = HEADCOUNT_DATA_ELEMENT
    headcount.save()

    computed = {"status": ValueStatus.COMPUTED, "source": ValueSource.COMPUTED}
    _value(headcount, rw.p2023, {}, "50.0", se=12.5, ci_low=25.5, ci_high=74.5, n=4, **computed)
    _value(headcount, rw.p2024, {}, "25.0", se=10.0, ci_low=5.4, ci_high=44.6, n=4, **computed)
    _value(headcount, rw.p2024, {"sex": "F"}, "30.0", n=4, **computed)
    _value(headcount, rw.p2024, {"sex": "M"}, "20.0", n=4, **computed)
    _value(headcount, rw.p2024, {"village": "MM-V1"}, "25.0", n=4, **computed)
    Target.objects.create(indicator=headcount, period=rw.p2023, value=Decimal("45"))
    Target.objects.create(indicator=headcount, period=rw.p2024, value=Decimal("30"))

    approved = {"status": ValueStatus.APPROVED, "source": ValueSource.REPORTED}
    trained = rw.trained
    _value(trained, rw.p2024, {}, 120, **approved)
    _value(trained, rw.p2024, {"sex": "F"}, 70, **approved)
    _value(trained, rw.p2024, {"sex": "M"}, 50, **approved)
    _value(trained, rw.p2023, {}, DRAFT_VALUE, status=ValueStatus.DRAFT, source="reported")
    _value(trained, rw.p2023, {"sex": "F"}, SUBMITTED_VALUE, status="submitted", source="reported")
    Target.objects.create(indicator=trained, period=rw.p2023, value=Decimal("50"))
    Target.objects.create(indicator=trained, period=rw.p2024, value=Decimal("100"))

    programme_2024 = rw.programme_framework.periods.get(code="2024")
    rolled = {"status": ValueStatus.COMPUTED, "source": ValueSource.ROLLUP}
    _value(rw.programme_headcount, programme_2024, {}, "25.0", **rolled)
    _value(rw.programme_trained, programme_2024, {}, 120, **rolled)

    for language, summary, challenges in (
        ("en", EN_SUMMARY, EN_CHALLENGES),
        ("zh-hans", ZH_SUMMARY, ZH_CHALLENGES),
        ("my", MY_SUMMARY, MY_CHALLENGES),
    ):
        Narrative.objects.create(
            framework=framework,
            period=rw.p2024,
            section=NarrativeSection.SUMMARY,
            language=language,
            text=summary,
        )
        Narrative.objects.create(
            framework=framework,
            period=rw.p2024,
            section=NarrativeSection.CHALLENGES,
            language=language,
            text=challenges,
        )
    return ReportWorld(results=rw)
