"""Identification schemes: validated configuration and the rule that classifies a household.

Each kind of scheme has a pydantic configuration (stored in ``PovertyScheme.config``) and an
``evaluate`` that turns one household's facts in one round into a result with reasons:

- ``monetary``: national line per person or adult equivalent, per day, month or year, in
  prices of a base year moved to the survey year with a deflator series;
- ``international``: USD per person per day at 2021 PPP, converted to local currency with the
  PPP factor and the CPI (mekong.measure.lines.international_line);
- ``mpi``: the global MPI's ten indicators with configurable weights and k, identified exactly
  with fractions (a score of exactly k is poor);
- ``china``: per-capita net income against the national line, together with "two no-worries,
  three guarantees" (and safe drinking water);
- ``scoring``: points per answer and level cut-offs in the style of Cambodia's IDPoor, with
  separate rural and urban questionnaires.

Poor means strictly below a monetary line by default (the World Bank's rule).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mekong.core.errors import InvalidInput
from mekong.measure.lines import international_line
from mekong.measure.mpi import as_fraction

DAYS_PER_YEAR = Decimal("365")
MONTHS_PER_YEAR = Decimal("12")

Welfare = Literal["income", "consumption"]
Period = Literal["day", "month", "year"]


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MonetaryConfig(_Config):
    welfare: Welfare = "income"
    unit: Literal["person", "adult_equivalent"] = "person"
    scale: Literal["oecd", "oecd_modified", "square_root"] = "oecd_modified"
    period: Period
    line: Annotated[Decimal, Field(gt=0)]
    currency: Annotated[str, Field(min_length=3, max_length=3)]
    price_year: int
    deflator: dict[int, Annotated[Decimal, Field(gt=0)]] = Field(default_factory=dict)
    at_or_below: bool = False


class InternationalConfig(_Config):
    usd_per_day: Annotated[Decimal, Field(gt=0)] = Decimal("3.00")
    ppp: Annotated[Decimal, Field(gt=0)]
    ppp_year: int = 2021
    cpi: dict[int, Annotated[Decimal, Field(gt=0)]]
    currency: Annotated[str, Field(min_length=3, max_length=3)]
    welfare: Welfare = "income"
    at_or_below: bool = False


MpiIndicator = Literal[
    "nutrition",
    "child_mortality",
    "years_of_schooling",
    "school_attendance",
    "cooking_fuel",
    "sanitation",
    "drinking_water",
    "electricity",
    "housing",
    "assets",
]
GLOBAL_MPI_WEIGHTS: dict[MpiIndicator, str] = {
    "nutrition": "1/6",
    "child_mortality": "1/6",
    "years_of_schooling": "1/6",
    "school_attendance": "1/6",
    "cooking_fuel": "1/18",
    "sanitation": "1/18",
    "drinking_water": "1/18",
    "electricity": "1/18",
    "housing": "1/18",
    "assets": "1/18",
}


class MpiConfig(_Config):
    weights: dict[MpiIndicator, str] = Field(default_factory=lambda: dict(GLOBAL_MPI_WEIGHTS))
    k: str = "1/3"
    vulnerable_from: str = "1/5"
    severe_from: str = "1/2"
    school_age: tuple[int, int] = (6, 14)
    water_minutes: int = 30

    @field_validator("weights")
    @classmethod
    def _weights_sum_to_one(cls, weights: dict[str, str]) -> dict[str, str]:
        total = sum((Fraction(w) for w in weights.values()), Fraction(0))
        if total != 1:
            raise ValueError(f"the weights add up to {total}, not 1")
        return weights

    @field_validator("k", "vulnerable_from", "severe_from")
    @classmethod
    def _fraction(cls, value: str) -> str:
        fraction = Fraction(value)
        if not 0 < fraction <= 1:
            raise ValueError("must be a fraction in (0, 1]")
        return value


Guarantee = Literal["food", "clothing", "education", "medical", "housing", "water"]
ALL_GUARANTEES: tuple[Guarantee, ...] = (
    "food",
    "clothing",
    "education",
    "medical",
    "housing",
    "water",
)


class ChinaConfig(_Config):
    line: Annotated[Decimal, Field(gt=0)] = Decimal("2300")
    price_year: int = 2010
    deflator: dict[int, Annotated[Decimal, Field(gt=0)]]
    currency: str = "CNY"
    guarantees: list[Guarantee] = Field(default_factory=lambda: list(ALL_GUARANTEES))
    compulsory_school_age: tuple[int, int] = (6, 15)


ScoredField = Literal[
    "roof",
    "walls",
    "floor",
    "housing_area_per_person",
    "land_ha",
    "livestock_head",
    "assets_count",
    "food_shortage_months",
    "dependency_ratio",
    "members_with_disability",
    "electricity",
    "water_source",
    "sanitation",
    "cooking_fuel",
]


class ScoringItem(_Config):
    field: ScoredField
    points: dict[str, int] | None = None  # answer → points
    bands: list[tuple[Decimal, Decimal, int]] | None = None  # [low, high) → points

    @field_validator("bands")
    @classmethod
    def _ordered(
        cls, bands: list[tuple[Decimal, Decimal, int]] | None
    ) -> list[tuple[Decimal, Decimal, int]] | None:
        for low, high, _points in bands or []:
            if high <= low:
                raise ValueError(f"band [{low}, {high}) is empty")
        return bands


class ScoringConfig(_Config):
    questionnaire: Literal["rural", "urban"]
    items: list[ScoringItem]
    # Highest cut-off first: ("level_1", 59) means 59 points or more is Poor Level 1.
    levels: list[tuple[str, int]]

    @field_validator("levels")
    @classmethod
    def _descending(cls, levels: list[tuple[str, int]]) -> list[tuple[str, int]]:
        cut_offs = [cut for _name, cut in levels]
        if not levels or cut_offs != sorted(cut_offs, reverse=True):
            raise ValueError("levels must be given highest cut-off first")
        return levels


CONFIGS: dict[str, type[_Config]] = {
    "monetary": MonetaryConfig,
    "international": InternationalConfig,
    "mpi": MpiConfig,
    "china": ChinaConfig,
    "scoring": ScoringConfig,
}


def parse_config(kind: str, config: dict[str, Any]) -> _Config:
    """Validate a scheme's configuration; InvalidInput names the first wrong key."""
    model = CONFIGS.get(kind)
    if model is None:
        raise InvalidInput(f"kind: unknown scheme kind {kind!r}.", field="kind")
    try:
        return model.model_validate(config)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "config"
        raise InvalidInput(f"config.{where}: {first['msg']}", field=f"config.{where}") from exc


