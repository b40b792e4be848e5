"""The register as Polars frames for computing a framework's indicators.

One row per household and survey round (``households``), with the people observed in that
round counted by sex, age band and disability (person-level disaggregations need only these
counts, so no frame of 4.7 million people is ever built). Frames carry internal ids and
codes only — never a name, an ID number, a phone or a home's coordinates — so nothing
personal can leak into values, analyses or logs.

On PostgreSQL every query runs as ``COPY (SELECT …) TO STDOUT`` (CSV) straight into Polars,
which reads a million households in seconds; elsewhere (SQLite) a plain cursor fetch. Both
paths run the same SELECTs and the same post-processing, so they give the same frame.

Household frame columns:

``household_id, round_id, village, country, round, round_year, is_sample, observed_on,
size, weight, currency, per_capita_income``, the fields of
:data:`mekong.results.computations.OBSERVATION_FIELDS`, ``head_sex``, ``head_age_band``,
``head_ethnicity`` (``"unknown"`` when blank), ``disability`` (a member has "a lot of
difficulty" or "cannot do" in a Washington Group domain in that round), the people counts
``people:sex=F``, ``people:sex=M``, ``people:age_band=<band>``, ``people:disability=yes|no``
(the household's present members, aged in the round's year), and per scheme code
``<code>:poor``, ``<code>:level``, ``<code>:value`` (the latest version of the scheme that
classified the household in the round) plus ``<code>:d:<indicator>`` booleans for MPI
schemes (from ``Classification.reasons["deprivations"]``).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.db import connection

from mekong.geo.models import Country, Village
from mekong.projects.models import Project
from mekong.registry.models import (
    Classification,
    Household,
    HouseholdObservation,
    Member,
    MemberObservation,
    PovertyScheme,
    SchemeKind,
    SurveyRound,
)
from mekong.registry.schemes import GLOBAL_MPI_WEIGHTS, MpiConfig
from mekong.results.computations import OBSERVATION_FIELDS
from mekong.results.models import ResultsFramework

# Age bands (DOMAIN.md §4: children, youth 15–24, adults, elderly 60+), upper bounds inclusive.
AGE_BANDS: tuple[tuple[int, str], ...] = ((14, "0-14"), (24, "15-24"), (59, "25-59"))
OLDEST_BAND = "60+"
UNKNOWN = "unknown"
MPI_INDICATORS: tuple[str, ...] = tuple(GLOBAL_MPI_WEIGHTS)

# Stream PostgreSQL reads through COPY (tests turn it off to compare with the cursor path).
USE_COPY = True

WG_COLUMNS = (
    "wg_seeing",
    "wg_hearing",
    "wg_walking",
    "wg_cognition",
    "wg_self_care",
    "wg_communication",
)
INCOME_COLUMNS = (
    "income_crops",
    "income_livestock",
    "income_wages",
    "income_business",
    "income_transfers",
    "income_remittances",
    "income_property",
)

# Observation fields by the Polars type they load as.
_BOOL_FIELDS = (
    "electricity",
    "dangerous_house",
    "worry_food",
    "worry_clothing",
    "undernourished",
    "child_death_5y",
)
_INT_FIELDS = ("water_minutes", "food_shortage_months")
_FLOAT_FIELDS = ("housing_area_m2", "land_ha")
_TEXT_FIELDS = ("water_source", "sanitation", "cooking_fuel", "roof", "walls", "floor")
assert set(_BOOL_FIELDS + _INT_FIELDS + _FLOAT_FIELDS + _TEXT_FIELDS) == OBSERVATION_FIELDS


@dataclass(frozen=True)
class SchemeInfo:
    """What a computation needs to know about a scheme code (its latest version)."""

    code: str
    kind: str
    config: dict[str, Any]
    mpi_weights: dict[str, str] = field(default_factory=dict)
    mpi_k: str = ""


@dataclass
class RegisterFrames:
    households: pl.DataFrame
    schemes: dict[str, SchemeInfo]
    rounds: pl.DataFrame
    villages: pl.DataFrame
    village_ids: tuple[int, ...]
    # Derived frames kept for the length of one refresh (e.g. the latest rows per period).
    cache: dict[Any, pl.DataFrame] = field(default_factory=dict)

    def subset(self, village_ids: Sequence[int]) -> RegisterFrames:
        """The same register restricted to some villages (refresh_all reads the register
        once for all frameworks, then gives each its villages)."""
        wanted = set(village_ids)
        villages = self.villages.filter(pl.col("village_id").is_in(wanted))
        # implode(): is_in against a Series of the column's own dtype is deprecated as
        # ambiguous (pola-rs/polars#22149).
        households = self.households.filter(pl.col("village").is_in(villages["village"].implode()))
        return RegisterFrames(
            households=households,
            schemes=self.schemes,
            rounds=self.rounds.filter(
                pl.col("round_id").is_in(households["round_id"].unique().implode())
            ),
            villages=villages,
            village_ids=tuple(sorted(wanted)),
        )


def framework_village_ids(framework: ResultsFramework) -> tuple[int, ...]:
    """A project's villages; for a programme, the villages of all its projects."""
    if framework.project_id is not None:
        projects = Project.objects.filter(id=framework.project_id)
    else:
        projects = Project.objects.filter(programme=framework.programme)
    ids = projects.values_list("villages__id", flat=True)
    return tuple(sorted({i for i in ids if i is not None}))


