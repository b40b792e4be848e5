"""Import households and their members from CSV, XLSX or Parquet (docs/import.md).

The file has one row per member; the household's columns are repeated on each of its
members' rows. A column mapping (target → column in the file, identity by default) lets a
census file keep its own headers.

The import runs in three steps, the same on every database:

1. read the file into Polars, every cell as text;
2. validate every row, in the file and against the database (villages, scope, existing
   households), collecting each problem as (row, column, value, reason) — nothing is
   written while any problem remains;
3. write in one transaction: households and members are upserted by their external ID and
   rows whose values did not change are left alone, so importing the same file again
   writes nothing and adds no history.

On PostgreSQL step 3 copies the rows into temporary staging tables with ``COPY``, diffs
them against the register once, and writes only the new rows (a plain ``INSERT``) and the
changed ones (``UPDATE … FROM``), each statement writing its history rows too; elsewhere it
uses the ORM in batches (docs/import.md, "How the PostgreSQL path writes").

National IDs and phone numbers are personal data: their values are masked in every error
this module produces, and nothing here logs a value from the file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import polars as pl
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mekong.core.errors import InvalidInput, PermissionDenied
from mekong.core.text import normalise_myanmar
from mekong.geo.models import Village
from mekong.partners.access import country_ids_in_scope, role_of
from mekong.partners.models import User
from mekong.registry import import_observations as observations
from mekong.registry.access import REGISTRY_EDITORS
from mekong.registry.models import ImportBatch, ImportOutcome, SurveyRound
from mekong.registry.models.households import (
    Cause,
    Education,
    HouseholdStatus,
    Relation,
    Sex,
)

logger = logging.getLogger(__name__)

# Household columns, repeated on every member row of the household.
HOUSEHOLD_COLUMNS = (
    "household_id",
    "village_code",
    "registered_on",
    "phone",
    "latitude",
    "longitude",
    "status",
    "main_cause",
    "secondary_causes",
)
MEMBER_COLUMNS = (
    "member_id",
    "name_latin",
    "name_local",
    "national_id",
    "sex",
    "birth_year",
    "relation",
    "ethnicity",
    "education",
    "years_of_schooling",
    "is_present",
)
TARGET_COLUMNS = (
    HOUSEHOLD_COLUMNS
    + MEMBER_COLUMNS
    + observations.HOUSEHOLD_OBSERVATION_COLUMNS
    + observations.MEMBER_OBSERVATION_COLUMNS
)
REQUIRED_COLUMNS = frozenset(
    {"household_id", "village_code", "member_id", "name_latin", "sex", "birth_year", "relation"}
)
# Values of these columns never leave this module unmasked (errors, reports, logs).
PERSONAL_COLUMNS = frozenset({"national_id", "phone"})
MAX_LENGTHS = {
    "household_id": 64,
    "member_id": 64,
    "village_code": 40,
    "name_latin": 150,
    "name_local": 150,
    "national_id": 40,
    "phone": 40,
    "ethnicity": 60,
}
EARLIEST_BIRTH_YEAR = 1900
MAX_YEARS_OF_SCHOOLING = 30
TRUE_WORDS = ("true", "yes", "y", "1")
FALSE_WORDS = ("false", "no", "n", "0")
SUFFIXES = (".csv", ".xlsx", ".parquet")
# The header is row 1, as spreadsheets and editors number it; the first record is row 2.
FIRST_DATA_ROW = 2
ORM_BATCH = 2000

Phase = Literal["read", "validate", "write"]
ProgressCallback = Callable[[Phase, int, int], None]


@dataclass(frozen=True)
class RowError:
    """One problem: the file's row number (header = 1), the column, its value, why."""

    row: int
    column: str
    value: str
    reason: str


@dataclass(frozen=True)
class DuplicateWarning:
    """A member who is likely the same person as another (in the file or the register)."""

    row: int
    member_id: str
    other_member_id: str
    other_row: int | None
    reason: str


