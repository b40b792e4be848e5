"""What a survey round observed, imported from the same file as the register (docs/import.md).

With ``--round CODE`` the household import also reads the round's observations: household
columns (income by source, consumption, housing, water, sanitation, fuel, electricity,
assets, land, livestock, food security, shocks) repeated on each of the household's rows,
and member columns (school attendance, health, the Washington Group short set, labour,
insurance, migration) on each member's row. They are validated with the register's rows —
every problem as (row, column, value, reason) — and written in the same transaction,
upserted by household (or member) and round: an unchanged observation is left alone.

A column absent from the file is never changed on an observation already recorded; a new
observation takes the defaults below (the model's, the round's start date and country's
currency, and the number of the household's present members on the file as its size).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.utils.translation import gettext as _

from mekong.core.codelists import currency_codes
from mekong.registry.models.households import (
    CookingFuel,
    Health,
    Labour,
    Material,
    Sanitation,
    WaterSource,
)

INCOME_COLUMNS = (
    "income_crops",
    "income_livestock",
    "income_wages",
    "income_business",
    "income_transfers",
    "income_remittances",
    "income_property",
    "production_costs",
)
HOUSEHOLD_OBSERVATION_COLUMNS = (
    "observed_on",
    "size",
    "weight",
    "currency",
    *INCOME_COLUMNS,
    "consumption_monthly",
    "housing_area_m2",
    "roof",
    "walls",
    "floor",
    "dangerous_house",
    "water_source",
    "water_minutes",
    "sanitation",
    "cooking_fuel",
    "electricity",
    "assets",
    "land_ha",
    "livestock",
    "food_shortage_months",
    "worry_food",
    "worry_clothing",
    "child_death_5y",
    "undernourished",
    "shocks",
)
WG_COLUMNS = (
    "wg_seeing",
    "wg_hearing",
    "wg_walking",
    "wg_cognition",
    "wg_self_care",
    "wg_communication",
)
MEMBER_OBSERVATION_COLUMNS = (
    "attending_school",
    "health",
    *WG_COLUMNS,
    "labour",
    "medical_insurance",
    "migrant_months",
)
# (integer digits, decimal places) of each decimal column, as the model stores it.
DECIMALS: dict[str, tuple[int, int]] = {
    **dict.fromkeys(INCOME_COLUMNS, (16, 2)),
    "consumption_monthly": (16, 2),
    "weight": (8, 4),
    "housing_area_m2": (6, 1),
    "land_ha": (5, 3),
}
# (lowest, highest) of each whole-number column.
WHOLE_NUMBERS: dict[str, tuple[int, int]] = {
    "size": (1, 200),
    "water_minutes": (0, 1440),
    "food_shortage_months": (0, 12),
    "migrant_months": (0, 12),
    **dict.fromkeys(WG_COLUMNS, (1, 4)),
}
FLAGS = (
    "dangerous_house",
    "electricity",
    "worry_food",
    "worry_clothing",
    "child_death_5y",
    "undernourished",
)
OPTIONAL_FLAGS = ("attending_school", "medical_insurance")
CODE_LISTS = ("assets", "shocks")
CODE_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
MAX_HEAD_OF_LIVESTOCK = 100_000


def _codes(choices: Iterable[tuple[str, Any]]) -> list[str]:
    return [code for code, _label in choices]


CHOICES: dict[str, list[str]] = {
    "roof": _codes(Material.choices),
    "walls": _codes(Material.choices),
    "floor": _codes(Material.choices),
    "water_source": _codes(WaterSource.choices),
    "sanitation": _codes(Sanitation.choices),
    "cooking_fuel": _codes(CookingFuel.choices),
    "health": _codes(Health.choices),
    "labour": _codes(Labour.choices),
}
HOUSEHOLD_CHOICES = ("roof", "walls", "floor", "water_source", "sanitation", "cooking_fuel")


@dataclass(frozen=True)
class RoundFacts:
    """What the checks and defaults need of the survey round."""

    id: int
    code: str
    country_id: int
    currency: str
    started_on: dt.date
    ended_on: dt.date | None


def wanted(present: frozenset[str]) -> tuple[bool, bool]:
    """Whether the file has household and member observation columns."""
    return (
        bool(present.intersection(HOUSEHOLD_OBSERVATION_COLUMNS)),
        bool(present.intersection(MEMBER_OBSERVATION_COLUMNS)),
    )


def _list_of_codes(column: str) -> pl.Expr:
    return (
        pl.col(column)
        .str.to_lowercase()
        .str.split(";")
        .list.eval(pl.element().str.strip_chars())
        .list.eval(pl.element().filter(pl.element() != ""))
    )


def typed(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``<column>_v``: each observation column parsed (null where absent or invalid)."""
    columns: list[pl.Expr] = [
        pl.col("observed_on").str.to_date("%Y-%m-%d", strict=False).alias("observed_on_v"),
        pl.col("currency").str.to_uppercase().alias("currency_v"),
    ]
    for column, (digits, places) in DECIMALS.items():
        pattern = rf"^\d{{1,{digits}}}(\.\d{{1,{places}}})?$"
        columns.append(
            pl.when(pl.col(column).str.contains(pattern)).then(pl.col(column)).alias(f"{column}_v")
        )
    for column in WHOLE_NUMBERS:
        number = pl.col(column).cast(pl.Float64, strict=False)
        columns.append(
            pl.when(number == number.floor())
            .then(number.cast(pl.Int64, strict=False))
            .alias(f"{column}_v")
        )
    for column in (*FLAGS, *OPTIONAL_FLAGS):
        word = pl.col(column).str.to_lowercase()
        columns.append(
            pl.when(word.is_in(("true", "yes", "y", "1")))
            .then(True)
            .when(word.is_in(("false", "no", "n", "0")))
            .then(False)
            .alias(f"{column}_v")
        )
    for column in CODE_LISTS:
        columns.append(_list_of_codes(column).alias(f"{column}_v"))
    return frame.with_columns(columns)