@dataclass(frozen=True)
class MemberFacts:
    age: int
    years_of_schooling: int | None
    attending_school: bool | None
    health: str
    has_disability: bool
    medical_insurance: bool | None
    labour: str


@dataclass(frozen=True)
class HouseholdFacts:
    """What the rules need of one household in one round (assembled by registry.services)."""

    year: int
    size: int
    net_income: Decimal  # per year
    consumption_monthly: Decimal | None
    roof: str = ""
    walls: str = ""
    floor: str = ""
    housing_area_m2: Decimal | None = None
    dangerous_house: bool = False
    water_source: str = ""
    water_minutes: int | None = None
    sanitation: str = ""
    cooking_fuel: str = ""
    electricity: bool = False
    assets: tuple[str, ...] = ()
    land_ha: Decimal = Decimal("0")
    livestock_head: int = 0
    food_shortage_months: int = 0
    worry_food: bool = False
    worry_clothing: bool = False
    child_death_5y: bool = False
    undernourished: bool = False
    members: tuple[MemberFacts, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Result:
    poor: bool
    level: str
    value: Decimal | None
    reasons: dict[str, Any]


def money_text(value: Decimal) -> str:
    """A Decimal as text with two decimals (half up), for reasons and evidence."""
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _per_period(annual: Decimal, period: Period) -> Decimal:
    if period == "day":
        return annual / DAYS_PER_YEAR
    if period == "month":
        return annual / MONTHS_PER_YEAR
    return annual


def _annual_welfare(facts: HouseholdFacts, welfare: Welfare) -> Decimal:
    if welfare == "consumption":
        if facts.consumption_monthly is None:
            raise InvalidInput("consumption_monthly: the round recorded no consumption.")
        return facts.consumption_monthly * MONTHS_PER_YEAR
    return facts.net_income


def adult_equivalents(facts: HouseholdFacts, scale: str) -> Decimal:
    """OECD (1 + 0.7(A−1) + 0.5C), OECD-modified (1 + 0.5(A−1) + 0.3C) or √size; adults are
    14 and over (OECD 2013, §8.5). Falls back to household size when members are missing."""
    if not facts.members:
        return Decimal(facts.size)
    adults = sum(1 for m in facts.members if m.age >= 14)
    children = len(facts.members) - adults
    if scale == "square_root":
        return Decimal(len(facts.members)).sqrt()
    extra, child = (
        (Decimal("0.7"), Decimal("0.5")) if scale == "oecd" else (Decimal("0.5"), Decimal("0.3"))
    )
    if adults == 0:  # a child-headed household: the first child counts as the first adult
        adults, children = 1, children - 1
    return 1 + extra * (adults - 1) + child * children


def _deflate(line: Decimal, price_year: int, year: int, deflator: dict[int, Decimal]) -> Decimal:
    if year == price_year:
        return line
    missing = [y for y in (price_year, year) if y not in deflator]
    if missing:
        raise InvalidInput(f"config.deflator: no price index for {missing[0]}.")
    return line * deflator[year] / deflator[price_year]


def _is_poor(welfare: Decimal, line: Decimal, at_or_below: bool) -> bool:
    return welfare <= line if at_or_below else welfare < line


def evaluate_monetary(config: MonetaryConfig, facts: HouseholdFacts) -> Result:
    units = (
        adult_equivalents(facts, config.scale)
        if config.unit == "adult_equivalent"
        else Decimal(facts.size)
    )
    welfare = _per_period(_annual_welfare(facts, config.welfare), config.period) / units
    line = _deflate(config.line, config.price_year, facts.year, config.deflator)
    poor = _is_poor(welfare, line, config.at_or_below)
    return Result(
        poor=poor,
        level="poor" if poor else "non_poor",
        value=welfare,
        reasons={
            "welfare": money_text(welfare),
            "line": money_text(line),
            "currency": config.currency,
            "per": f"{config.unit}/{config.period}",
            "failed": ["income"] if poor else [],
        },
    )


def evaluate_international(config: InternationalConfig, facts: HouseholdFacts) -> Result:
    if config.ppp_year not in config.cpi or facts.year not in config.cpi:
        missing = config.ppp_year if config.ppp_year not in config.cpi else facts.year
        raise InvalidInput(f"config.cpi: no consumer price index for {missing}.")
    line = international_line(
        config.usd_per_day,
        ppp=config.ppp,
        cpi=config.cpi[facts.year],
        cpi_base=config.cpi[config.ppp_year],
    )
    welfare = _annual_welfare(facts, config.welfare) / DAYS_PER_YEAR / facts.size
    poor = _is_poor(welfare, line, config.at_or_below)
    return Result(
        poor=poor,
        level="poor" if poor else "non_poor",
        value=welfare,
        reasons={
            "welfare": money_text(welfare),
            "line": money_text(line),
            "currency": config.currency,
            "per": "person/day",
            "usd_per_day": str(config.usd_per_day),
            "failed": ["income"] if poor else [],
        },
    )


SMALL_ASSETS = {"radio", "tv", "phone", "computer", "cart", "bicycle", "motorbike", "fridge"}
LARGE_ASSETS = {"car", "truck"}


def mpi_deprivations(config: MpiConfig, facts: HouseholdFacts) -> dict[str, bool]:
    """The ten global MPI indicators (UNDP/OPHI; DOMAIN.md §3.5) for one household."""
    low, high = config.school_age
    schooled = [m.years_of_schooling for m in facts.members if m.age >= 10]
    known = [years for years in schooled if years is not None]
    return {
        "nutrition": facts.undernourished,
        "child_mortality": facts.child_death_5y,
        "years_of_schooling": bool(known) and max(known) < 6,
        "school_attendance": any(
            low <= m.age <= high and m.attending_school is False for m in facts.members
        ),
        "cooking_fuel": facts.cooking_fuel in {"wood", "charcoal", "dung"},
        "sanitation": facts.sanitation in {"shared", "unimproved", "none"},
        "drinking_water": facts.water_source in {"unprotected", "surface"}
        or (facts.water_minutes is not None and facts.water_minutes >= config.water_minutes),
        "electricity": not facts.electricity,
        "housing": facts.floor == "natural"
        or facts.roof in {"natural", "rudimentary"}
        or facts.walls in {"natural", "rudimentary"},
        "assets": len(SMALL_ASSETS.intersection(facts.assets)) <= 1
        and not LARGE_ASSETS.intersection(facts.assets),
    }


def evaluate_mpi(config: MpiConfig, facts: HouseholdFacts) -> Result:
    deprived = mpi_deprivations(config, facts)
    weights = {name: as_fraction(weight, name) for name, weight in config.weights.items()}
    # Exact arithmetic: 6 of 12 equal weights at k = 1/2 is poor, which floats can miss.
    score = sum(
        (
            weights[name]
            for name, is_deprived in deprived.items()
            if is_deprived and name in weights
        ),
        Fraction(0),
    )
    k = Fraction(config.k)
    poor = score >= k
    if score >= Fraction(config.severe_from) and poor:
        level = "severe"
    elif poor:
        level = "poor"
    elif score >= Fraction(config.vulnerable_from):
        level = "vulnerable"
    else:
        level = "non_poor"
    return Result(
        poor=poor,
        level=level,
        value=Decimal(score.numerator) / Decimal(score.denominator),
        reasons={
            "score": f"{score.numerator}/{score.denominator}",
            "k": config.k,
            "deprivations": sorted(n for n, d in deprived.items() if d and n in weights),
        },
    )


def china_guarantee_failures(config: ChinaConfig, facts: HouseholdFacts) -> list[str]:
    low, high = config.compulsory_school_age
    checks = {
        "food": facts.worry_food,
        "clothing": facts.worry_clothing,
        "education": any(
            low <= m.age <= high and m.attending_school is False for m in facts.members
        ),
        "medical": any(m.medical_insurance is False for m in facts.members),
        "housing": facts.dangerous_house,
        "water": facts.water_source in {"unprotected", "surface"},
    }
    return [name for name in config.guarantees if checks[name]]


def evaluate_china(config: ChinaConfig, facts: HouseholdFacts) -> Result:
    line = _deflate(config.line, config.price_year, facts.year, config.deflator)
    per_capita = facts.net_income / facts.size
    failed = china_guarantee_failures(config, facts)
    if per_capita < line:
        failed = ["income", *failed]
    poor = bool(failed)
    return Result(
        poor=poor,
        level="poor" if poor else "non_poor",
        value=per_capita,
        reasons={
            "per_capita_income": money_text(per_capita),
            "line": money_text(line),
            "currency": config.currency,
            "failed": failed,
        },
    )


def _scored_value(name: str, facts: HouseholdFacts) -> str | Decimal:
    members = facts.members
    if name == "housing_area_per_person":
        area = facts.housing_area_m2 or Decimal("0")
        return area / facts.size
    if name == "land_ha":
        return facts.land_ha
    if name == "livestock_head":
        return Decimal(facts.livestock_head)
    if name == "assets_count":
        return Decimal(len(set(facts.assets)))
    if name == "food_shortage_months":
        return Decimal(facts.food_shortage_months)
    if name == "dependency_ratio":
        earners = sum(1 for m in members if 15 <= m.age <= 64 and m.labour != "none")
        dependants = len(members) - earners
        return Decimal(dependants) / Decimal(max(earners, 1))
    if name == "members_with_disability":
        return Decimal(sum(1 for m in members if m.has_disability))
    if name == "electricity":
        return "yes" if facts.electricity else "no"
    value: str = getattr(facts, name)
    return value


def evaluate_scoring(config: ScoringConfig, facts: HouseholdFacts) -> Result:
    total = 0
    items: dict[str, int] = {}
    for item in config.items:
        value = _scored_value(item.field, facts)
        points = 0
        if item.points is not None:
            points = item.points.get(str(value), 0)
        elif item.bands is not None and isinstance(value, Decimal):
            points = next((p for low, high, p in item.bands if low <= value < high), 0)
        items[item.field] = points
        total += points
    level = next((name for name, cut in config.levels if total >= cut), "non_poor")
    return Result(
        poor=level != "non_poor",
        level=level,
        value=Decimal(total),
        reasons={"score": total, "items": items, "questionnaire": config.questionnaire},
    )


def evaluate(kind: str, config: _Config, facts: HouseholdFacts) -> Result:
    if isinstance(config, MonetaryConfig):
        return evaluate_monetary(config, facts)
    if isinstance(config, InternationalConfig):
        return evaluate_international(config, facts)
    if isinstance(config, MpiConfig):
        return evaluate_mpi(config, facts)
    if isinstance(config, ChinaConfig):
        return evaluate_china(config, facts)
    if isinstance(config, ScoringConfig):
        return evaluate_scoring(config, facts)
    raise InvalidInput(f"kind: unknown scheme kind {kind!r}.", field="kind")


PERIODS_PER_YEAR = {"day": DAYS_PER_YEAR, "month": MONTHS_PER_YEAR, "year": Decimal("1")}


def annual_line_per_person(kind: str, config: dict[str, Any], year: int) -> tuple[Decimal, str]:
    """A monetary scheme's line per person per year in ``year``'s prices, with its currency.

    Used where a household's per-capita income is compared with a multiple of the line (relapse
    monitoring). Lines set per adult equivalent and non-monetary schemes have no such line.
    """
    parsed = parse_config(kind, config)
    if isinstance(parsed, MonetaryConfig):
        if parsed.unit != "person":
            raise InvalidInput(
                "policy: the scheme's line is per adult equivalent; relapse monitoring needs a "
                "line per person.",
                field="policy",
            )
        line = _deflate(parsed.line, parsed.price_year, year, parsed.deflator)
        return line * PERIODS_PER_YEAR[parsed.period], parsed.currency
    if isinstance(parsed, ChinaConfig):
        return _deflate(parsed.line, parsed.price_year, year, parsed.deflator), parsed.currency
    if isinstance(parsed, InternationalConfig):
        if parsed.ppp_year not in parsed.cpi or year not in parsed.cpi:
            missing = parsed.ppp_year if parsed.ppp_year not in parsed.cpi else year
            raise InvalidInput(f"config.cpi: no consumer price index for {missing}.")
        daily = international_line(
            parsed.usd_per_day,
            ppp=parsed.ppp,
            cpi=parsed.cpi[year],
            cpi_base=parsed.cpi[parsed.ppp_year],
        )
        return daily * DAYS_PER_YEAR, parsed.currency
    raise InvalidInput("policy: the scheme has no monetary line.", field="policy")