@dataclass
class Counts:
    """What a run creates, updates and leaves unchanged; the report and the batch keep
    the same numbers under the same names."""

    households_created: int = 0
    households_updated: int = 0
    households_unchanged: int = 0
    members_created: int = 0
    members_updated: int = 0
    members_unchanged: int = 0
    household_observations_created: int = 0
    household_observations_updated: int = 0
    household_observations_unchanged: int = 0
    member_observations_created: int = 0
    member_observations_updated: int = 0
    member_observations_unchanged: int = 0


@dataclass(kw_only=True)
class ImportReport(Counts):
    """What an import did: the :class:`Counts` plus the file, errors and warnings
    (keyword-only, so the required fields may follow the counts' defaults)."""

    file_name: str
    sha256: str
    dry_run: bool
    method: str = ""
    rows: int = 0
    # Whether the file carried observations of a round (and so rows for them in counts()).
    with_household_observations: bool = False
    with_member_observations: bool = False
    errors: list[RowError] = field(default_factory=list)
    duplicates: list[DuplicateWarning] = field(default_factory=list)
    batch_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run

    def counts(self) -> list[tuple[str, int, int, int]]:
        """(what, created, updated, unchanged) rows for a report table."""
        rows = [
            (
                _("Households"),
                self.households_created,
                self.households_updated,
                self.households_unchanged,
            ),
            (_("Members"), self.members_created, self.members_updated, self.members_unchanged),
        ]
        if self.with_household_observations:
            rows.append(
                (
                    _("Household observations"),
                    self.household_observations_created,
                    self.household_observations_updated,
                    self.household_observations_unchanged,
                )
            )
        if self.with_member_observations:
            rows.append(
                (
                    _("Member observations"),
                    self.member_observations_created,
                    self.member_observations_updated,
                    self.member_observations_unchanged,
                )
            )
        return rows


def mask(value: str) -> str:
    """Hide a national ID or phone number but its last two characters."""
    return "•••" + value[-2:] if len(value) > 4 else "•••"


# --- reading -------------------------------------------------------------------------------


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_mapping(text: str | bytes) -> dict[str, str]:
    """Parse a JSON mapping ``{"target": "column in the file", …}``; unknown targets refused."""
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise InvalidInput(_("The column mapping is not valid JSON."), field="mapping") from exc
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
    ):
        raise InvalidInput(
            _("The column mapping must be a JSON object of column names."), field="mapping"
        )
    unknown = sorted(set(raw) - set(TARGET_COLUMNS))
    if unknown:
        raise InvalidInput(
            _("The column mapping names unknown columns: %(columns)s.")
            % {"columns": ", ".join(unknown)},
            field="mapping",
        )
    return dict(raw)


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _read_xlsx(data: bytes) -> pl.DataFrame:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheet = workbook["members"] if "members" in workbook.sheetnames else workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    columns: dict[str, list[str | None]] = {name: [] for name in header if name}
    numbers: list[int] = []
    for number, values in enumerate(rows, start=FIRST_DATA_ROW):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        numbers.append(number)
        for index, name in enumerate(header):
            if name:
                columns[name].append(_cell_text(values[index]) if index < len(values) else None)
    workbook.close()
    frame = pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String))
    return frame.with_columns(pl.Series("_row", numbers, dtype=pl.Int64))


