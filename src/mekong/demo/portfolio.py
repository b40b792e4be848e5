"""The synthetic portfolio (DOMAIN.md §1 and §7): the three East Asia demonstration projects,
LMC Special Fund projects and Yunnan agricultural projects, with budgets, money, works, teams,
work plans and village votes. Amounts and dates are synthetic unless a comment cites DOMAIN.md.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from mekong.geo.models import Country, Village
from mekong.partners.models import Organisation, Person, User
from mekong.projects import services
from mekong.projects.models import (
    AssetType,
    Component,
    Decision,
    Framework,
    Meeting,
    MissionReport,
    ProcurementMode,
    Programme,
    Project,
    ProjectStatus,
    RateType,
    RoadSurface,
    Side,
    TransactionKind,
    Unit,
    VotingOption,
)

# Month-by-month official and market rates per USD, interpolated between anchor values from
# DOMAIN.md §7 ([S56], [S8], [S66c]); synthetic between the anchors.
RATE_ANCHORS: dict[tuple[str, str], list[tuple[date, Decimal]]] = {
    ("CNY", RateType.OFFICIAL): [
        (date(2016, 1, 1), Decimal("6.55")),
        (date(2018, 6, 1), Decimal("6.60")),
        (date(2020, 1, 1), Decimal("6.95")),
        (date(2022, 1, 1), Decimal("6.37")),
        (date(2023, 6, 1), Decimal("7.20")),
        (date(2026, 11, 1), Decimal("7.10")),
    ],
    ("MMK", RateType.OFFICIAL): [
        (date(2016, 1, 1), Decimal("1300")),
        (date(2019, 1, 1), Decimal("1520")),
        (date(2022, 4, 1), Decimal("1850")),
        (date(2022, 8, 1), Decimal("2100")),
        (date(2026, 11, 1), Decimal("2100")),
    ],
    ("MMK", RateType.MARKET): [
        (date(2016, 1, 1), Decimal("1310")),
        (date(2019, 1, 1), Decimal("1530")),
        (date(2021, 2, 1), Decimal("1650")),
        (date(2022, 6, 1), Decimal("3000")),
        (date(2026, 11, 1), Decimal("4400")),
    ],
    ("LAK", RateType.OFFICIAL): [
        (date(2016, 1, 1), Decimal("8300")),
        (date(2019, 6, 1), Decimal("8864")),
        (date(2021, 6, 1), Decimal("9494")),
        (date(2022, 8, 1), Decimal("15000")),
        (date(2026, 11, 1), Decimal("21500")),
    ],
    ("LAK", RateType.MARKET): [
        (date(2016, 1, 1), Decimal("8350")),
        (date(2019, 6, 1), Decimal("9100")),
        (date(2021, 6, 1), Decimal("11000")),
        (date(2022, 8, 1), Decimal("17500")),
        (date(2026, 11, 1), Decimal("22500")),
    ],
    ("KHR", RateType.OFFICIAL): [
        (date(2016, 1, 1), Decimal("4050")),
        (date(2026, 11, 1), Decimal("4020")),
    ],
    ("THB", RateType.OFFICIAL): [
        (date(2016, 1, 1), Decimal("35.8")),
        (date(2020, 1, 1), Decimal("30.2")),
        (date(2023, 1, 1), Decimal("34.5")),
        (date(2026, 11, 1), Decimal("33.0")),
    ],
    ("VND", RateType.OFFICIAL): [
        (date(2016, 1, 1), Decimal("22400")),
        (date(2022, 1, 1), Decimal("22800")),
        (date(2026, 11, 1), Decimal("25500")),
    ],
}


def _interpolate(anchors: list[tuple[date, Decimal]], on: date) -> Decimal:
    for (d0, v0), (d1, v1) in itertools.pairwise(anchors):
        if d0 <= on <= d1:
            share = Decimal((on - d0).days) / Decimal((d1 - d0).days or 1)
            return v0 + (v1 - v0) * share
    return anchors[-1][1]


def build_rates() -> int:
    count = 0
    for (quote, rate_type), anchors in RATE_ANCHORS.items():
        months = [date(year, month, 1) for year in range(2016, 2027) for month in range(1, 13)]
        series = [
            (on, _interpolate(anchors, on).quantize(Decimal("0.0001")))
            for on in months
            if on <= date(2026, 11, 1)
        ]
        services.exchange_rate_series_record(
            user=None,
            base="USD",
            quote=quote,
            rate_type=rate_type,
            rates=series,
            source="synthetic; anchors from DOMAIN.md §7",
        )
        count += len(series)
    return count


@dataclass(frozen=True)
class WorkSpec:
    focus_area: str
    component: str
    component_zh: str
    activity: str
    asset_type: str
    unit: str
    per_village: Decimal
    procurement: str
    surface: str = ""


DEMONSTRATION_WORKS = {
    # Myanmar: Y1 wells + roads, Y2 activity centres + power, Y3 dams + schools + training [S3];
    # piped water from a reservoir 3 km away [S4].
    "MMR": [
        WorkSpec(
            "infrastructure",
            "Safe drinking water",
            "安全饮水",
            "Piped water from the reservoir",
            AssetType.PIPED_WATER,
            Unit.HOUSEHOLDS,
            Decimal("640"),
            ProcurementMode.CHINESE_CONTRACTOR,
        ),
        WorkSpec(
            "infrastructure",
            "Village roads",
            "村道",
            "Concrete village roads",
            AssetType.ROAD,
            Unit.KM,
            Decimal("2.1"),
            ProcurementMode.CHINESE_CONTRACTOR,
            RoadSurface.CONCRETE,
        ),
        WorkSpec(
            "public_services",
            "Village activity centres",
            "村活动中心",
            "Activity centre",
            AssetType.ACTIVITY_CENTRE,
            Unit.UNITS,
            Decimal("1"),
            ProcurementMode.RECIPIENT_BUILT,
        ),
        WorkSpec(
            "livelihood",
            "Livestock and crops",
            "养殖与种植",
            "Cattle delivered to households",
            AssetType.LIVESTOCK,
            Unit.HEAD,
            Decimal("120"),
            ProcurementMode.FORCE_ACCOUNT,
        ),
        WorkSpec(
            "capacity",
            "Skills training",
            "技能培训",
            "Farmer training courses",
            AssetType.TRAINING,
            Unit.PERSONS,
            Decimal("150"),
            ProcurementMode.FORCE_ACCOUNT,
        ),
    ],
    # Laos: 4.16 km of asphalt roads across the two villages [S14]; steel-truss bridge (Ban Xor).
    "LAO": [
        WorkSpec(
            "infrastructure",
            "Village roads",
            "村道",
            "Asphalt village roads",
            AssetType.ROAD,
            Unit.KM,
            Decimal("2.08"),
            ProcurementMode.CHINESE_CONTRACTOR,
            RoadSurface.ASPHALT,
        ),
        WorkSpec(
            "infrastructure",
            "Bridge",
            "桥梁",
            "Steel-truss bridge",
            AssetType.BRIDGE,
            Unit.UNITS,
            Decimal("1"),
            ProcurementMode.CHINESE_CONTRACTOR,
        ),
        WorkSpec(
            "public_services",
            "School and clinic",
            "学校与卫生室",
            "Renovated classrooms",
            AssetType.CLASSROOM,
            Unit.UNITS,
            Decimal("4"),
            ProcurementMode.RECIPIENT_BUILT,
        ),
        WorkSpec(
            "livelihood",
            "Livelihoods",
            "产业发展",
            "Improved rice demonstration plots",
            AssetType.DEMO_PLOT,
            Unit.HA,
            Decimal("12"),
            ProcurementMode.FORCE_ACCOUNT,
        ),
    ],
    # Cambodia: houses, toilets, electricity and water, cattle sheds [S19][S20][S21].
    "KHM": [
        WorkSpec(
            "infrastructure",
            "Housing and sanitation",
            "住房与卫生",
            "Household toilets",
            AssetType.TOILET,
            Unit.UNITS,
            Decimal("180"),
            ProcurementMode.FORCE_ACCOUNT,
        ),
        WorkSpec(
            "infrastructure",
            "Housing and sanitation",
            "住房与卫生",
            "Houses renovated",
            AssetType.HOUSE,
            Unit.UNITS,
            Decimal("45"),
            ProcurementMode.RECIPIENT_BUILT,
        ),
        WorkSpec(
            "infrastructure",
            "Power and water",
            "电力与饮水",
            "Household electricity connections",
            AssetType.ELECTRICITY,
            Unit.HOUSEHOLDS,
            Decimal("260"),
            ProcurementMode.CHINESE_CONTRACTOR,
        ),
        WorkSpec(
            "livelihood",
            "Livelihoods",
            "产业发展",
            "Mushroom and vegetable groups",
            AssetType.DEMO_PLOT,
            Unit.HA,
            Decimal("3"),
            ProcurementMode.FORCE_ACCOUNT,
        ),
    ],
}

VOTE_OPTIONS = {
    "MMR": ["Tap water", "Village road", "School building", "Bridge"],
    "LAO": ["Village road", "Bridge", "Tap water", "Clinic"],
    "KHM": ["Household toilets", "Tap water", "Village road", "Electricity"],
}


@dataclass
class PortfolioContext:
    rng: random.Random
    countries: dict[str, Country]
    organisations: dict[str, Organisation]
    users: dict[str, User]


def _frameworks() -> dict[str, Programme]:
    lmc = Framework.objects.create(
        code="LMC",
        name="Lancang-Mekong Cooperation",
        name_zh="澜沧江—湄公河合作",
        launched_on=date(2016, 3, 23),
    )
    eap = Framework.objects.create(
        code="EAPRI",
        name="East Asia Cooperation Initiative on Poverty Reduction",
        name_zh="东亚减贫合作倡议",
        launched_on=date(2014, 11, 13),
    )
    s100 = Framework.objects.create(
        code="SIX100",
        name="South-South cooperation “six 100s”",
        name_zh="六个100",
        launched_on=date(2015, 9, 26),
    )
    return {
        "demo": Programme.objects.create(
            framework=eap,
            code="EAPRDC",
            title="East Asia Poverty Reduction Demonstration Cooperation Technical Assistance",
            title_zh="东亚减贫示范合作技术援助项目",
        ),
        "lmc": Programme.objects.create(
            framework=lmc,
            code="LMC-SF",
            title="LMC Special Fund small and medium projects",
            title_zh="澜湄合作专项基金项目",
        ),
        "agri": Programme.objects.create(
            framework=s100,
            code="YN-AGRI",
            title="Yunnan–Mekong agricultural cooperation",
            title_zh="云南—湄公河农业合作",
        ),
    }


def _advance(
    project: Project, user: User | None, until: ProjectStatus, start: date, rng: random.Random
) -> None:
    on = start
    for status in list(ProjectStatus)[1:]:
        services.project_transition(
            user=user, project=project, to_status=status, occurred_on=on, note="synthetic"
        )
        if status == until:
            return
        on += timedelta(days=rng.randint(45, 220))


def _money(
    ctx: PortfolioContext,
    project: Project,
    components: list[Component],
    total: Decimal,
    currency: str,
    years: list[int],
    spent_share: float,
) -> None:
    """Budget by year and component, one commitment a component, disbursements and spending."""
    rng = ctx.rng
    officer = ctx.users["li.wei"]
    per_component = (total / len(components)).quantize(Decimal("1"))
    for component in components:
        for year in years:
            services.budget_line_create(
                user=officer,
                project=project,
                component=component,
                year=year,
                amount=(per_component / len(years)).quantize(Decimal("1")),
                currency=currency,
                value_date=date(year, 1, 15),
            )
        commitment = services.transaction_record(
            user=officer,
            project=project,
            kind=TransactionKind.COMMITMENT,
            amount=per_component,
            currency=currency,
            value_date=date(years[0], 2, 1),
            component=component,
            description=f"Commitment: {component.title}",
            provider=ctx.organisations["iprcy"],
        )
        drawn = Decimal("0")
        for year in years:
            share = Decimal(str(round(rng.uniform(0.6, 1.0) * spent_share / len(years), 3)))
            amount = (per_component * share).quantize(Decimal("1"))
            if amount <= 0 or drawn + amount > per_component:
                continue
            drawn += amount
            on = date(year, rng.randint(3, 10), rng.randint(1, 28))
            if on > date(2026, 11, 1):
                continue
            services.transaction_record(
                user=officer,
                project=project,
                kind=TransactionKind.DISBURSEMENT,
                amount=amount,
                currency=currency,
                value_date=on,
                component=component,
                commitment=commitment,
                description=f"Tranche {year}",
            )
            services.transaction_record(
                user=officer,
                project=project,
                kind=TransactionKind.EXPENDITURE,
                amount=(amount * Decimal(str(round(rng.uniform(0.85, 1.0), 3)))).quantize(
                    Decimal("1")
                ),
                currency=currency,
                value_date=on + timedelta(days=rng.randint(10, 40)),
                component=component,
                description=f"Works and supplies {year}",
            )


def _works(
    ctx: PortfolioContext,
    project: Project,
    country: str,
    villages: list[Village],
    progress: float,
    done_on: date | None,
) -> list[Component]:
    components: dict[str, Component] = {}
    for spec in DEMONSTRATION_WORKS[country]:
        component = components.get(spec.component)
        if component is None:
            component = services.component_create(
                user=None,
                project=project,
                focus_area=spec.focus_area,
                title=spec.component,
                title_zh=spec.component_zh,
            )
            components[spec.component] = component
        activity = services.activity_create(user=None, component=component, title=spec.activity)
        for village in villages:
            percent = min(100, int(progress * 100 * ctx.rng.uniform(0.85, 1.15)))
            asset = services.asset_create(
                user=None,
                activity=activity,
                village=village,
                asset_type=spec.asset_type,
                description=village.name_latin,
                unit=spec.unit,
                planned_quantity=spec.per_village,
                procurement_mode=spec.procurement,
                surface=spec.surface,
                contractor=ctx.organisations["contractor-1"]
                if spec.procurement == ProcurementMode.CHINESE_CONTRACTOR
                else None,
            )
            if percent:
                services.asset_progress_record(
                    user=None,
                    asset=asset,
                    reported_on=done_on or date(2026, 10, 1),
                    percent_complete=percent,
                    actual_quantity=(spec.per_village * Decimal(percent) / 100).quantize(
                        Decimal("0.001")
                    ),
                    note="synthetic progress report",
                )
            if percent == 100 and done_on is not None:
                asset.handed_over_on = done_on + timedelta(days=30)
                asset.operator = village.organisations.first()
                asset.save(update_fields=["handed_over_on", "operator"])
    return list(components.values())


def _office_and_plans(
    ctx: PortfolioContext, project: Project, partner_org: str, years: list[int], binding_until: int
) -> None:
    people_cn = list(
        Person.objects.filter(organisation=ctx.organisations["iprcy"], user__isnull=True)[:2]
    )
    if partner_org == "mmr-drd":
        # The demo's joint-office persona works in the Myanmar office for the Chinese side.
        office_persona = ctx.users["zhang.min"].person
        assert office_persona is not None
        people_cn.insert(0, office_persona)
    people_partner = list(Person.objects.filter(organisation=ctx.organisations[partner_org])[:2])
    services.joint_office_set_up(
        user=None,
        project=project,
        location=f"{project.villages.first()} village office",
        established_on=date(years[0], 3, 1),
        members=[
            (p, Side.CHINESE, "Director" if i == 0 else "Engineer") for i, p in enumerate(people_cn)
        ]
        + [
            (p, Side.PARTNER, "Deputy director" if i == 0 else "Coordinator")
            for i, p in enumerate(people_partner)
        ],
    )
    office = project.joint_office
    counterpart = {"mmr-drd": "thida", "lao-ncrdpe": "souksavanh", "khm-mrd": "sokha"}[partner_org]
    for number, year in enumerate(years, start=1):
        plan = services.work_plan_create(
            user=None,
            project=project,
            year=year,
            title=f"Year {number} work plan",
            content="Synthetic work plan: phasing as in DOMAIN.md §6A.",
        )
        if year <= binding_until:
            services.work_plan_approve(user=ctx.users["li.wei"], work_plan=plan, note="synthetic")
            services.work_plan_approve(
                user=ctx.users[counterpart], work_plan=plan, note="synthetic"
            )
        elif year == binding_until + 1:
            services.work_plan_approve(user=ctx.users["li.wei"], work_plan=plan, note="synthetic")
        meeting = Meeting.objects.create(
            office=office,
            held_on=date(year, 3, 10),
            title=f"Joint office meeting {year}",
            minutes="Synthetic minutes: plan review and procurement.",
        )
        Decision.objects.create(
            meeting=meeting,
            text=f"Adopt the {year} procurement schedule.",
            responsible="Joint office",
            due_on=date(year, 4, 30),
        )


def _teams(ctx: PortfolioContext, project: Project, villages: list[Village], first: date) -> None:
    specialisms = [
        "Water engineering",
        "Road construction",
        "Agronomy",
        "Animal husbandry",
        "Project finance",
        "Community development",
    ]
    names = ["Wang Fang", "Zhao Lei", "Yang Hua", "Liu Yang", "Huang Li", "Sun Qiang", "Zhou Min"]
    for batch in range(1, 4):
        arrived = first + timedelta(days=(batch - 1) * 330)
        if arrived > date(2026, 11, 1):
            break
        team = services.expert_team_create(
            user=None,
            project=project,
            batch_number=batch,
            arrived_on=arrived,
            left_on=arrived + timedelta(days=ctx.rng.randint(90, 300)),
            members=[
                (name, ctx.rng.choice(specialisms), i == 0)
                for i, name in enumerate(ctx.rng.sample(names, 5))
            ],  # ~5 experts a batch [S4]
            villages=villages,
        )
        MissionReport.objects.create(
            team=team,
            reported_on=arrived + timedelta(days=80),
            summary="Synthetic mission report: works inspected, "
            "training delivered, issues raised with the joint office.",
        )


def _votes(
    ctx: PortfolioContext,
    project: Project,
    country: str,
    villages: list[Village],
    held_on: date,
    components: list[Component],
) -> None:
    for village in villages:
        participants = ctx.rng.randint(80, 240)
        weights = [ctx.rng.random() for _ in VOTE_OPTIONS[country]]
        beans = {
            title: int(participants * w / sum(weights))
            for title, w in zip(VOTE_OPTIONS[country], weights, strict=True)
        }
        voting_round = services.voting_round_record(
            user=None,
            project=project,
            village=village,
            held_on=held_on,
            participants=participants,
            options=beans,
        )
        # The two options with most beans were built (first two components, for the demo).
        top = VotingOption.objects.filter(voting_round=voting_round).order_by("-votes")[:2]
        for option, component in zip(top, components, strict=False):
            services.voting_option_link(user=None, option=option, component=component)


def build_portfolio(ctx: PortfolioContext) -> int:
    """Create the synthetic portfolio; returns the number of projects."""
    build_rates()
    programmes = _frameworks()
    org = ctx.organisations
    demo_villages = {
        c: list(Village.objects.filter(country__iso3=c, is_demonstration=True).order_by("code"))
        for c in ("MMR", "LAO", "KHM")
    }
    specs = [
        # (code, country, title, title_zh, implementer, counterpart, currency, total, years,
        #  status, progress, start)
        (
            "EAPRDC-MMR",
            "MMR",
            "Poverty reduction demonstration villages in Nay Pyi Taw",
            "缅甸内比都减贫示范村",
            "iprcy",
            "mmr-drd",
            "CNY",
            Decimal("32000000"),
            [2018, 2019, 2020],
            ProjectStatus.HANDED_OVER,
            1.0,
            date(2017, 2, 1),
        ),
        # Lao budget CNY 33.3 m [S8][S10].
        (
            "EAPRDC-LAO",
            "LAO",
            "Poverty reduction demonstration villages in Laos",
            "老挝减贫示范村",
            "gxcenter",
            "lao-ncrdpe",
            "CNY",
            Decimal("33300000"),
            [2017, 2018, 2019, 2020],
            ProjectStatus.CLOSED,
            1.0,
            date(2016, 6, 1),
        ),
        (
            "EAPRDC-KHM",
            "KHM",
            "Poverty reduction demonstration villages in Kandal",
            "柬埔寨干丹省减贫示范村",
            "iprcc",
            "khm-mrd",
            "CNY",
            Decimal("30000000"),
            [2017, 2018, 2019, 2020],
            ProjectStatus.HANDED_OVER,
            1.0,
            date(2016, 9, 1),
        ),
    ]
    count = 0
    for (
        code,
        iso3,
        title,
        title_zh,
        implementer,
        counterpart,
        currency,
        total,
        years,
        status,
        progress,
        start,
    ) in specs:
        villages = demo_villages[iso3]
        project = services.project_create(
            user=None,
            programme=programmes["demo"],
            code=code,
            title=title,
            title_zh=title_zh,
            countries=[ctx.countries[iso3]],
            currency=currency,
            focus_areas=["infrastructure", "public_services", "livelihood", "capacity"],
            sectors={
                "43040": Decimal("50"),
                "14030": Decimal("20"),
                "21020": Decimal("20"),
                "31166": Decimal("10"),
            },
            participants=[
                (org["iprcc"], "funder"),
                (org[implementer], "implementer"),
                (org[counterpart], "counterpart"),
                (org["contractor-1"], "contractor"),
            ],
            villages=villages,
            start_date=date(years[0], 2, 1),
            end_date=date(years[-1], 12, 31),
            summary="Synthetic record modelled on the East Asia Poverty Reduction Demonstration "
            "Cooperation project (DOMAIN.md §1.2).",
            is_synthetic=True,
        )
        _advance(project, ctx.users["li.wei"], status, start, ctx.rng)
        components = _works(ctx, project, iso3, villages, progress, date(years[-1], 12, 1))
        _money(ctx, project, components, total, currency, years, 0.95)
        _office_and_plans(ctx, project, counterpart, years, binding_until=years[-1])
        _teams(ctx, project, villages, date(years[0], 3, 1))
        _votes(ctx, project, iso3, villages, date(years[0], 2, 20), components)
        count += 1

    # LMC Special Fund: USD 0.1–1 m each [S27]; and Yunnan agricultural cooperation [S57][S59].
    others = [
        (
            "LMC-MMR-WATER",
            "lmc",
            "MMR",
            "Rural clean water supply",
            "农村清洁供水",
            "iprcy",
            "mmr-drd",
            "USD",
            Decimal("480000"),
            [2024, 2025],
            ProjectStatus.IMPLEMENTING,
            0.7,
            ["infrastructure"],
            {"14030": Decimal("100")},
        ),
        (
            "LMC-LAO-POWER",
            "lmc",
            "LAO",
            "Village water and power",
            "村庄供水与供电",
            "gxcenter",
            "lao-ncrdpe",
            "USD",
            Decimal("650000"),
            [2025, 2026],
            ProjectStatus.LAUNCHED,
            0.2,
            ["infrastructure", "public_services"],
            {"14030": Decimal("50"), "23630": Decimal("50")},
        ),
        (
            "LMC-KHM-SKILLS",
            "lmc",
            "KHM",
            "Village skills training",
            "村民技能培训",
            "iprcc",
            "khm-mrd",
            "USD",
            Decimal("150000"),
            [2026],
            ProjectStatus.APPROVED,
            0.0,
            ["capacity"],
            {"43040": Decimal("100")},
        ),
        (
            "YNAGRI-LAO-RICE",
            "agri",
            "LAO",
            "Improved upland rice demonstration",
            "旱稻良种示范",
            "yaas",
            "lao-ncrdpe",
            "CNY",
            Decimal("2400000"),
            [2024, 2025, 2026],
            ProjectStatus.IMPLEMENTING,
            0.6,
            ["livelihood", "capacity"],
            {"31166": Decimal("70"), "31120": Decimal("30")},
        ),
        (
            "YNAGRI-MMR-SEED",
            "agri",
            "MMR",
            "Hybrid rice and maize seed trials",
            "杂交稻与玉米品种试验",
            "yaas",
            "mmr-drd",
            "CNY",
            Decimal("1800000"),
            [2025, 2026],
            ProjectStatus.AGREEMENT_SIGNED,
            0.1,
            ["livelihood"],
            {"31120": Decimal("100")},
        ),
    ]
    for (
        code,
        programme,
        iso3,
        title,
        title_zh,
        implementer,
        counterpart,
        currency,
        total,
        years,
        status,
        progress,
        areas,
        sectors,
    ) in others:
        candidates = list(
            Village.objects.filter(country__iso3=iso3, is_demonstration=False).order_by("code")
        )
        villages = ctx.rng.sample(candidates, 2)
        project = services.project_create(
            user=None,
            programme=programmes[programme],
            code=code,
            title=title,
            title_zh=title_zh,
            countries=[ctx.countries[iso3]],
            currency=currency,
            focus_areas=areas,
            sectors=sectors,
            participants=[(org[implementer], "implementer"), (org[counterpart], "counterpart")],
            villages=villages,
            start_date=date(years[0], 1, 1),
            end_date=date(years[-1], 12, 31),
            is_synthetic=True,
        )
        _advance(project, ctx.users["li.wei"], status, date(years[0] - 1, 3, 1), ctx.rng)
        works = DEMONSTRATION_WORKS[iso3 if iso3 in DEMONSTRATION_WORKS else "MMR"][:2]
        components = []
        for spec in works:
            component = services.component_create(
                user=None,
                project=project,
                focus_area=areas[0],
                title=spec.component,
                title_zh=spec.component_zh,
            )
            activity = services.activity_create(user=None, component=component, title=spec.activity)
            for village in villages:
                asset = services.asset_create(
                    user=None,
                    activity=activity,
                    village=village,
                    asset_type=spec.asset_type,
                    description=village.name_latin,
                    unit=spec.unit,
                    planned_quantity=spec.per_village,
                    procurement_mode=spec.procurement,
                    surface=spec.surface,
                )
                percent = int(progress * 100)
                if percent:
                    services.asset_progress_record(
                        user=None,
                        asset=asset,
                        reported_on=date(2026, 10, 15),
                        percent_complete=percent,
                        actual_quantity=(spec.per_village * Decimal(percent) / 100).quantize(
                            Decimal("0.001")
                        ),
                    )
            components.append(component)
        _money(ctx, project, components, total, currency, years, progress)
        count += 1
    return count