def age_band(age: pl.Expr) -> pl.Expr:
    expr: Any = pl.when(age.is_null()).then(pl.lit(UNKNOWN))
    for upper, label in AGE_BANDS:
        expr = expr.when(age <= upper).then(pl.lit(label))
    return expr.otherwise(pl.lit(OLDEST_BAND))  # type: ignore[no-any-return]


# --- loading ----------------------------------------------------------------------------


def _ids(values: Iterable[int]) -> str:
    """An SQL list of integer ids; ints only, so inlining them cannot inject anything."""
    return ", ".join(str(int(v)) for v in values) or "NULL"


def _fetch(sql: str, schema: dict[str, pl.DataType | type[pl.DataType]]) -> pl.DataFrame:
    """Run a SELECT; PostgreSQL streams it through COPY, other engines use a cursor.

    Every column arrives as text (COPY's CSV) or the engine's Python value (cursor) and is
    cast to ``schema`` here, so both paths give the same frame. Booleans travel as 0/1.
    """
    raw_schema = {name: pl.String for name in schema}
    if connection.vendor == "postgresql" and USE_COPY:
        buffer = io.BytesIO()
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy:
                for chunk in copy:
                    buffer.write(chunk)
        if buffer.tell() == 0:
            frame = pl.DataFrame(schema=raw_schema)
        else:
            buffer.seek(0)
            frame = pl.read_csv(
                buffer, has_header=False, new_columns=list(schema), schema=raw_schema
            )
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            rows = cursor.fetchall()
        frame = pl.DataFrame(
            [[None if v is None else str(v) for v in row] for row in rows],
            schema=raw_schema,
            orient="row",
        )
    casts = []
    for name, dtype in schema.items():
        column = pl.col(name)
        if dtype == pl.Boolean:
            casts.append(column.cast(pl.Int8).cast(pl.Boolean).alias(name))
        elif dtype == pl.Date:
            casts.append(column.str.to_date("%Y-%m-%d").alias(name))
        elif dtype == pl.String:
            # COPY writes NULL and "" differently from a cursor; blank means unknown in both.
            casts.append(pl.when(column == "").then(None).otherwise(column).alias(name))
        else:
            casts.append(column.cast(dtype).alias(name))
    return frame.with_columns(casts)


def _bool(column: str) -> str:
    return f"CASE WHEN {column} THEN 1 ELSE 0 END"


def _float(expression: str) -> str:
    # REAL on SQLite, DOUBLE PRECISION on PostgreSQL: both print a shortest round-trip text.
    return f"CAST({expression} AS {'DOUBLE PRECISION' if _pg() else 'REAL'})"


def _pg() -> bool:
    return connection.vendor == "postgresql"


def load_frames(framework: ResultsFramework) -> RegisterFrames:
    return load_register(framework_village_ids(framework))