def _to_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Every column as text; timestamps become dates and whole floats whole numbers."""
    casts: list[pl.Expr] = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if dtype == pl.Datetime:
            column = column.cast(pl.Date)
        elif dtype.is_float():
            column = (
                pl.when(column == column.floor())
                .then(column.cast(pl.Int64, strict=False).cast(pl.String))
                .otherwise(column.cast(pl.String))
            )
        casts.append(column.cast(pl.String).alias(name))
    return frame.select(casts)


def read_table(data: bytes, *, file_name: str) -> pl.DataFrame:
    """Read a CSV (UTF-8), XLSX (sheet ``members`` or the first) or Parquet file as text.

    Adds ``_row``: the record's row number with the header as row 1.
    """
    suffix = Path(file_name).suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidInput(
            _("Import a .csv, .xlsx or .parquet file, not “%(name)s”.") % {"name": file_name},
            field="file",
        )
    try:
        if suffix == ".xlsx":
            return _read_xlsx(data)
        if suffix == ".csv":
            frame = pl.read_csv(io.BytesIO(data), infer_schema=False, encoding="utf8")
            frame = frame.rename({name: name.lstrip("\ufeff").strip() for name in frame.columns})
        else:
            frame = _to_text(pl.read_parquet(io.BytesIO(data)))
    except InvalidInput:
        raise
    except Exception as exc:
        # The library's message may quote a cell; the person gets the file type only.
        raise InvalidInput(
            _("Could not read “%(name)s” as a %(kind)s file.")
            % {"name": file_name, "kind": suffix[1:].upper()},
            field="file",
        ) from exc
    return frame.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("_row") + 2)


def apply_mapping(
    frame: pl.DataFrame, mapping: Mapping[str, str] | None
) -> tuple[pl.DataFrame, frozenset[str], list[RowError]]:
    """Rename the file's columns to target names; return the frame, the targets found, errors.

    Text is stripped and empty cells become null; columns not mapped are ignored.
    """
    mapping = mapping or {}
    errors: list[RowError] = []
    selected: list[pl.Expr] = [pl.col("_row")]
    present: set[str] = set()
    for target in TARGET_COLUMNS:
        source = mapping.get(target, target)
        if source in frame.columns:
            text = pl.col(source).cast(pl.String).str.strip_chars()
            selected.append(pl.when(text == "").then(None).otherwise(text).alias(target))
            present.add(target)
        elif target in REQUIRED_COLUMNS or target in mapping:
            errors.append(
                RowError(
                    row=1,
                    column=source,
                    value="",
                    reason=_("This column is missing from the file (needed for “%(target)s”).")
                    % {"target": target},
                )
            )
    frame = frame.select(selected)
    for target in TARGET_COLUMNS:
        if target not in present:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(target))
    return frame, frozenset(present), errors


# --- validation ----------------------------------------------------------------------------

_ERROR_SCHEMA = {"row": pl.Int64, "column": pl.String, "value": pl.String, "reason": pl.String}


def _normalise_names(frame: pl.DataFrame) -> pl.DataFrame:
    """Zawgyi → Unicode and NFC for names; only non-ASCII values need the slow path."""
    updates: list[pl.Series] = []
    for column in ("name_latin", "name_local"):
        values = frame[column]
        odd = values.filter(values.str.contains(r"[^\x00-\x7F]").fill_null(False)).unique()
        if odd.len():
            table = {value: normalise_myanmar(value) for value in odd.to_list()}
            updates.append(values.replace(table))
    return frame.with_columns(updates) if updates else frame


def _choice_codes(choices: Iterable[tuple[str, Any]]) -> list[str]:
    return [code for code, _label in choices]


class _Checks:
    """Collects failing rows as frames of (row, column, value, reason)."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame
        self.found: list[pl.DataFrame] = []

    def fail(self, where: pl.Expr, column: str, reason: str) -> None:
        value = pl.col(column).cast(pl.String).fill_null("")
        if column in PERSONAL_COLUMNS:
            value = (
                pl.when(value.str.len_chars() > 4)
                .then(pl.lit("•••") + value.str.slice(-2))
                .otherwise(pl.lit("•••"))
            )
        bad = self.frame.filter(where.fill_null(False)).select(
            pl.col("_row").alias("row"),
            pl.lit(column).alias("column"),
            value.alias("value"),
            pl.lit(reason).alias("reason"),
        )
        if bad.height:
            self.found.append(bad)

    def errors(self) -> list[RowError]:
        if not self.found:
            return []
        table = pl.concat(self.found).sort(["row", "column"])
        return [RowError(**row) for row in table.iter_rows(named=True)]


