"""Synthetic results frameworks for the demonstration programme and its three projects.

Each project gets goal → outcomes → outputs → activities with indicators from DOMAIN.md §4:
computed ones over the register and the assets (refreshed by results.compute, not here),
and reported ones (persons trained by sex, houses renovated, centres built) with values at
every approval state, a small evidence file made in code, and narratives. The programme's
roll-up indicators collect the projects' through ``contributes_to``. Every number here is
synthetic; evidence files hold aggregates only, never names.

Everything goes through results.services as the demo personas, so the rules hold: a Myanmar
counterpart enters, the M&E officer verifies, the Chinese programme officer approves.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile

from mekong.partners.models import User
from mekong.projects.models import Programme, Project
from mekong.registry.models import SurveyRound
from mekong.results import services
from mekong.results.models import (
    Indicator,
    IndicatorKind,
    IndicatorValue,
    Level,
    ReportingPeriod,
    ResultNode,
    ResultsFramework,
    Unit,
)

# Register schemes of the demo (demo/households.py) behind the computed indicators.
NATIONAL_SCHEME = {"MMR": "MMR-MLCS", "LAO": "LAO-D285", "KHM": "KHM-CSES"}
# USD 3.00 a day at 2021 PPP, one ``international`` scheme per country (demo/households.py).
INTERNATIONAL_SCHEME = {"MMR": "MMR-INTL-300", "LAO": "LAO-INTL-300", "KHM": "KHM-INTL-300"}
# Burmese names of the Myanmar project's indicators (the counterpart reads reports in Burmese).
MY_NAMES = {
    "G1": "အမျိုးသားဆင်းရဲမှုမျဉ်းအောက်ရှိ လူဦးရေ ရာခိုင်နှုန်း",
    "G2": "တစ်ရက်လျှင် အမေရိကန်ဒေါ်လာ ၃.၀၀ (၂၀၂၁ PPP) အောက်ရှိ လူဦးရေ ရာခိုင်နှုန်း",
    "G3": "ဘက်စုံဆင်းရဲမှု ဦးရေနှုန်း (MPI H)",
    "1.1-A": "မိနစ် ၃၀ အတွင်း ဘေးကင်းသော သောက်ရေ ရရှိသည့် အိမ်ထောင်စုများ",
    "1.1.1-A": "ပြီးစီးသော ကျေးရွာလမ်း",
    "1.1.1-B": "ပိုက်ရေ ချိတ်ဆက်ထားသော အိမ်ထောင်စုများ",
    "1.1.1-D": "ပြုပြင်မွမ်းမံပြီးသော အိမ်များ",
    "1.2-A": "တစ်ဦးချင်း အသားတင်ဝင်ငွေ",
    "1.2.1-A": "ထုတ်လုပ်မှုနည်းပညာ သင်တန်းတက်ရောက်သူများ",
}
COUNTERPART = {"MMR": "thida", "LAO": "souksavanh", "KHM": "sokha"}
CURRENCY = {"MMR": "MMK", "LAO": "LAK", "KHM": "KHR"}
# So the demo shows every step of the approval somewhere (drafts: the houses renovated).
LATEST_STATE = {"MMR": "submitted", "LAO": "rejected", "KHM": "verified"}
SAFE_WATER = [
    {"field": "water_source", "op": "in", "value": ["piped", "protected"]},
    {"field": "water_minutes", "op": "le", "value": 30},
]


@dataclass
class _Programme:
    framework: ResultsFramework
    headcount: Indicator
    road_km: Indicator
    trained: Indicator
    water: Indicator
    houses: Indicator


def _years(country: str) -> list[int]:
    rounds = SurveyRound.objects.filter(country__iso3=country).order_by("started_on")
    return sorted({r.started_on.year for r in rounds})


def _periods(framework: ResultsFramework, years: list[int]) -> list[ReportingPeriod]:
    return [
        services.period_create(
            user=None,
            framework=framework,
            code=str(year),
            starts_on=date(year, 1, 1),
            ends_on=date(year, 12, 31),
        )
        for year in years
    ]


def _node(
    framework: ResultsFramework,
    level: Level,
    code: str,
    statement: str,
    zh: str,
    parent: ResultNode | None = None,
    my: str = "",
) -> ResultNode:
    translations = {"zh-hans": zh, **({"my": my} if my else {})}
    return services.node_create(
        user=None,
        framework=framework,
        level=level,
        code=code,
        statement=statement,
        parent=parent,
        translations=translations,
    )


def _programme(programme: Programme, years: list[int]) -> _Programme:
    framework = services.framework_create(
        user=None,
        programme=programme,
        title="Demonstration cooperation: programme results",
        translations={"zh-hans": "示范合作项目成果框架"},
        description="Synthetic results framework; roll-ups of the three country projects.",
    )
    goal = _node(
        framework,
        Level.GOAL,
        "G",
        "Poverty reduced in the demonstration villages",
        "示范村贫困减少",
    )
    living = _node(
        framework, Level.OUTCOME, "O1", "Living conditions improved", "生活条件改善", goal
    )
    capacity = _node(
        framework, Level.OUTCOME, "O2", "Production skills strengthened", "生产技能增强", goal
    )
    _periods(framework, years)

    def rollup(
        result: ResultNode, code: str, name: str, zh: str, unit: str, how: str, **extra: Any
    ) -> Indicator:
        return services.indicator_create(
            user=None,
            result=result,
            code=code,
            name=name,
            unit=unit,
            kind=IndicatorKind.ROLLUP,
            aggregation=how,
            translations={"zh-hans": zh},
            **extra,
        )

    return _Programme(
        framework=framework,
        headcount=rollup(
            goal,
            "PG-1",
            "People below the national poverty line",
            "国家贫困线以下人口比例",
            Unit.PERCENT,
            "weighted_mean",
            direction="decrease",
            sdg_indicator="1.2.1",
            sdmx_series="SI_POV_NAHC",
        ),
        water=rollup(
            living,
            "PG-2",
            "Households with safe drinking water within 30 minutes",
            "30分钟内可获得安全饮水的农户比例",
            Unit.PERCENT,
            "weighted_mean",
        ),
        road_km=rollup(
            living, "PG-3", "Village road completed", "建成村道里程", Unit.KM, "sum", decimals=2
        ),
        houses=rollup(
            living, "PG-4", "Houses renovated", "改造住房数", Unit.NUMBER, "sum", decimals=0
        ),
        trained=rollup(
            capacity,
            "PG-5",
            "Persons trained in production practices",
            "接受生产技能培训人数",
            Unit.PERSONS,
            "sum",
            decimals=0,
            disaggregations=["sex"],
        ),
    )


def _project_framework(
    project: Project, country: str, pg: _Programme, rng: random.Random
) -> tuple[ResultsFramework, Indicator, Indicator, list[ReportingPeriod]]:
    """The project's logframe; returns it, its two reported indicators and its periods."""
    my = country == "MMR"
    framework = services.framework_create(
        user=None,
        project=project,
        title=f"{project.title}: results framework",
        translations={
            "zh-hans": f"{project.title_zh}成果框架",
            **({"my": "နေပြည်တော် ဆင်းရဲမှုလျှော့ချရေး သရုပ်ပြကျေးရွာများ ရလဒ်မူဘောင်"} if my else {}),
        },
        description="Synthetic results framework (DOMAIN.md §4).",
    )
    goal = _node(
        framework,
        Level.GOAL,
        "1",
        "Poverty in the two villages reduced",
        "两个示范村贫困减少",
        my="ကျေးရွာနှစ်ရွာတွင် ဆင်းရဲမှု လျော့ကျခြင်း" if my else "",
    )
    living = _node(
        framework,
        Level.OUTCOME,
        "1.1",
        "Living conditions improved",
        "生活条件改善",
        goal,
        my="နေထိုင်မှုအခြေအနေ တိုးတက်ခြင်း" if my else "",
    )
    income = _node(
        framework,
        Level.OUTCOME,
        "1.2",
        "Household incomes raised",
        "农户收入提高",
        goal,
        my="အိမ်ထောင်စုဝင်ငွေ တိုးလာခြင်း" if my else "",
    )
    works = _node(
        framework, Level.OUTPUT, "1.1.1", "Village infrastructure built", "村庄基础设施建成", living
    )
    skills = _node(
        framework,
        Level.OUTPUT,
        "1.2.1",
        "Farmers trained in production practices",
        "农民接受生产技能培训",
        income,
    )
    _node(
        framework,
        Level.ACTIVITY,
        "1.1.1.1",
        "Build roads, water supply and houses",
        "修建道路、供水和住房",
        works,
    )
    _node(
        framework,
        Level.ACTIVITY,
        "1.2.1.1",
        "Run courses in the villages and in Kunming",
        "在村内和昆明举办培训班",
        skills,
    )
    periods = _periods(framework, _years(country))
    baseline_on = periods[0].starts_on

    def indicator(
        result: ResultNode, code: str, name: str, zh: str, unit: str, kind: str, **extra: Any
    ) -> Indicator:
        return services.indicator_create(
            user=None,
            result=result,
            code=code,
            name=name,
            unit=unit,
            kind=kind,
            translations={
                "zh-hans": zh,
                **({"my": MY_NAMES[code]} if my and code in MY_NAMES else {}),
            },
            **extra,
        )

    headcount = indicator(
        goal,
        "G1",
        "People below the national poverty line",
        "国家贫困线以下人口比例",
        Unit.PERCENT,
        IndicatorKind.COMPUTED,
        computation={"kind": "headcount", "scheme": NATIONAL_SCHEME[country], "per": "person"},
        direction="decrease",
        disaggregations=["village"],
        contributes_to=pg.headcount,
        baseline_value=Decimal(rng.randint(50, 65)),
        baseline_date=baseline_on,
        data_source="Household register, annual rounds",
        sdg_indicator="1.2.1",
        sdmx_series="SI_POV_NAHC",
    )
    indicator(
        goal,
        "G2",
        "People below USD 3.00 a day (2021 PPP)",
        "每天3.00美元(2021年购买力平价)以下人口比例",
        Unit.PERCENT,
        IndicatorKind.COMPUTED,
        computation={"kind": "headcount", "scheme": INTERNATIONAL_SCHEME[country], "per": "person"},
        direction="decrease",
        sdg_indicator="1.1.1",
        sdmx_series="SI_POV_DAY1",
        data_source="Household register, annual rounds",
    )
    indicator(
        goal,
        "G3",
        "Multidimensional poverty headcount (MPI H)",
        "多维贫困发生率",
        Unit.PERCENT,
        IndicatorKind.COMPUTED,
        computation={"kind": "mpi", "scheme": "GLOBAL-MPI", "measure": "H"},
        direction="decrease",
        disaggregations=["village", "sex"],
        sdg_indicator="1.2.2",
        sdmx_series="SD_MDP_MUHC",
    )
    indicator(
        income,
        "1.2-A",
        "Per-capita net income",
        "人均纯收入",
        Unit.MONEY_PER_PERSON_YEAR,
        IndicatorKind.COMPUTED,
        currency=CURRENCY[country],
        decimals=0,
        computation={"kind": "mean_income"},
        disaggregations=["village"],
    )
    indicator(
        living,
        "1.1-A",
        "Households with safe drinking water within 30 minutes",
        "30分钟内可获得安全饮水的农户比例",
        Unit.PERCENT,
        IndicatorKind.COMPUTED,
        computation={"kind": "household_share", "all": SAFE_WATER, "per": "household"},
        disaggregations=["village"],
        contributes_to=pg.water,
    )
    if country in ("MMR", "LAO"):
        indicator(
            works,
            "1.1.1-A",
            "Village road completed",
            "建成村道里程",
            Unit.KM,
            IndicatorKind.COMPUTED,
            decimals=2,
            contributes_to=pg.road_km,
            computation={"kind": "asset_quantity", "asset_type": "road", "unit": "km"},
            data_source="Engineer's sign-off (asset register)",
        )
    if country == "MMR":
        indicator(
            works,
            "1.1.1-B",
            "Households connected to piped water",
            "接通自来水农户数",
            Unit.HOUSEHOLDS,
            IndicatorKind.COMPUTED,
            decimals=0,
            computation={
                "kind": "asset_quantity",
                "asset_type": "piped_water",
                "unit": "households",
            },
        )
    if country == "KHM":
        indicator(
            works,
            "1.1.1-C",
            "Household toilets built",
            "新建户厕数",
            Unit.NUMBER,
            IndicatorKind.COMPUTED,
            decimals=0,
            computation={"kind": "asset_count", "asset_type": "toilet"},
        )
    houses = indicator(
        works,
        "1.1.1-D",
        "Houses renovated",
        "改造住房数",
        Unit.NUMBER,
        IndicatorKind.REPORTED,
        decimals=0,
        contributes_to=pg.houses,
        data_source="Village committee records",
    )
    trained = indicator(
        skills,
        "1.2.1-A",
        "Persons trained in production practices",
        "接受生产技能培训人数",
        Unit.PERSONS,
        IndicatorKind.REPORTED,
        decimals=0,
        disaggregations=["sex"],
        contributes_to=pg.trained,
        data_source="Attendance sheets (counted once a year)",
    )
    for period in periods:
        services.target_set(user=None, indicator=trained, period=period, value=Decimal(150))
        services.target_set(user=None, indicator=houses, period=period, value=Decimal(15))
    for offset, period in enumerate(periods):
        # Targets fall by about four points a year from the baseline (synthetic).
        assert headcount.baseline_value is not None
        services.target_set(
            user=None,
            indicator=headcount,
            period=period,
            value=headcount.baseline_value - 4 * (offset + 1),
        )
    return framework, trained, houses, periods