def _livestock_pairs(text: str) -> list[list[str]]:
    parts = [part.strip() for part in text.lower().split(";") if part.strip()]
    return [[p.strip() for p in part.split(":", 1)] for part in parts]


def _livestock_problem(text: str) -> bool:
    seen: set[str] = set()
    for pair in _livestock_pairs(text):
        if len(pair) != 2:
            return True
        species, count = pair
        if not species or species in seen or not count.isdigit():
            return True
        if int(count) > MAX_HEAD_OF_LIVESTOCK:
            return True
        seen.add(species)
    return False


def _livestock_json(text: str) -> str:
    # Rows with a problem are reported and never written; a dry run still counts them.
    valid = [p for p in _livestock_pairs(text) if len(p) == 2 and p[1].isdigit()]
    return json.dumps({species: int(count) for species, count in valid}, sort_keys=True)


def check(
    checks: Any,
    *,
    present: frozenset[str],
    survey_round: RoundFacts | None,
    today: dt.date,
) -> None:
    """Record every failing observation value on ``checks`` (``imports._Checks``)."""
    household_wanted, member_wanted = wanted(present)
    if not (household_wanted or member_wanted):
        return
    if survey_round is None:
        first = next(
            c for c in (*HOUSEHOLD_OBSERVATION_COLUMNS, *MEMBER_OBSERVATION_COLUMNS) if c in present
        )
        checks.fail(
            pl.col("_row") == pl.col("_row").min(),
            first,
            _("Observation columns need a survey round: name one (--round CODE)."),
        )
        return
    checks.fail(
        pl.col("country_id").is_not_null() & (pl.col("country_id") != survey_round.country_id),
        "village_code",
        _("This village is in another country than survey round %(code)s.")
        % {"code": survey_round.code},
    )
    last = min(survey_round.ended_on or today, today)
    checks.fail(
        pl.col("observed_on").is_not_null()
        & (
            pl.col("observed_on_v").is_null()
            | (pl.col("observed_on_v") < survey_round.started_on)
            | (pl.col("observed_on_v") > last)
        ),
        "observed_on",
        _("A date written YYYY-MM-DD within round %(code)s (%(start)s to %(end)s).")
        % {"code": survey_round.code, "start": survey_round.started_on, "end": last},
    )
    currencies = sorted(currency_codes())
    checks.fail(
        pl.col("currency").is_not_null() & ~pl.col("currency_v").is_in(currencies),
        "currency",
        _("Not an ISO 4217 currency code (such as MMK, LAK, CNY or USD)."),
    )
    for column, (digits, places) in DECIMALS.items():
        checks.fail(
            pl.col(column).is_not_null() & pl.col(f"{column}_v").is_null(),
            column,
            _(
                "A number of at least 0 with at most %(digits)s digits before the decimal "
                "point and %(places)s after it (no thousands separators)."
            )
            % {"digits": digits, "places": places},
        )
    checks.fail(
        pl.col("weight_v").cast(pl.Float64) == 0, "weight", _("A survey weight must be above 0.")
    )
    for column, (lowest, highest) in WHOLE_NUMBERS.items():
        checks.fail(
            pl.col(column).is_not_null()
            & (
                pl.col(f"{column}_v").is_null()
                | (pl.col(f"{column}_v") < lowest)
                | (pl.col(f"{column}_v") > highest)
            ),
            column,
            _("A whole number from %(lowest)s to %(highest)s.")
            % {"lowest": lowest, "highest": highest},
        )
    for column in (*FLAGS, *OPTIONAL_FLAGS):
        checks.fail(
            pl.col(column).is_not_null() & pl.col(f"{column}_v").is_null(),
            column,
            _("Write yes or no (true/false, 1/0)."),
        )
    for column, codes in CHOICES.items():
        checks.fail(
            pl.col(column).is_not_null() & ~pl.col(column).is_in(codes),
            column,
            _("Not one of the allowed values: %(codes)s.") % {"codes": ", ".join(codes)},
        )
    for column in CODE_LISTS:
        checks.fail(
            ~pl.col(f"{column}_v").list.eval(pl.element().str.contains(CODE_PATTERN)).list.all(),
            column,
            _(
                "Separate codes with “;”; each starts with a letter and has only the letters "
                "a–z, digits and “_” (at most 40)."
            ),
        )
    # Each household's value repeats on its members' rows: parse each distinct value once.
    distinct = checks.frame["livestock"].drop_nulls().unique().to_list()
    checks.fail(
        pl.col("livestock").is_in([text for text in distinct if _livestock_problem(text)]),
        "livestock",
        _("Write species:head separated by “;” (for example cattle:2;pig:3), each species once."),
    )
    if household_wanted:
        present_members = pl.col("is_present_b").fill_null(True).cast(pl.Int32)
        checks.fail(
            pl.col("size").is_null()
            & (present_members.sum().over("household_id") == 0)
            & pl.col("household_id").is_first_distinct(),
            "size",
            _("No member of this household on the file is present: give its size."),
        )