def load_register(
    village_ids: Sequence[int], *, fields: Iterable[str] | None = None
) -> RegisterFrames:
    """The register of these villages. ``fields``: the observation fields to read (all of
    OBSERVATION_FIELDS by default; a refresh reads only those its conditions test)."""
    wanted = OBSERVATION_FIELDS if fields is None else frozenset(fields) & OBSERVATION_FIELDS
    village_ids = tuple(village_ids)
    ids = _ids(village_ids)
    hh, obs, sr = (
        Household._meta.db_table,
        HouseholdObservation._meta.db_table,
        SurveyRound._meta.db_table,
    )
    villages = _fetch(
        f"SELECT v.id, v.code, v.name_latin, c.iso3, {_float('v.latitude')}, "
        f"{_float('v.longitude')} FROM {Village._meta.db_table} v "
        f"JOIN {Country._meta.db_table} c ON c.id = v.country_id WHERE v.id IN ({ids})",
        {
            "village_id": pl.Int64,
            "village": pl.String,
            "village_name": pl.String,
            "country": pl.String,
            "lat": pl.Float64,
            "lon": pl.Float64,
        },
    )
    rounds = _fetch(
        f"SELECT r.id, r.code, r.started_on, {_bool('r.is_sample')} FROM {sr} r "
        f"WHERE r.id IN (SELECT DISTINCT o.survey_round_id FROM {obs} o "
        f"JOIN {hh} h ON h.id = o.household_id WHERE h.village_id IN ({ids}))",
        {"round_id": pl.Int64, "round": pl.String, "started_on": pl.Date, "is_sample": pl.Boolean},
    ).with_columns(pl.col("started_on").dt.year().cast(pl.Int32).alias("round_year"))

    net = " + ".join(f"o.{c}" for c in INCOME_COLUMNS) + " - o.production_costs"
    fields = []
    schema: dict[str, pl.DataType | type[pl.DataType]] = {
        "household_id": pl.Int64,
        "village_id": pl.Int64,
        "round_id": pl.Int64,
        "observed_on": pl.Date,
        "size": pl.Int32,
        "weight": pl.Float64,
        "currency": pl.String,
        "net_income": pl.Float64,
    }
    for name in (f for f in _BOOL_FIELDS if f in wanted):
        fields.append(_bool(f"o.{name}"))
        schema[name] = pl.Boolean
    for name in (f for f in _INT_FIELDS if f in wanted):
        fields.append(f"o.{name}")
        schema[name] = pl.Int32
    for name in (f for f in _FLOAT_FIELDS if f in wanted):
        fields.append(_float(f"o.{name}"))
        schema[name] = pl.Float64
    for name in (f for f in _TEXT_FIELDS if f in wanted):
        fields.append(f"o.{name}")
        schema[name] = pl.String
    observations = _fetch(
        f"SELECT o.household_id, h.village_id, o.survey_round_id, o.observed_on, o.size, "
        f"{_float('o.weight')}, o.currency, {_float(net)}{''.join(', ' + f for f in fields)} "
        f"FROM {obs} o JOIN {hh} h ON h.id = o.household_id WHERE h.village_id IN ({ids})",
        schema,
    )
    member = Member._meta.db_table
    heads = (
        _fetch(
            f"SELECT m.household_id, m.id, m.sex, m.birth_year, m.ethnicity FROM {member} m "
            f"JOIN {hh} h ON h.id = m.household_id "
            f"WHERE h.village_id IN ({ids}) AND m.relation = 'head'",
            {
                "household_id": pl.Int64,
                "member_id": pl.Int64,
                "head_sex": pl.String,
                "head_birth_year": pl.Int32,
                "head_ethnicity": pl.String,
            },
        )
        .sort("member_id")
        .unique("household_id", keep="first")
        .drop("member_id")
    )
    people = _people_counts(ids, rounds)
    frame = (
        observations.join(villages.select("village_id", "village", "country"), on="village_id")
        .join(rounds.select("round_id", "round", "round_year", "is_sample"), on="round_id")
        .join(heads, on="household_id", how="left")
        .join(people, on=["household_id", "round_id"], how="left")
        .with_columns(pl.col(c).fill_null(0) for c in people.columns if c.startswith("people:"))
        .with_columns(
            (pl.col("net_income") / pl.col("size")).alias("per_capita_income"),
            (pl.col("people:disability=yes") > 0).alias("disability"),
            pl.col("head_sex").fill_null(UNKNOWN),
            pl.col("head_ethnicity").fill_null(UNKNOWN),
            age_band(pl.col("round_year") - pl.col("head_birth_year")).alias("head_age_band"),
        )
        .drop("head_birth_year", "village_id", "net_income")
    )
    schemes, frame = _with_classifications(frame, ids)
    return RegisterFrames(
        households=frame.sort("household_id", "observed_on", "round_id"),
        schemes=schemes,
        rounds=rounds.sort("started_on", "round"),
        villages=villages,
        village_ids=village_ids,
    )


