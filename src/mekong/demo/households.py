"""Synthetic households for the demo villages: three rounds, incomes and deprivations drawn
so that 40–65 % are poor at baseline and fewer later (DOMAIN.md §7 generator hints); assets,
housing and disability are correlated with poverty as in real surveys. Every row is flagged
synthetic, and the line values and price indices marked VERIFY in DOMAIN.md are illustrative.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from mekong.geo.models import Country, Village
from mekong.registry import services
from mekong.registry.models import (
    AssistanceMeasure,
    Cause,
    Household,
    HouseholdObservation,
    Member,
    MemberObservation,
    PovertyScheme,
    RoundKind,
    SurveyRound,
)


@dataclass(frozen=True)
class CountryRegister:
    iso3: str
    currency: str
    first_year: int
    mean_size: float
    # Median yearly net income per person at baseline, in local currency, chosen so that
    # roughly half the households fall under the national line below.
    median_income: float
    names: tuple[tuple[str, str], ...]
    ethnic_groups: tuple[str, ...]


REGISTERS = (
    CountryRegister(
        "MMR",
        "MMK",
        2018,
        4.7,
        230_000,
        (
            ("Aung", "အောင်"),
            ("Thida", "သီတာ"),
            ("Kyaw", "ကျော်"),
            ("Hla", "လှ"),
            ("Mya", "မြ"),
            ("Zaw", "ဇော်"),
            ("Win", "ဝင်း"),
            ("Nwe", "နွယ်"),
        ),
        ("Bamar", "Shan", "Karen"),
    ),
    CountryRegister(
        "LAO",
        "LAK",
        2017,
        4.7,
        3_300_000,
        (
            ("Khamla", "ຄຳລາ"),
            ("Bounmy", "ບຸນມີ"),
            ("Noy", "ນ້ອຍ"),
            ("Somphone", "ສົມພອນ"),
            ("Vanh", "ວັນ"),
            ("Phet", "ເພັດ"),
        ),
        ("Lao", "Khmu", "Hmong"),
    ),
    CountryRegister(
        "KHM",
        "KHR",
        2017,
        4.6,
        3_700_000,
        (
            ("Dara", "ដារា"),
            ("Sokha", "សុខា"),
            ("Srey", "ស្រី"),
            ("Vanna", "វណ្ណា"),
            ("Bopha", "បុប្ផា"),
            ("Sovann", "សុវណ្ណ"),
        ),
        ("Khmer", "Cham"),
    ),
)

DEFLATOR = {str(year): str(100 + 6 * (year - 2009)) for year in range(2009, 2027)}
"""Synthetic price index (2009 = 100, +6 points a year); replace with the national CPI."""


CPI = {str(year): str(100 + 6 * (year - 2021)) for year in range(2016, 2027)}
"""Synthetic consumer price index (2021 = 100, +6 points a year); replace with the national CPI."""

# Private-consumption PPP factors, local currency per international dollar of 2021. Illustrative
# orders of magnitude only (DOMAIN.md §3.4 gives relative GDP PPPs, not these) — configuration.
INTERNATIONAL_PPP = [("MMR", "420", "MMK"), ("LAO", "3200", "LAK"), ("KHM", "1500", "KHR")]


def _schemes(countries: dict[str, Country]) -> dict[str, list[PovertyScheme]]:
    on = date(2017, 1, 1)
    mmr = services.scheme_create(
        user=None,
        code="MMR-MLCS",
        name="Myanmar MLCS line (adult equivalent)",
        kind="monetary",
        country=countries["MMR"],
        valid_from=on,
        # 1,590 kyat per adult equivalent per day, 2017 prices [S46]; here on income.
        config={
            "unit": "adult_equivalent",
            "period": "day",
            "line": "1590",
            "currency": "MMK",
            "price_year": 2017,
            "deflator": DEFLATOR,
        },
        source="MLCS 2017 [S46]; deflator synthetic",
    )
    mmr_pc = services.scheme_create(
        user=None,
        code="MMR-PC",
        name="Myanmar line per person (synthetic, for exits and relapse)",
        kind="monetary",
        country=countries["MMR"],
        valid_from=on,
        # The MLCS line per adult equivalent × 2.2 adult equivalents / 4.7 persons ≈ 745 kyat
        # per person per day (synthetic conversion; relapse monitoring needs a per-person line).
        config={
            "period": "day",
            "line": "745",
            "currency": "MMK",
            "price_year": 2017,
            "deflator": DEFLATOR,
        },
        source="Derived from MLCS 2017 [S46]; synthetic",
    )
    lao = services.scheme_create(
        user=None,
        code="LAO-D285",
        name="Lao Decree 285 household line",
        kind="monetary",
        country=countries["LAO"],
        valid_from=on,
        # 192,000 kip per person per month, 2009 [S49].
        config={
            "period": "month",
            "line": "192000",
            "currency": "LAK",
            "price_year": 2009,
            "deflator": DEFLATOR,
        },
        source="Decree 285 (2009) [S49]; deflator synthetic",
    )
    khm = services.scheme_create(
        user=None,
        code="KHM-CSES",
        name="Cambodia national line (CSES 2019/20)",
        kind="monetary",
        country=countries["KHM"],
        valid_from=on,
        # 10,951 riel per person per day, 2019/20 [S51].
        config={
            "period": "day",
            "line": "10951",
            "currency": "KHR",
            "price_year": 2019,
            "deflator": DEFLATOR,
        },
        source="CSES 2019/20 [S51]; deflator synthetic",
    )
    idpoor = services.scheme_create(
        user=None,
        code="KHM-IDPOOR-R",
        name="IDPoor-style score, rural (illustrative points)",
        kind="scoring",
        country=countries["KHM"],
        valid_from=on,
        config={
            "questionnaire": "rural",
            "items": [
                {"field": "roof", "points": {"natural": 6, "rudimentary": 3}},
                {"field": "walls", "points": {"natural": 6, "rudimentary": 3}},
                {"field": "housing_area_per_person", "bands": [["0", "4", 6], ["4", "8", 3]]},
                {"field": "assets_count", "bands": [["0", "1", 8], ["1", "3", 4]]},
                {"field": "land_ha", "bands": [["0", "0.5", 8], ["0.5", "1", 4]]},
                {"field": "food_shortage_months", "bands": [["1", "4", 5], ["4", "13", 10]]},
                {"field": "members_with_disability", "bands": [["1", "20", 4]]},
                {"field": "dependency_ratio", "bands": [["1.5", "100", 4]]},
            ],
            "levels": [["level_1", 28], ["level_2", 18]],
        },
        source="Cut-offs and points illustrative (VERIFY against the MoP manual) [S52]",
    )
    mpi = services.scheme_create(
        user=None,
        code="GLOBAL-MPI",
        name="Global MPI (UNDP/OPHI)",
        kind="mpi",
        valid_from=on,
        config={},
        source="DOMAIN.md §3.5 [S54]",
    )
    international = {
        iso3: services.scheme_create(
            user=None,
            code=f"{iso3}-INTL-300",
            name=f"USD 3.00 a day, 2021 PPP ({iso3})",
            kind="international",
            country=countries[iso3],
            valid_from=on,
            config={
                "usd_per_day": "3.00",
                "ppp": ppp,
                "ppp_year": 2021,
                "cpi": CPI,
                "currency": currency,
            },
            source="World Bank line, June 2025 [S53]; PPP factor and CPI illustrative (VERIFY "
            "against WDI PA.NUS.PRVT.PP) [S55]",
        )
        for iso3, ppp, currency in INTERNATIONAL_PPP
    }
    return {
        "MMR": [mmr, mmr_pc, international["MMR"], mpi],
        "LAO": [lao, international["LAO"], mpi],
        "KHM": [khm, idpoor, international["KHM"], mpi],
    }


def build_register(
    *, rng: random.Random, countries: dict[str, Country], per_village: int | None
) -> int:
    """Households for every demonstration village; ``per_village`` caps the count (tests)."""
    schemes = _schemes(countries)
    total = 0
    for spec in REGISTERS:
        villages = list(
            Village.objects.filter(country__iso3=spec.iso3, is_demonstration=True).order_by("code")
        )
        rounds = [
            SurveyRound.objects.create(
                code=f"{spec.iso3}-{kind_code}-{spec.first_year + offset}",
                kind=kind,
                country=countries[spec.iso3],
                started_on=date(spec.first_year + offset, 3, 1),
                ended_on=date(spec.first_year + offset, 4, 30),
                instrument_version="synthetic-1",
            )
            for offset, (kind, kind_code) in enumerate(
                [
                    (RoundKind.BASELINE, "BL"),
                    (RoundKind.ANNUAL_UPDATE, "AU"),
                    (RoundKind.ANNUAL_UPDATE, "AU"),
                ]
            )
        ]
        for village in villages:
            count = village.households or 100
            if per_village is not None:
                count = min(count, per_village)
            total += _village_households(rng, spec, village, rounds, count)
        for survey_round in rounds:
            for scheme in schemes[spec.iso3]:
                services.classify_round(user=None, survey_round=survey_round, scheme=scheme)
    return total


def _village_households(
    rng: random.Random,
    spec: CountryRegister,
    village: Village,
    rounds: list[SurveyRound],
    count: int,
) -> int:
    households: list[Household] = []
    latent: list[float] = []
    for number in range(1, count + 1):
        given, given_local = rng.choice(spec.names)
        family, family_local = rng.choice(spec.names)
        households.append(
            Household(
                village=village,
                external_id=f"{village.code}-H{number:04d}",
                head_name_latin=f"{given} {family}",
                head_name_local=f"{given_local} {family_local}",
                national_id=f"SYN{rng.randint(10**8, 10**9 - 1)}",
                phone=f"+00 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                latitude=village.latitude + Decimal(f"{rng.uniform(-0.01, 0.01):.5f}"),
                longitude=village.longitude + Decimal(f"{rng.uniform(-0.01, 0.01):.5f}"),
                registered_on=rounds[0].started_on,
                is_synthetic=True,
            )
        )
        # One latent "prosperity" draw drives income, assets, housing and disability.
        latent.append(rng.gauss(0, 1))
    Household.objects.bulk_create(households)
    members: list[Member] = []
    sizes: list[int] = []
    for household in households:
        size = max(1, min(12, round(rng.gauss(spec.mean_size, 1.6))))
        sizes.append(size)
        head_year = rounds[0].started_on.year - rng.randint(25, 70)
        for index in range(size):
            relation = "head" if index == 0 else ("spouse" if index == 1 else "child")
            birth_year = (
                head_year
                if index == 0
                else (
                    head_year + rng.randint(-5, 5)
                    if index == 1
                    # Children are born when the head is 18 to 45, and not after the baseline.
                    else min(rounds[0].started_on.year, head_year + rng.randint(18, 45))
                )
            )
            given, given_local = rng.choice(spec.names)
            members.append(
                Member(
                    household=household,
                    external_id=f"{household.external_id}-M{index + 1:02d}",
                    name_latin=given,
                    name_local=given_local,
                    sex=rng.choice("FM"),
                    birth_year=birth_year,
                    relation=relation,
                    ethnicity=rng.choice(spec.ethnic_groups),
                    years_of_schooling=min(16, max(0, round(rng.gauss(6, 3.5)))),
                )
            )
    Member.objects.bulk_create(members)
    by_household: dict[int, list[Member]] = {}
    for member in members:
        by_household.setdefault(member.household_id, []).append(member)

    observations: list[HouseholdObservation] = []
    member_observations: list[MemberObservation] = []
    for household, prosperity, size in zip(households, latent, sizes, strict=True):
        treated_gain = rng.uniform(0.2, 0.6)  # DOMAIN.md §7: +20–60 % for treated households
        for position, survey_round in enumerate(rounds):
            growth = 1 + treated_gain * position / (len(rounds) - 1)
            per_capita = spec.median_income * math.exp(0.55 * prosperity) * growth
            per_capita *= rng.lognormvariate(0, 0.15)
            income = Decimal(str(round(per_capita * size, -2)))
            poorer = prosperity < -0.2
            assets = [
                a
                for a, p in (
                    ("phone", 0.8),
                    ("tv", 0.45),
                    ("motorbike", 0.4),
                    ("bicycle", 0.35),
                    ("fridge", 0.2),
                    ("radio", 0.3),
                )
                if rng.random() < p * (0.45 if poorer else 1.2)
            ]
            shocks = ["illness"] if rng.random() < 0.06 else []
            observations.append(
                HouseholdObservation(
                    household=household,
                    survey_round=survey_round,
                    observed_on=survey_round.started_on,
                    size=size,
                    currency=spec.currency,
                    income_crops=(income * Decimal("0.45")).quantize(Decimal("1")),
                    income_livestock=(income * Decimal("0.15")).quantize(Decimal("1")),
                    income_wages=(income * Decimal("0.30")).quantize(Decimal("1")),
                    income_transfers=(income * Decimal("0.10")).quantize(Decimal("1")),
                    consumption_monthly=(income / 12 * Decimal("0.9")).quantize(Decimal("1")),
                    housing_area_m2=Decimal(
                        str(round(rng.uniform(18, 70) * (0.7 if poorer else 1.1), 1))
                    ),
                    roof="natural" if poorer and rng.random() < 0.5 else "finished",
                    walls="rudimentary" if poorer and rng.random() < 0.6 else "finished",
                    floor="natural" if poorer and rng.random() < 0.4 else "finished",
                    dangerous_house=poorer and rng.random() < 0.15,
                    water_source="piped"
                    if position > 0 and rng.random() < 0.7
                    else ("unprotected" if poorer else "protected"),
                    water_minutes=rng.randint(5, 60) if position == 0 else rng.randint(0, 15),
                    sanitation="none" if poorer and rng.random() < 0.5 else "improved",
                    cooking_fuel="wood" if rng.random() < (0.9 if poorer else 0.5) else "gas",
                    electricity=position > 0 or rng.random() < 0.5,
                    assets=assets,
                    land_ha=Decimal(
                        str(round(max(0.0, rng.gauss(1.2 + 0.5 * prosperity, 0.6)), 2))
                    ),
                    livestock={"cattle": rng.randint(0, 3), "pig": rng.randint(0, 4)},
                    food_shortage_months=rng.randint(1, 5) if poorer and rng.random() < 0.5 else 0,
                    worry_food=poorer and rng.random() < 0.3,
                    child_death_5y=rng.random() < (0.06 if poorer else 0.02),
                    undernourished=rng.random() < (0.2 if poorer else 0.05),
                    shocks=shocks,
                    weight=Decimal("1"),
                )
            )
            for member in by_household[household.id]:
                age = survey_round.started_on.year - member.birth_year
                disabled = rng.random() < (0.08 if poorer else 0.03)
                member_observations.append(
                    MemberObservation(
                        member=member,
                        survey_round=survey_round,
                        attending_school=(rng.random() < (0.75 if poorer else 0.95))
                        if 6 <= age <= 16
                        else None,
                        health="chronic" if rng.random() < 0.08 else "healthy",
                        wg_walking=3 if disabled else 1,
                        labour="full" if 15 <= age <= 64 else "none",
                        medical_insurance=rng.random() < 0.8,
                        migrant_months=rng.randint(3, 9)
                        if 18 <= age <= 40 and rng.random() < 0.15
                        else 0,
                    )
                )
    HouseholdObservation.objects.bulk_create(observations, batch_size=2000)
    MemberObservation.objects.bulk_create(member_observations, batch_size=2000)
    _causes_and_assistance(rng, households, latent, spec, rounds)
    return len(households)


def _causes_and_assistance(
    rng: random.Random,
    households: list[Household],
    latent: list[float],
    spec: CountryRegister,
    rounds: list[SurveyRound],
) -> None:
    causes = [c for c in Cause.values if c != Cause.OTHER]
    measures: list[AssistanceMeasure] = []
    for household, prosperity in zip(households, latent, strict=True):
        if prosperity >= -0.2:
            continue
        household.main_cause, *secondary = rng.sample(causes, 3)
        household.secondary_causes = secondary[: rng.randint(0, 2)]
        category = rng.choice(["production", "education", "social_security", "production"])
        measures.append(
            AssistanceMeasure(
                household=household,
                category=category,
                description={
                    "production": "Cattle and feed",
                    "education": "School fees",
                    "social_security": "Cash transfer",
                }[category],
                value=Decimal(rng.randint(20, 200))
                * (Decimal("1000") if spec.currency != "KHR" else Decimal("4000")),
                currency=spec.currency,
                value_date=rounds[0].ended_on or rounds[0].started_on,
            )
        )
    Household.objects.bulk_update(households, ["main_cause", "secondary_causes"], batch_size=2000)
    AssistanceMeasure.objects.bulk_create(measures, batch_size=2000)


def build_exits(*, rng: random.Random, countries: dict[str, Country], users: dict[str, Any]) -> int:
    """Exit policies, exit cases at every step, and a relapse scan, for the demo register."""
    from datetime import timedelta

    from mekong.registry import exits, relapse
    from mekong.registry.models import Classification

    worker = {"MMR": "kyaw", "LAO": "souksavanh", "KHM": "sokha"}
    partner = {"MMR": "thida", "LAO": "souksavanh", "KHM": "sokha"}
    national = {"MMR": "MMR-PC", "LAO": "LAO-D285", "KHM": "KHM-CSES"}
    cases = 0
    for iso3, scheme_code in national.items():
        scheme = PovertyScheme.objects.get(code=scheme_code)
        last_round = (
            SurveyRound.objects.filter(country=countries[iso3]).order_by("started_on").last()
        )
        if last_round is None:
            continue
        policy = exits.exit_policy_create(
            user=None,
            country=countries[iso3],
            name=f"{iso3} exit rules (synthetic)",
            scheme=scheme,
            valid_from=date(2016, 1, 1),
            notice_days=7,
        )
        # Households poor at baseline and non-poor in the last round are exit candidates.
        candidates = list(
            Classification.objects.filter(scheme=scheme, survey_round=last_round, poor=False)
            .filter(
                household__classifications__scheme=scheme, household__classifications__poor=True
            )
            .select_related("household", "household__village")
            .distinct()
            .order_by("household__external_id")[:14]
        )
        on = (last_round.ended_on or last_round.started_on) + timedelta(days=10)
        for number, result in enumerate(candidates):
            household = result.household
            stop = number % 7  # 0 proposed … 6 exited: some cases at each step
            case = exits.exit_case_propose(
                user=users[worker[iso3]], household=household, survey_round=last_round, on=on
            )
            _advance_case(
                case,
                stop=stop,
                on=on,
                rng=rng,
                worker=users[worker[iso3]],
                officer=users["li.wei"],
                partner=users[partner[iso3]],
            )
            cases += 1
        if scheme.config.get("unit", "person") == "person":
            relapse.relapse_scan(survey_round=last_round, policy=policy, on=on)
    return cases


def _advance_case(
    case: Any,
    *,
    stop: int,
    on: date,
    rng: random.Random,
    worker: Any,
    officer: Any,
    partner: Any,
) -> None:
    """Take a new exit case ``stop`` steps along: visit, appraisal, notice, close, approvals."""
    from datetime import timedelta

    from mekong.registry import exits

    if stop >= 1:
        case = exits.exit_case_record_visit(
            user=worker, case=case, on=on + timedelta(days=3), confirms_non_poor=True
        )
    if stop >= 2:
        case = exits.exit_case_appraise(
            user=worker,
            case=case,
            on=on + timedelta(days=10),
            passed=True,
            votes_for=rng.randint(15, 30),
            votes_against=rng.randint(0, 3),
        )
    if stop >= 3:
        case = exits.exit_case_post_notice(user=worker, case=case, on=on + timedelta(days=12))
    if stop >= 4:
        case = exits.exit_case_close_notice(user=worker, case=case, on=on + timedelta(days=19))
    if stop >= 5:
        exits.exit_case_approve(user=officer, case=case, on=on + timedelta(days=25))
    if stop >= 6:
        case.refresh_from_db()
        exits.exit_case_approve(user=partner, case=case, on=on + timedelta(days=26))