def _attendance_csv(period: ReportingPeriod, female: int, male: int) -> ContentFile[bytes]:
    # Aggregates per course only: an evidence file must never carry trainees' names.
    half_f, half_m = female // 2, male // 2
    rows = [
        "course,held_in,female,male",
        f"Improved rice cultivation,{period.code}-03,{half_f},{half_m}",
        f"Livestock husbandry,{period.code}-09,{female - half_f},{male - half_m}",
    ]
    return ContentFile(("\n".join(rows) + "\n").encode(), name="attendance.csv")


def _trained_values(
    trained: Indicator,
    periods: list[ReportingPeriod],
    entrant: User,
    users: dict[str, User],
    rng: random.Random,
    latest_state: str,
) -> None:
    """Every period but the latest approved (the oldest is then locked), the latest in
    ``latest_state`` (submitted, returned for correction or verified). The projects' periods
    overlap in 2018 and 2019 (Cambodia and Laos from 2017, Myanmar from 2018), so the
    programme's roll-up of persons trained has a total for 2018: a roll-up counts only
    approved values, and all three projects' are approved only there."""
    states = ["approved", "approved", latest_state]
    for index, period in enumerate(periods):
        state = states[index] if index < len(states) else "draft"
        female, male = rng.randint(60, 90), rng.randint(50, 80)
        cells = [({"sex": "F"}, female), ({"sex": "M"}, male), ({}, female + male)]
        rows = [
            services.value_create(
                user=entrant, indicator=trained, period=period, value=number, disaggregation=cell
            )
            for cell, number in cells
        ]
        services.evidence_attach(
            user=entrant,
            value=rows[-1],
            upload=_attendance_csv(period, female, male),
            description="Attendance summary by course (synthetic)",
        )
        _advance(
            rows,
            state,
            entrant,
            users,
            rejection="The attendance summary counts one trainee twice; please recount.",
        )