def _whole_number(column: str) -> pl.Expr:
    number = pl.col(column).cast(pl.Float64, strict=False)
    return pl.when(number == number.floor()).then(number.cast(pl.Int64, strict=False))


def _boolean(column: str) -> pl.Expr:
    word = pl.col(column).str.to_lowercase()
    return pl.when(word.is_in(TRUE_WORDS)).then(True).when(word.is_in(FALSE_WORDS)).then(False)


def name_key(column: str) -> pl.Expr:
    """Name as compared for duplicates: lower case, runs of spaces as one."""
    return pl.col(column).str.to_lowercase().str.replace_all(r"\s+", " ")


def validate(
    frame: pl.DataFrame,
    *,
    present: frozenset[str],
    villages: pl.DataFrame,
    allowed_country_ids: set[int] | None,
    today: dt.date,
    survey_round: observations.RoundFacts | None = None,
) -> tuple[pl.DataFrame, list[RowError]]:
    """Check every row; return the frame with typed columns added and all the errors.

    ``villages`` has ``village_code``, ``village_id`` and ``country_id`` of the file's codes.
    Typed columns: ``village_id``, ``country_id``, ``birth_year_n``, ``years_n``,
    ``registered_on_d``, ``is_present_b``, ``secondary_json``, ``name_key``, and with
    observation columns in the file ``<column>_v`` for each (registry.import_observations).
    """
    frame = _normalise_names(frame)
    frame = frame.join(villages, on="village_code", how="left", maintain_order="left")
    frame = frame.with_columns(
        _whole_number("birth_year").alias("birth_year_n"),
        _whole_number("years_of_schooling").alias("years_n"),
        pl.col("registered_on").str.to_date("%Y-%m-%d", strict=False).alias("registered_on_d"),
        _boolean("is_present").alias("is_present_b"),
        pl.col("secondary_causes")
        .str.split(";")
        .list.eval(pl.element().str.strip_chars())
        .list.eval(pl.element().filter(pl.element() != ""))
        .alias("secondary_list"),
        name_key("name_latin").alias("name_key"),
    )
    with_observations = any(observations.wanted(present))
    if with_observations:
        frame = observations.typed(frame)
    # The checks within the file compare a row with the other rows of its member ID and its
    # household. Their windows are computed here in one context, so Polars groups the rows
    # by household once rather than once per check (and a member ID's first row is found
    # without grouping at all): a window per check was most of the validation time.
    heads = (pl.col("relation") == "head").cast(pl.Int32)
    consistent = [
        column
        for column in (*HOUSEHOLD_COLUMNS[1:], *observations.HOUSEHOLD_OBSERVATION_COLUMNS)
        if column in present
    ]
    checks = _Checks(
        frame.with_columns(
            pl.col("member_id").is_first_distinct().alias("_first_member_row"),
            pl.col("household_id").is_first_distinct().alias("_first_household_row"),
            heads.sum().over("household_id").alias("_heads"),
            heads.cum_sum().over("household_id").alias("_heads_so_far"),
            *(pl.col(c).first().over("household_id").alias(f"_first_{c}") for c in consistent),
        )
    )
    required = _("A value is required.")
    for column in sorted(REQUIRED_COLUMNS):
        checks.fail(pl.col(column).is_null(), column, required)
    for column, limit in MAX_LENGTHS.items():
        checks.fail(
            pl.col(column).str.len_chars() > limit,
            column,
            _("Longer than %(limit)s characters.") % {"limit": limit},
        )
    choices = {
        "sex": _choice_codes(Sex.choices),
        "relation": _choice_codes(Relation.choices),
        "education": _choice_codes(Education.choices),
        "status": _choice_codes(HouseholdStatus.choices),
        "main_cause": _choice_codes(Cause.choices),
    }
    for column, codes in choices.items():
        checks.fail(
            pl.col(column).is_not_null() & ~pl.col(column).is_in(codes),
            column,
            _("Not one of the allowed values: %(codes)s.") % {"codes": ", ".join(codes)},
        )
    causes = _choice_codes(Cause.choices)
    checks.fail(
        ~pl.col("secondary_list").list.eval(pl.element().is_in(causes)).list.all(),
        "secondary_causes",
        _("Separate up to two causes with “;”, each one of: %(codes)s.")
        % {"codes": ", ".join(causes)},
    )
    checks.fail(
        pl.col("secondary_list").list.len() > 2, "secondary_causes", _("At most two causes.")
    )
    not_whole = _("Not a whole number.")
    checks.fail(
        pl.col("birth_year").is_not_null() & pl.col("birth_year_n").is_null(),
        "birth_year",
        not_whole,
    )
    checks.fail(
        (pl.col("birth_year_n") < EARLIEST_BIRTH_YEAR) | (pl.col("birth_year_n") > today.year),
        "birth_year",
        _("A birth year must lie between %(first)s and %(last)s.")
        % {"first": EARLIEST_BIRTH_YEAR, "last": today.year},
    )
    checks.fail(
        pl.col("years_of_schooling").is_not_null() & pl.col("years_n").is_null(),
        "years_of_schooling",
        not_whole,
    )
    checks.fail(
        (pl.col("years_n") < 0) | (pl.col("years_n") > MAX_YEARS_OF_SCHOOLING),
        "years_of_schooling",
        _("Years of schooling must lie between 0 and %(max)s.") % {"max": MAX_YEARS_OF_SCHOOLING},
    )
    for column, limit in (("latitude", 90), ("longitude", 180)):
        wrong = ~pl.col(column).str.contains(r"^-?\d{1,3}(\.\d{1,5})?$") | (
            pl.col(column).cast(pl.Float64, strict=False).abs() > limit
        )
        checks.fail(
            pl.col(column).is_not_null() & wrong,
            column,
            _("A decimal number from -%(limit)s to %(limit)s with at most 5 decimals.")
            % {"limit": limit},
        )
        # Invalid values never reach the staging tables, even in a dry run.
        frame = frame.with_columns(pl.when(~wrong).then(pl.col(column)).alias(column))
    checks.fail(
        pl.col("registered_on").is_not_null()
        & (pl.col("registered_on_d").is_null() | (pl.col("registered_on_d") > today)),
        "registered_on",
        _("A date written YYYY-MM-DD, not in the future."),
    )
    checks.fail(
        pl.col("is_present").is_not_null() & pl.col("is_present_b").is_null(),
        "is_present",
        _("Write yes or no (true/false, 1/0)."),
    )
    checks.fail(
        pl.col("village_code").is_not_null() & pl.col("village_id").is_null(),
        "village_code",
        _("No village has this code."),
    )
    if allowed_country_ids is not None:
        checks.fail(
            pl.col("village_id").is_not_null()
            & ~pl.col("country_id").is_in(sorted(allowed_country_ids)),
            "village_code",
            _("This village is outside the countries you may register households in."),
        )
    # Within the file: each member once, each household with one head and one set of values.
    checks.fail(
        pl.col("member_id").is_not_null() & ~pl.col("_first_member_row"),
        "member_id",
        _("This member ID is already used on an earlier row."),
    )
    checks.fail(
        (pl.col("_heads") == 0) & pl.col("_first_household_row"),
        "relation",
        _("This household has no member whose relation is “head”."),
    )
    checks.fail(
        (pl.col("relation") == "head") & (pl.col("_heads_so_far") > 1),
        "relation",
        _("This household already has a head on an earlier row."),
    )
    for column in consistent:
        checks.fail(
            pl.col(column).ne_missing(pl.col(f"_first_{column}")),
            column,
            _("Differs from the value on this household's first row."),
        )
    if with_observations:
        observations.check(checks, present=present, survey_round=survey_round, today=today)
    return frame, checks.errors()