def _with_classifications(
    frame: pl.DataFrame, ids: str
) -> tuple[dict[str, SchemeInfo], pl.DataFrame]:
    hh, cls = Household._meta.db_table, Classification._meta.db_table
    scheme_rows = list(
        PovertyScheme.objects.order_by("code", "version").values_list(
            "id", "code", "version", "kind", "config"
        )
    )
    if not scheme_rows:
        return {}, frame
    schemes: dict[str, SchemeInfo] = {}
    for _id, code, _version, kind, config in scheme_rows:  # ordered: the latest version wins
        info = SchemeInfo(code=code, kind=kind, config=config or {})
        if kind == SchemeKind.MPI:
            parsed = MpiConfig.model_validate(config or {})
            info = SchemeInfo(
                code=code,
                kind=kind,
                config=config or {},
                mpi_weights={str(k): v for k, v in parsed.weights.items()},
                mpi_k=parsed.k,
            )
        schemes[code] = info
    scheme_table = pl.DataFrame(
        {
            "scheme_id": [r[0] for r in scheme_rows],
            "code": [r[1] for r in scheme_rows],
            "version": [r[2] for r in scheme_rows],
        },
        schema={"scheme_id": pl.Int64, "code": pl.String, "version": pl.Int32},
    )
    # MPI deprivations travel as one integer, bit j for the j-th indicator name in
    # MPI_INDICATORS (a list of names is ten times the bytes to send and parse).
    if _pg():
        tests = [f"(c.reasons -> 'deprivations') ? '{name}'" for name in MPI_INDICATORS]
    else:
        tests = [
            f"EXISTS (SELECT 1 FROM json_each(c.reasons, '$.deprivations') d "
            f"WHERE d.value = '{name}')"
            for name in MPI_INDICATORS
        ]
    deprivations = " + ".join(
        f"(CASE WHEN {test} THEN {1 << bit} ELSE 0 END)" for bit, test in enumerate(tests)
    )
    mpi_ids = _ids(r[0] for r in scheme_rows if r[3] == SchemeKind.MPI)
    classes = _fetch(
        f"SELECT c.household_id, c.survey_round_id, c.scheme_id, {_bool('c.poor')}, c.level, "
        f"{_float('c.value')}, CASE WHEN c.scheme_id IN ({mpi_ids}) THEN {deprivations} END "
        f"FROM {cls} c JOIN {hh} h ON h.id = c.household_id WHERE h.village_id IN ({ids})",
        {
            "household_id": pl.Int64,
            "round_id": pl.Int64,
            "scheme_id": pl.Int64,
            "poor": pl.Boolean,
            "level": pl.String,
            "value": pl.Float64,
            "deprivations": pl.Int64,
        },
    ).join(scheme_table, on="scheme_id")
    for code in classes["code"].unique().sort().to_list():
        info = schemes[code]
        latest = classes.filter(pl.col("code") == code)
        if latest["version"].n_unique() > 1:  # keep each household's latest version
            latest = latest.sort("version").unique(["household_id", "round_id"], keep="last")
        columns = [
            pl.col("poor").alias(f"{code}:poor"),
            pl.col("level").alias(f"{code}:level"),
            pl.col("value").alias(f"{code}:value"),
        ]
        for indicator in info.mpi_weights:
            bit = 1 << MPI_INDICATORS.index(indicator)
            columns.append(
                ((pl.col("deprivations") & bit) != 0)
                .fill_null(False)
                .alias(f"{code}:d:{indicator}")
            )
        frame = frame.join(
            latest.select("household_id", "round_id", *columns),
            on=["household_id", "round_id"],
            how="left",
        )
    return schemes, frame