def _advance(
    rows: list[IndicatorValue],
    state: str,
    entrant: User,
    users: dict[str, User],
    rejection: str = "",
) -> None:
    """Take a value's cells (its total last) through the approval steps up to ``state``:
    the counterpart submits, the M&E officer verifies (or returns the total with
    ``rejection``), the programme officer approves."""
    if state == "draft":
        return
    for row in rows:
        services.value_submit(user=entrant, value=row)
    if state == "submitted":
        return
    if state == "rejected":
        services.value_reject(user=users["chen.jing"], value=rows[-1], reason=rejection)
        return
    for row in rows:
        services.value_verify(user=users["chen.jing"], value=row)
    if state == "approved":
        for row in rows:
            services.value_approve(user=users["li.wei"], value=row)


def _narratives(
    framework: ResultsFramework, period: ReportingPeriod, country: str, user: User
) -> None:
    texts = {
        "en": (
            "Synthetic narrative. Roads and water supply were completed on schedule; "
            "training reached both villages, and women made up more than half of the trainees."
        ),
        "zh-hans": "合成示例文本。道路和供水工程按期完工；培训覆盖两个村，女性学员超过一半。",
    }
    if country == "MMR":
        texts["my"] = (
            "နမူနာစာသား။ လမ်းနှင့် ရေပေးဝေရေး လုပ်ငန်းများ အချိန်မီ ပြီးစီးခဲ့သည်။ "
            "သင်တန်းများကို ကျေးရွာနှစ်ရွာလုံးတွင် ပို့ချခဲ့သည်။"
        )
    for language, text in texts.items():
        services.narrative_write(
            user=user,
            framework=framework,
            period=period,
            section="summary",
            language=language,
            text=text,
        )