def household_frame(frame: pl.DataFrame, *, today: dt.date) -> pl.DataFrame:
    """One row per household, every column of the table filled (defaults where absent)."""
    head = pl.col("relation") == "head"
    return (
        frame.group_by("household_id", maintain_order=True)
        .agg(
            pl.col("_row").first().alias("row_number"),
            pl.col("village_id").first(),
            pl.col("country_id").first(),
            pl.col("name_latin").filter(head).first().alias("head_name_latin"),
            pl.col("name_local").filter(head).first().alias("head_name_local"),
            pl.col("national_id").filter(head).first().alias("national_id"),
            pl.col("phone").first(),
            pl.col("latitude").first(),
            pl.col("longitude").first(),
            pl.col("registered_on_d").first().alias("registered_on"),
            pl.col("status").first(),
            pl.col("main_cause").first(),
            pl.col("secondary_list").first().alias("secondary_causes"),
        )
        .rename({"household_id": "external_id"})
        .with_columns(
            pl.col("head_name_latin").fill_null(""),
            pl.col("head_name_local").fill_null(""),
            pl.col("national_id").fill_null(""),
            pl.col("phone").fill_null(""),
            pl.col("registered_on").fill_null(today),
            pl.col("status").fill_null(HouseholdStatus.ACTIVE.value),
            pl.col("main_cause").fill_null(""),
            pl.col("secondary_causes")
            .fill_null(pl.lit([], dtype=pl.List(pl.String)))
            .map_elements(lambda causes: json.dumps(list(causes)), return_dtype=pl.String)
            .alias("secondary_causes"),
        )
    )