def household_observation_frame(frame: pl.DataFrame, *, survey_round: RoundFacts) -> pl.DataFrame:
    """One row per household: every column of the observation, defaults where absent."""
    aggregated = frame.group_by("household_id", maintain_order=True).agg(
        pl.col("_row").first().alias("row_number"),
        pl.col("is_present_b").fill_null(True).cast(pl.Int32).sum().alias("present_members"),
        pl.col("observed_on_v").first().alias("observed_on"),
        pl.col("size_v").first().alias("size"),
        pl.col("currency_v").first().alias("currency"),
        *(pl.col(f"{c}_v").first().alias(c) for c in DECIMALS),
        *(pl.col(c).first() for c in HOUSEHOLD_CHOICES),
        *(pl.col(f"{c}_v").first().alias(c) for c in ("water_minutes", "food_shortage_months")),
        *(pl.col(f"{c}_v").first().alias(c) for c in FLAGS),
        *(pl.col(f"{c}_v").first().alias(c) for c in CODE_LISTS),
        pl.col("livestock").first(),
    )
    empty_list = pl.lit([], dtype=pl.List(pl.String))
    return aggregated.rename({"household_id": "household_external_id"}).with_columns(
        pl.col("observed_on").fill_null(survey_round.started_on),
        pl.col("size").fill_null(pl.col("present_members")),
        pl.col("currency").fill_null(survey_round.currency),
        pl.col("weight").fill_null("1"),
        *(pl.col(c).fill_null("0") for c in (*INCOME_COLUMNS, "land_ha")),
        *(pl.col(c).fill_null("") for c in HOUSEHOLD_CHOICES),
        pl.col("food_shortage_months").fill_null(0),
        *(pl.col(c).fill_null(False) for c in FLAGS),
        *(
            pl.col(c)
            .fill_null(empty_list)
            .map_elements(lambda codes: json.dumps(list(codes)), return_dtype=pl.String)
            for c in CODE_LISTS
        ),
        pl.col("livestock").map_elements(_livestock_json, return_dtype=pl.String).fill_null("{}"),
    )


def member_observation_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per member: every column of the observation, defaults where absent."""
    return frame.select(
        pl.col("_row").alias("row_number"),
        pl.col("member_id").alias("member_external_id"),
        pl.col("attending_school_v").alias("attending_school"),
        pl.col("health").fill_null(""),
        *(pl.col(f"{c}_v").fill_null(1).alias(c) for c in WG_COLUMNS),
        pl.col("labour").fill_null(""),
        pl.col("medical_insurance_v").alias("medical_insurance"),
        pl.col("migrant_months_v").fill_null(0).alias("migrant_months"),
    )


# Columns of the observation tables, in the order the writers stage and insert them.
HOUSEHOLD_OBSERVATION_INSERT = HOUSEHOLD_OBSERVATION_COLUMNS
MEMBER_OBSERVATION_INSERT = MEMBER_OBSERVATION_COLUMNS
JSON_COLUMNS = frozenset({"assets", "shocks", "livestock"})