def build_results(*, rng: random.Random, users: dict[str, User]) -> int:
    """Results frameworks for the demonstration programme and its projects; returns how many
    frameworks were made. Computed values are left to results.compute."""
    programme = Programme.objects.filter(code="EAPRDC").first()
    if programme is None:
        return 0
    projects = list(programme.projects.prefetch_related("countries").order_by("code"))
    countries = {p.id: p.countries.all()[0].iso3 for p in projects}
    years = sorted({y for iso3 in countries.values() for y in _years(iso3)})
    pg = _programme(programme, years)
    made = 1
    for project in projects:
        country = countries[project.id]
        framework, trained, houses, periods = _project_framework(project, country, pg, rng)
        entrant = users[COUNTERPART[country]]
        _trained_values(trained, periods, entrant, users, rng, LATEST_STATE[country])
        # Houses renovated: approved counts in the earlier periods (a programme total in
        # 2018, as for persons trained) and a draft in the latest, for the office to finish.
        for period in periods[:-1]:
            count = services.value_create(
                user=entrant,
                indicator=houses,
                period=period,
                value=rng.randint(10, 20),
                note="Count from the village committee, checked against the works register.",
            )
            _advance([count], "approved", entrant, users)
        services.value_create(
            user=entrant,
            indicator=houses,
            period=periods[-1],
            value=rng.randint(10, 20),
            note="Count from the village committee; sheet to follow.",
        )
        _narratives(framework, periods[0], country, users["li.wei"])
        made += 1
    _narratives(pg.framework, pg.framework.periods.order_by("starts_on")[0], "", users["li.wei"])
    return made