def member_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per member, every column of the table filled (defaults where absent)."""
    return frame.select(
        pl.col("_row").alias("row_number"),
        pl.col("member_id").alias("external_id"),
        pl.col("household_id").alias("household_external_id"),
        pl.col("village_id"),
        pl.col("name_latin").fill_null(""),
        pl.col("name_local").fill_null(""),
        pl.col("national_id").fill_null(""),
        pl.col("sex").fill_null(""),
        pl.col("birth_year_n").alias("birth_year"),
        pl.col("relation").fill_null(""),
        pl.col("ethnicity").fill_null(""),
        pl.col("education").fill_null(""),
        pl.col("years_n").alias("years_of_schooling"),
        pl.col("is_present_b").fill_null(True).alias("is_present"),
        pl.col("name_key"),
    )


def in_file_duplicates(members: pl.DataFrame) -> list[DuplicateWarning]:
    """Members of the file likely the same person as an earlier member of the file."""
    warnings: list[DuplicateWarning] = []
    rules = (
        (["national_id"], pl.col("national_id") != "", _("Same national ID as another member.")),
        (
            ["name_key", "birth_year", "village_id"],
            pl.col("name_key").is_not_null() & pl.col("birth_year").is_not_null(),
            _("Same name, birth year and village as another member."),
        ),
    )
    for keys, usable, reason in rules:
        # Nearly every key is unique: keep the repeated ones before looking for their first.
        usable = usable & (
            pl.struct(keys).is_duplicated() if len(keys) > 1 else pl.col(*keys).is_duplicated()
        )
        found = (
            members.filter(usable)
            .with_columns(
                pl.col("external_id").first().over(keys).alias("other"),
                pl.col("row_number").first().over(keys).alias("other_row"),
            )
            .filter(pl.col("external_id") != pl.col("other"))
        )
        warnings.extend(
            DuplicateWarning(
                row=row["row_number"],
                member_id=row["external_id"],
                other_member_id=row["other"],
                other_row=row["other_row"],
                reason=reason,
            )
            for row in found.iter_rows(named=True)
        )
    return warnings


# Columns of the register that an import target sets (always-set ones under None).
HOUSEHOLD_TARGETS: dict[str | None, tuple[str, ...]] = {
    None: ("village_id", "head_name_latin"),
    "name_local": ("head_name_local",),
    "national_id": ("national_id",),
    "phone": ("phone",),
    "latitude": ("latitude",),
    "longitude": ("longitude",),
    "registered_on": ("registered_on",),
    "status": ("status",),
    "main_cause": ("main_cause",),
    "secondary_causes": ("secondary_causes",),
}
MEMBER_TARGETS: dict[str | None, tuple[str, ...]] = {
    None: ("household_id", "name_latin", "sex", "birth_year", "relation"),
    "name_local": ("name_local",),
    "national_id": ("national_id",),
    "ethnicity": ("ethnicity",),
    "education": ("education",),
    "years_of_schooling": ("years_of_schooling",),
    "is_present": ("is_present",),
}
HOUSEHOLD_INSERT = (
    "external_id",
    "village_id",
    "head_name_latin",
    "head_name_local",
    "national_id",
    "phone",
    "latitude",
    "longitude",
    "registered_on",
    "status",
    "main_cause",
    "secondary_causes",
)
MEMBER_INSERT = (
    "external_id",
    "household_id",
    "name_latin",
    "name_local",
    "national_id",
    "sex",
    "birth_year",
    "relation",
    "ethnicity",
    "education",
    "years_of_schooling",
    "is_present",
)


def compared_columns(
    targets: Mapping[str | None, tuple[str, ...]], present: frozenset[str]
) -> tuple[str, ...]:
    """The register's columns this file sets: a column absent from the file is never changed."""
    columns: list[str] = []
    for target, names in targets.items():
        if target is None or target in present:
            columns.extend(names)
    return tuple(columns)