def _people_counts(ids: str, rounds: pl.DataFrame) -> pl.DataFrame:
    """People of each household in each round, counted by sex, age band (from the birth year
    and the round's year) and disability: ``people:<dimension>=<category>`` columns.

    The people are the household's present members (``Member.is_present``); a member is
    disabled in a round when that round's Washington Group answers say "a lot of difficulty"
    or "cannot do" in a domain. Counts rather than one row per person, and two reads that
    the database answers cheaply: members once (not once per round), and only the member
    observations that show a disability."""
    member, member_obs, hh = (
        Member._meta.db_table,
        MemberObservation._meta.db_table,
        Household._meta.db_table,
    )
    round_years = [(int(i), int(y)) for i, y in rounds.select("round_id", "round_year").rows()]
    bands: list[tuple[str, int | None, int | None]] = []
    lower: int | None = None
    for upper, label in AGE_BANDS:
        bands.append((label, lower, upper))
        lower = upper + 1
    bands.append((OLDEST_BAND, lower, None))
    sums = [
        "SUM(CASE WHEN m.sex = 'F' THEN 1 ELSE 0 END)",
        "SUM(CASE WHEN m.sex = 'M' THEN 1 ELSE 0 END)",
        "COUNT(*)",
    ]
    schema: dict[str, pl.DataType | type[pl.DataType]] = {
        "household_id": pl.Int64,
        "people:sex=F": pl.Int32,
        "people:sex=M": pl.Int32,
        "_people": pl.Int32,
    }
    for round_id, year in round_years:
        for label, low, high in bands:
            test = " AND ".join(
                part
                for part in (
                    f"{year} - m.birth_year >= {low}" if low is not None else "",
                    f"{year} - m.birth_year <= {high}" if high is not None else "",
                )
                if part
            )
            sums.append(f"SUM(CASE WHEN {test} THEN 1 ELSE 0 END)")
            schema[f"_age:{round_id}:{label}"] = pl.Int32
    members = _fetch(
        f"SELECT m.household_id, {', '.join(sums)} FROM {member} m "
        f"JOIN {hh} h ON h.id = m.household_id "
        f"WHERE h.village_id IN ({ids}) AND m.is_present GROUP BY m.household_id",
        schema,
    )
    disabled = " OR ".join(f"mo.{c} >= 3" for c in WG_COLUMNS)
    disability = _fetch(
        f"SELECT m.household_id, mo.survey_round_id, COUNT(*) FROM {member_obs} mo "
        f"JOIN {member} m ON m.id = mo.member_id JOIN {hh} h ON h.id = m.household_id "
        f"WHERE ({disabled}) AND m.is_present AND h.village_id IN ({ids}) "
        f"GROUP BY m.household_id, mo.survey_round_id",
        {"household_id": pl.Int64, "round_id": pl.Int64, "people:disability=yes": pl.Int32},
    )
    per_round = [
        members.select(
            "household_id",
            pl.lit(round_id, dtype=pl.Int64).alias("round_id"),
            "people:sex=F",
            "people:sex=M",
            *(
                pl.col(f"_age:{round_id}:{label}").alias(f"people:age_band={label}")
                for label, _l, _h in bands
            ),
            "_people",
        )
        for round_id, _year in round_years
    ]
    if not per_round:
        return pl.DataFrame(schema={"household_id": pl.Int64, "round_id": pl.Int64})
    return (
        pl.concat(per_round)
        .join(disability, on=["household_id", "round_id"], how="left")
        .with_columns(pl.col("people:disability=yes").fill_null(0))
        .with_columns(
            (pl.col("_people") - pl.col("people:disability=yes")).alias("people:disability=no")
        )
        .drop("_people")
    )