# Synthetic ambition for computed and roll-up indicators without a target: the change per
# period after the baseline, as a share of the baseline value, in the indicator's good
# direction.
TARGET_STEP = Decimal("0.08")
AUTOMATIC_KINDS = (IndicatorKind.COMPUTED, IndicatorKind.ROLLUP)


def finish_after_refresh(*, users: dict[str, User]) -> None:
    """Once computed values are in: give computed and roll-up indicators without targets a
    baseline (the first value of the framework's total, as an office would take it from the
    baseline survey) and targets for the periods after it, then lock each project's first
    period (a locked period is never recomputed, so locking before the first refresh would
    leave it empty). The programme's first totals come a period after the projects'."""
    for framework in ResultsFramework.objects.order_by("id"):
        periods = list(framework.periods.order_by("starts_on"))
        if not periods:
            continue
        for indicator in framework.indicators.filter(kind__in=AUTOMATIC_KINDS):
            if indicator.targets.exists():
                continue
            values = indicator.values.filter(disaggregation_key="", value__isnull=False)
            first = values.order_by("period__starts_on").first()
            if first is None or first.value is None or first.value == 0:
                continue
            start = next(i for i, p in enumerate(periods) if p.id == first.period_id)
            sign = -1 if indicator.direction == "decrease" else 1
            services.indicator_update(
                user=None,
                indicator=indicator,
                changes={"baseline_value": first.value, "baseline_date": periods[start].ends_on},
            )
            for offset, period in enumerate(periods[start + 1 :], start=1):
                target = first.value * (1 + sign * TARGET_STEP * offset)
                if indicator.unit == Unit.PERCENT:
                    target = min(max(target, Decimal(0)), Decimal(100))
                services.target_set(
                    user=None, indicator=indicator, period=period, value=round(target, 1)
                )
        if framework.project_id is not None and not periods[0].is_locked:
            services.period_lock(user=users["chen.jing"], period=periods[0])