@dataclass
class Plan:
    """What a writer needs: the rows, the columns to compare, who and why."""

    households: pl.DataFrame
    members: pl.DataFrame
    household_columns: tuple[str, ...]
    member_columns: tuple[str, ...]
    allowed_country_ids: set[int] | None
    user_id: int | None
    reason: str
    when: dt.datetime
    # Observations of the round, when the file has their columns (None otherwise).
    survey_round_id: int | None = None
    household_observations: pl.DataFrame | None = None
    member_observations: pl.DataFrame | None = None
    household_observation_columns: tuple[str, ...] = ()
    member_observation_columns: tuple[str, ...] = ()


def chunks(values: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def village_lookup(codes: Iterable[str]) -> pl.DataFrame:
    rows = list(Village.objects.filter(code__in=set(codes)).values_list("code", "id", "country_id"))
    return pl.DataFrame(
        rows,
        schema={"village_code": pl.String, "village_id": pl.Int64, "country_id": pl.Int64},
        orient="row",
    )


def decimal_or_none(text: str | None) -> Decimal | None:
    return Decimal(text) if text else None


# --- the service ---------------------------------------------------------------------------


def require_can_import(user: object | None) -> None:
    """``None`` is the system (the command line without --user); people need an editor role."""
    if user is not None and role_of(user) not in REGISTRY_EDITORS:
        raise PermissionDenied(_("Your role may not import households."))


def _no_progress(phase: Phase, done: int, total: int) -> None:
    return None


@transaction.atomic
def households_import(
    *,
    user: User | None,
    data: bytes,
    file_name: str,
    mapping: Mapping[str, str] | None = None,
    dry_run: bool = False,
    survey_round: SurveyRound | None = None,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Validate every row of the file, then (unless ``dry_run`` or any error) write them all.

    Returns the report; errors are returned, not raised, so that a person sees every one of
    them at once. Raises PermissionDenied when the user's role may not import at all and
    InvalidInput when the file cannot be read. An ImportBatch records every run.
    """
    from mekong.registry.import_writers import writer_for

    require_can_import(user)
    step = progress or _no_progress
    started = timezone.now()
    report = ImportReport(file_name=file_name, sha256=file_sha256(data), dry_run=dry_run)
    batch = ImportBatch.objects.create(
        file_name=file_name[:255],
        sha256=report.sha256,
        user=user,
        survey_round=survey_round,
        dry_run=dry_run,
        outcome=ImportOutcome.DRY_RUN if dry_run else ImportOutcome.REFUSED,
        started_at=started,
    )
    report.batch_id = batch.pk
    step("read", 0, 1)
    frame = read_table(data, file_name=file_name)
    report.rows = frame.height
    frame, present, mapping_errors = apply_mapping(frame, mapping)
    step("read", 1, 1)
    if mapping_errors:
        report.errors = mapping_errors
        return _finish(batch, report)

    step("validate", 0, 3)
    today = timezone.localdate()
    allowed = None if user is None else country_ids_in_scope(user)
    villages = village_lookup(frame["village_code"].drop_nulls().unique().to_list())
    facts = _round_facts(survey_round)
    frame, errors = validate(
        frame,
        present=present,
        villages=villages,
        allowed_country_ids=allowed,
        today=today,
        survey_round=facts,
    )
    step("validate", 1, 3)
    members = member_frame(frame)
    household_wanted, member_wanted = observations.wanted(present)
    report.with_household_observations = household_wanted and facts is not None
    report.with_member_observations = member_wanted and facts is not None
    plan = Plan(
        households=household_frame(frame, today=today),
        members=members,
        household_columns=compared_columns(HOUSEHOLD_TARGETS, present),
        member_columns=compared_columns(MEMBER_TARGETS, present),
        allowed_country_ids=allowed,
        user_id=user.pk if user is not None else None,
        reason=f"import batch {batch.pk}",
        when=started,
    )
    if facts is not None and report.with_household_observations:
        plan.survey_round_id = facts.id
        plan.household_observations = observations.household_observation_frame(
            frame, survey_round=facts
        )
        plan.household_observation_columns = tuple(
            c for c in observations.HOUSEHOLD_OBSERVATION_COLUMNS if c in present
        )
    if facts is not None and report.with_member_observations:
        plan.survey_round_id = facts.id
        plan.member_observations = observations.member_observation_frame(frame)
        plan.member_observation_columns = tuple(
            c for c in observations.MEMBER_OBSERVATION_COLUMNS if c in present
        )
    writer = writer_for(plan)
    report.method = writer.method
    writer.load()
    errors = sorted([*errors, *writer.scope_errors()], key=lambda e: (e.row, e.column))
    step("validate", 2, 3)
    report.duplicates = sorted(
        [*in_file_duplicates(members), *writer.duplicates()], key=lambda d: d.row
    )
    counts = writer.counts()
    for name, value in vars(counts).items():
        setattr(report, name, value)
    report.errors = errors
    step("validate", 3, 3)
    if report.written:
        writer.write(lambda done, total: step("write", done, total))
    writer.close()
    logger.info(
        "household import batch %s: %s rows, %s errors, written=%s",
        batch.pk,
        report.rows,
        len(report.errors),
        report.written,
    )
    return _finish(batch, report)


def _round_facts(survey_round: SurveyRound | None) -> observations.RoundFacts | None:
    if survey_round is None:
        return None
    return observations.RoundFacts(
        id=survey_round.pk,
        code=survey_round.code,
        country_id=survey_round.country_id,
        currency=survey_round.country.currency,
        started_on=survey_round.started_on,
        ended_on=survey_round.ended_on,
    )


def _finish(batch: ImportBatch, report: ImportReport) -> ImportReport:
    if report.written:
        batch.outcome = ImportOutcome.IMPORTED
    batch.finished_at = timezone.now()
    batch.rows = report.rows
    for name in (f.name for f in fields(Counts)):
        setattr(batch, name, getattr(report, name))
    batch.errors = len(report.errors)
    batch.duplicate_warnings = len(report.duplicates)
    batch.save()
    return report
