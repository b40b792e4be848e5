"""The two write paths of the household import: PostgreSQL COPY + set-based SQL, and the ORM.

Both receive the same validated rows (registry.imports.Plan) and answer the same questions
in the same order: which rows touch households outside the user's scope, which members are
likely duplicates of people already registered, how many rows would be created, updated or
left unchanged — and then, only when asked, write. A row whose compared columns equal the
register's is not touched, so a re-import writes no row and no history.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

import polars as pl
from django.db import connection, models
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from mekong.partners.models import User
from mekong.registry.import_observations import (
    DECIMALS,
    HOUSEHOLD_OBSERVATION_INSERT,
    JSON_COLUMNS,
    MEMBER_OBSERVATION_INSERT,
)
from mekong.registry.imports import (
    HOUSEHOLD_INSERT,
    MEMBER_INSERT,
    ORM_BATCH,
    Counts,
    DuplicateWarning,
    Plan,
    RowError,
    chunks,
    decimal_or_none,
)
from mekong.registry.models import Household, HouseholdObservation, Member, MemberObservation

Step = Callable[[int, int], None]


class Writer(Protocol):
    method: str

    def load(self) -> None: ...
    def scope_errors(self) -> list[RowError]: ...
    def duplicates(self) -> list[DuplicateWarning]: ...
    def counts(self) -> Counts: ...
    def write(self, step: Step) -> None: ...
    def close(self) -> None: ...


def _outside_scope_household() -> str:
    return _("This household is registered in a village outside your scope.")


def _outside_scope_member() -> str:
    return _("This member is registered in a household outside your scope.")


def _db_duplicate_reasons() -> tuple[str, str]:
    return (
        _("Same national ID as a member already registered."),
        _("Same name, birth year and village as a member already registered."),
    )


# --- PostgreSQL ----------------------------------------------------------------------------

_STAGING = """
CREATE TEMP TABLE imp_household (
    row_number integer, external_id text, village_id bigint, country_id bigint,
    head_name_latin text, head_name_local text, national_id text, phone text,
    latitude numeric, longitude numeric, registered_on date, status text,
    main_cause text, secondary_causes jsonb
) ON COMMIT DROP;
CREATE TEMP TABLE imp_member (
    row_number integer, external_id text, household_external_id text, village_id bigint,
    name_latin text, name_local text, national_id text, sex text, birth_year integer,
    relation text, ethnicity text, education text, years_of_schooling integer,
    is_present boolean, name_key text
) ON COMMIT DROP;
"""
_HOUSEHOLD_STAGED = (
    "row_number",
    "external_id",
    "village_id",
    "country_id",
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
_MEMBER_STAGED = (
    "row_number",
    "external_id",
    "household_external_id",
    "village_id",
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
    "name_key",
)
_COPY_CHUNK = 8 * 1024 * 1024
_TEMP_TABLES = (
    "imp_household, imp_member, imp_household_diff, imp_member_diff, "
    "imp_household_obs, imp_member_obs, imp_household_obs_diff, imp_member_obs_diff"
)


def _row(alias: str, columns: tuple[str, ...]) -> str:
    return "ROW(" + ", ".join(f"{alias}.{c}" for c in columns) + ")"


def _history_columns(model: type[models.Model]) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if f.column]


class CopyWriter:
    """COPY into temporary staging tables; diff once, then insert new and update changed rows."""

    method = "postgresql-copy"

    def __init__(self, plan: Plan) -> None:
        self.plan = plan

    def _copy(self, cursor: Any, table: str, frame: pl.DataFrame, columns: tuple[str, ...]) -> None:
        buffer = io.BytesIO()
        frame.select(columns).write_csv(buffer, include_header=False, null_value="\\N")
        data = buffer.getbuffer()
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT csv, NULL '\\N')"
        with cursor.copy(sql) as copy:
            for start in range(0, len(data), _COPY_CHUNK):
                copy.write(data[start : start + _COPY_CHUNK])

    def load(self) -> None:
        with connection.cursor() as cursor:
            raw = cursor.cursor
            raw.execute(f"DROP TABLE IF EXISTS {_TEMP_TABLES}")
            raw.execute(_STAGING)
            self._copy(raw, "imp_household", self.plan.households, _HOUSEHOLD_STAGED)
            self._copy(raw, "imp_member", self.plan.members, _MEMBER_STAGED)
            raw.execute("CREATE INDEX ON imp_household (external_id)")
            raw.execute("CREATE INDEX ON imp_member (external_id)")
            # Autovacuum never analyses temporary tables; the joins below need row counts and
            # the statistics of their join keys (the other columns are only carried along).
            raw.execute("ANALYZE imp_household (external_id)")
            raw.execute(
                "ANALYZE imp_member (external_id, household_external_id, village_id, national_id)"
            )
            for table, frame, key in self._observation_tables():
                raw.execute(_staging_sql(table, frame))
                self._copy(raw, table, frame, tuple(frame.columns))
                raw.execute(f"CREATE INDEX ON {table} ({key})")
                raw.execute(f"ANALYZE {table} ({key})")

    def _observation_tables(self) -> list[tuple[str, pl.DataFrame, str]]:
        """(staging table, rows, key column) of each kind of observation the file has."""
        plan = self.plan
        tables = []
        if plan.household_observations is not None:
            tables.append(
                ("imp_household_obs", plan.household_observations, "household_external_id")
            )
        if plan.member_observations is not None:
            tables.append(("imp_member_obs", plan.member_observations, "member_external_id"))
        return tables

    def _fetch(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())

    def scope_errors(self) -> list[RowError]:
        allowed = self.plan.allowed_country_ids
        if allowed is None:
            return []
        params = {"allowed": sorted(allowed)}
        errors = [
            RowError(row=row, column="household_id", value=ext, reason=_outside_scope_household())
            for row, ext in self._fetch(
                """
                SELECT s.row_number, s.external_id FROM imp_household s
                JOIN registry_household h ON h.external_id = s.external_id
                JOIN geo_village v ON v.id = h.village_id
                WHERE NOT (v.country_id = ANY(%(allowed)s))
                """,
                params,
            )
        ]
        errors += [
            RowError(row=row, column="member_id", value=ext, reason=_outside_scope_member())
            for row, ext in self._fetch(
                """
                SELECT s.row_number, s.external_id FROM imp_member s
                JOIN registry_member m ON m.external_id = s.external_id
                JOIN registry_household h ON h.id = m.household_id
                JOIN geo_village v ON v.id = h.village_id
                WHERE NOT (v.country_id = ANY(%(allowed)s))
                """,
                params,
            )
        ]
        return errors

    def duplicates(self) -> list[DuplicateWarning]:
        by_id, by_name = _db_duplicate_reasons()
        # Members also in the file are compared in the file (their stored values may change).
        # The registered members who could match — same village or a national ID of the
        # file, and not in the file — are gathered once; on a re-import there are none, and
        # on a first load into new villages few. (Temporary tables are never scanned in
        # parallel, so joining each rule against the whole register cost a second per 100k.)
        # Only members the importer may see: a warning naming someone registered outside
        # their scope would answer "is this national ID registered elsewhere, and where?".
        allowed = self.plan.allowed_country_ids
        rows = self._fetch(
            """
            WITH other AS MATERIALIZED (
                SELECT m.external_id, m.national_id, m.birth_year, h.village_id,
                       lower(regexp_replace(m.name_latin, '\\s+', ' ', 'g')) AS name_key
                FROM registry_member m JOIN registry_household h ON h.id = m.household_id
                JOIN geo_village v ON v.id = h.village_id
                WHERE (h.village_id IN (SELECT village_id FROM imp_member)
                       OR (m.national_id <> '' AND m.national_id IN (
                           SELECT national_id FROM imp_member WHERE national_id <> '')))
                  AND NOT EXISTS (SELECT 1 FROM imp_member o WHERE o.external_id = m.external_id)
                  AND (%(everywhere)s OR v.country_id = ANY(%(allowed)s))
            )
            SELECT s.row_number, s.external_id, m.external_id, 1 FROM imp_member s
            JOIN other m ON m.national_id = s.national_id
            WHERE s.national_id <> ''
            UNION ALL
            SELECT s.row_number, s.external_id, m.external_id, 2 FROM imp_member s
            JOIN other m ON m.village_id = s.village_id AND m.birth_year = s.birth_year
                 AND m.name_key = s.name_key
            ORDER BY 1, 4
            """,
            {"everywhere": allowed is None, "allowed": sorted(allowed or ())},
        )
        return [
            DuplicateWarning(
                row=row,
                member_id=ext,
                other_member_id=other,
                other_row=None,
                reason=by_id if rule == 1 else by_name,
            )
            for row, ext, other, rule in rows
        ]

    def counts(self) -> Counts:
        """Diff the staged rows against the register once, into ``imp_*_diff``.

        Each diff table holds only the rows to write — new (``target_id`` null) or changed
        — so the counts are its size, and ``write`` never looks at an unchanged row again.
        """
        plan = self.plan
        household_columns = plan.household_columns
        member_columns = tuple(c for c in plan.member_columns if c != "household_id")
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                CREATE TEMP TABLE imp_household_diff ON COMMIT DROP AS
                SELECT s.*, h.id AS target_id FROM imp_household s
                LEFT JOIN registry_household h ON h.external_id = s.external_id
                WHERE h.id IS NULL
                   OR {_row("h", household_columns)} IS DISTINCT FROM
                      {_row("s", household_columns)}
                """
            )
            # A member of a household not registered yet gets its household's ID on writing;
            # here that ID is null, so an existing member moving into it counts as changed.
            cursor.execute(
                f"""
                CREATE TEMP TABLE imp_member_diff ON COMMIT DROP AS
                SELECT s.*, m.id AS target_id FROM imp_member s
                LEFT JOIN registry_member m ON m.external_id = s.external_id
                LEFT JOIN registry_household h ON h.external_id = s.household_external_id
                WHERE m.id IS NULL
                   OR {_row("m", (*member_columns, "household_id"))} IS DISTINCT FROM
                      {_row("s", member_columns)[:-1]}, h.id)
                """
            )
        hh = self._fetch(
            "SELECT count(*) FILTER (WHERE target_id IS NULL), "
            "count(*) FILTER (WHERE target_id IS NOT NULL) FROM imp_household_diff"
        )[0]
        mm = self._fetch(
            "SELECT count(*) FILTER (WHERE target_id IS NULL), "
            "count(*) FILTER (WHERE target_id IS NOT NULL) FROM imp_member_diff"
        )[0]
        counts = Counts(
            households_created=hh[0],
            households_updated=hh[1],
            households_unchanged=plan.households.height - hh[0] - hh[1],
            members_created=mm[0],
            members_updated=mm[1],
            members_unchanged=plan.members.height - mm[0] - mm[1],
        )
        self._count_observations(counts)
        return counts

    def _count_observations(self, counts: Counts) -> None:
        """Diff the staged observations against the round's, into ``imp_*_obs_diff``."""
        plan = self.plan
        for table, frame, _key in self._observation_tables():
            spec = _OBSERVATION_TABLES[table]
            compared = (
                plan.household_observation_columns
                if table == "imp_household_obs"
                else plan.member_observation_columns
            )
            with connection.cursor() as cursor:
                cursor.execute(
                    f"""
                    CREATE TEMP TABLE {table}_diff ON COMMIT DROP AS
                    SELECT s.*, o.id AS target_id FROM {table} s
                    LEFT JOIN {spec.owner_table} w ON w.external_id = s.{spec.key}
                    LEFT JOIN {spec.table} o
                         ON o.{spec.owner_column} = w.id AND o.survey_round_id = %(round)s
                    WHERE o.id IS NULL
                       OR {_row("o", compared)} IS DISTINCT FROM {_row("s", compared)}
                    """,
                    {"round": plan.survey_round_id},
                )
            created, updated = self._fetch(
                "SELECT count(*) FILTER (WHERE target_id IS NULL), "
                f"count(*) FILTER (WHERE target_id IS NOT NULL) FROM {table}_diff"
            )[0]
            prefix = spec.counts
            setattr(counts, f"{prefix}_created", created)
            setattr(counts, f"{prefix}_updated", updated)
            setattr(counts, f"{prefix}_unchanged", frame.height - created - updated)

    def _write(
        self,
        *,
        table: str,
        history: str,
        rows: str,
        insert: dict[str, str],
        compared: tuple[str, ...],
        model: type[models.Model],
    ) -> None:
        """Insert the new rows and update the changed ones, each with its history row.

        ``rows`` selects the rows to write with ``target_id`` (null for a new row) and the
        value of each column of ``insert`` (column → expression over ``rows``). New rows take
        a plain INSERT (no conflict to look for: the diff found none); changed rows an
        UPDATE … FROM by primary key that sets only the compared columns. Each statement's
        RETURNING feeds the history insert, so a history row copies exactly what was written.
        """
        plan = self.plan
        history_columns = ", ".join(_history_columns(model))
        params: dict[str, Any] = {"when": plan.when, "reason": plan.reason, "user": plan.user_id}

        def with_history(statement: str, kind: str) -> str:
            return f"""
                WITH written AS ({statement} RETURNING t.*)
                INSERT INTO {history} ({history_columns},
                    history_date, history_change_reason, history_type, history_user_id)
                SELECT {history_columns}, %(when)s, %(reason)s, '{kind}', %(user)s
                FROM written
            """

        columns = ", ".join(insert)
        values = ", ".join(insert.values())
        sets = ", ".join(f"{c} = r.{c}" for c in compared)
        compared_values = ", ".join(f"{insert[c]} AS {c}" for c in compared)
        with connection.cursor() as cursor:
            cursor.execute(
                with_history(
                    f"INSERT INTO {table} AS t ({columns}) SELECT {values} FROM {rows} "
                    "WHERE d.target_id IS NULL ORDER BY d.row_number",
                    "+",
                ),
                params,
            )
            cursor.execute(
                with_history(
                    f"UPDATE {table} AS t SET {sets} FROM ("
                    f"SELECT d.target_id, {compared_values} FROM {rows} "
                    "WHERE d.target_id IS NOT NULL) AS r WHERE t.id = r.target_id",
                    "~",
                ),
                params,
            )

    def write(self, step: Step) -> None:
        step(0, 2)
        household_insert = {c: f"d.{c}" for c in HOUSEHOLD_INSERT}
        self._write(
            table="registry_household",
            history="registry_historicalhousehold",
            rows="imp_household_diff d",
            insert={**household_insert, "is_synthetic": "false"},
            compared=self.plan.household_columns,
            model=Household,
        )
        step(1, 2)
        member_insert = {c: "h.id" if c == "household_id" else f"d.{c}" for c in MEMBER_INSERT}
        self._write(
            table="registry_member",
            history="registry_historicalmember",
            rows=(
                "imp_member_diff d "
                "JOIN registry_household h ON h.external_id = d.household_external_id"
            ),
            insert=member_insert,
            compared=self.plan.member_columns,
            model=Member,
        )
        for table, frame, _key in self._observation_tables():
            spec = _OBSERVATION_TABLES[table]
            columns = [c for c in frame.columns if c not in ("row_number", spec.key)]
            columns = [c for c in columns if c != "present_members"]
            self._write(
                table=spec.table,
                history=spec.history,
                rows=(f"{table}_diff d JOIN {spec.owner_table} w ON w.external_id = d.{spec.key}"),
                insert={
                    spec.owner_column: "w.id",
                    "survey_round_id": str(int(self.plan.survey_round_id or 0)),
                    **{c: f"d.{c}" for c in columns},
                },
                compared=(
                    self.plan.household_observation_columns
                    if table == "imp_household_obs"
                    else self.plan.member_observation_columns
                ),
                model=spec.model,
            )
        step(2, 2)

    def close(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {_TEMP_TABLES}")


@dataclass(frozen=True)
class _ObservationTable:
    table: str
    history: str
    model: type[models.Model]
    owner_table: str
    owner_column: str
    key: str
    counts: str


_OBSERVATION_TABLES = {
    "imp_household_obs": _ObservationTable(
        table="registry_householdobservation",
        history="registry_historicalhouseholdobservation",
        model=HouseholdObservation,
        owner_table="registry_household",
        owner_column="household_id",
        key="household_external_id",
        counts="household_observations",
    ),
    "imp_member_obs": _ObservationTable(
        table="registry_memberobservation",
        history="registry_historicalmemberobservation",
        model=MemberObservation,
        owner_table="registry_member",
        owner_column="member_id",
        key="member_external_id",
        counts="member_observations",
    ),
}


def _staging_sql(table: str, frame: pl.DataFrame) -> str:
    """A temporary table with a column of the right PostgreSQL type for each of ``frame``'s."""
    columns = []
    for name, dtype in frame.schema.items():
        if name in JSON_COLUMNS:
            kind = "jsonb"
        elif name in DECIMALS:
            kind = "numeric"
        elif dtype == pl.Date:
            kind = "date"
        elif dtype == pl.Boolean:
            kind = "boolean"
        elif dtype.is_integer():
            kind = "integer"
        else:
            kind = "text"
        columns.append(f"{name} {kind}")
    return f"CREATE TEMP TABLE {table} ({', '.join(columns)}) ON COMMIT DROP"


# --- any database, through the ORM ---------------------------------------------------------


def _household_values(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "external_id": row["external_id"],
        "village_id": row["village_id"],
        "head_name_latin": row["head_name_latin"],
        "head_name_local": row["head_name_local"],
        "national_id": row["national_id"],
        "phone": row["phone"],
        "latitude": decimal_or_none(row["latitude"]),
        "longitude": decimal_or_none(row["longitude"]),
        "registered_on": row["registered_on"],
        "status": row["status"],
        "main_cause": row["main_cause"],
        "secondary_causes": json.loads(row["secondary_causes"]),
    }


def _member_values(row: dict[str, Any], household_id: int | None) -> dict[str, Any]:
    values = {c: row[c] for c in MEMBER_INSERT if c != "household_id"}
    values["household_id"] = household_id
    return values


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, Decimal) and isinstance(new, Decimal):
        return old.compare(new) == 0
    return bool(old == new)


class OrmWriter:
    """Fetch the existing rows by external ID, diff in Python, write in batches with history."""

    method = "orm-batches"

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.households: dict[str, dict[str, Any]] = {}
        self.members: dict[str, dict[str, Any]] = {}
        self.new_households: list[dict[str, Any]] = []
        self.changed_households: dict[int, dict[str, Any]] = {}
        self.member_rows: list[dict[str, Any]] = []
        # Observations of the round by the external ID of their household or member.
        self.household_observations: dict[str, dict[str, Any]] = {}
        self.member_observations: dict[str, dict[str, Any]] = {}
        self.household_observation_rows: list[dict[str, Any]] = []
        self.member_observation_rows: list[dict[str, Any]] = []

    def load(self) -> None:
        plan = self.plan
        self._load_observations()
        fields = ("id", *HOUSEHOLD_INSERT, "village__country_id")
        for chunk in chunks(plan.households["external_id"].to_list(), ORM_BATCH):
            for row in Household.objects.filter(external_id__in=chunk).values(*fields):
                self.households[row["external_id"]] = row
        member_fields = ("id", *MEMBER_INSERT, "household__village__country_id")
        for chunk in chunks(plan.members["external_id"].to_list(), ORM_BATCH):
            for row in Member.objects.filter(external_id__in=chunk).values(*member_fields):
                self.members[row["external_id"]] = row

    def _load_observations(self) -> None:
        plan = self.plan
        if plan.household_observations is not None:
            fields = ("id", "household__external_id", *HOUSEHOLD_OBSERVATION_INSERT)
            externals = plan.household_observations["household_external_id"].to_list()
            for chunk in chunks(externals, ORM_BATCH):
                for row in HouseholdObservation.objects.filter(
                    survey_round_id=plan.survey_round_id, household__external_id__in=chunk
                ).values(*fields):
                    self.household_observations[row["household__external_id"]] = row
        if plan.member_observations is not None:
            member_fields = ("id", "member__external_id", *MEMBER_OBSERVATION_INSERT)
            externals = plan.member_observations["member_external_id"].to_list()
            for chunk in chunks(externals, ORM_BATCH):
                for row in MemberObservation.objects.filter(
                    survey_round_id=plan.survey_round_id, member__external_id__in=chunk
                ).values(*member_fields):
                    self.member_observations[row["member__external_id"]] = row

    def scope_errors(self) -> list[RowError]:
        allowed = self.plan.allowed_country_ids
        if allowed is None:
            return []
        errors: list[RowError] = []
        for row in self.plan.households.select("row_number", "external_id").iter_rows():
            existing = self.households.get(row[1])
            if existing and existing["village__country_id"] not in allowed:
                errors.append(RowError(row[0], "household_id", row[1], _outside_scope_household()))
        for row in self.plan.members.select("row_number", "external_id").iter_rows():
            member = self.members.get(row[1])
            if member and member["household__village__country_id"] not in allowed:
                errors.append(RowError(row[0], "member_id", row[1], _outside_scope_member()))
        return errors

    def duplicates(self) -> list[DuplicateWarning]:
        by_id, by_name = _db_duplicate_reasons()
        members = self.plan.members
        in_file = set(members["external_id"].to_list())
        warnings: list[DuplicateWarning] = []
        # Only members the importer may see (see CopyWriter.duplicates).
        allowed = self.plan.allowed_country_ids
        in_scope = Member.objects.all()
        if allowed is not None:
            in_scope = in_scope.filter(household__village__country_id__in=allowed)
        wanted = members.filter(pl.col("national_id") != "")
        registered: dict[str, list[str]] = {}
        for chunk in chunks(wanted["national_id"].unique().to_list(), ORM_BATCH):
            # The exclude matches the partial index's condition, so the index is used.
            matching = in_scope.filter(national_id__in=chunk).exclude(national_id="")
            for ext, national_id in matching.values_list("external_id", "national_id"):
                if ext not in in_file:
                    registered.setdefault(national_id, []).append(ext)
        for row, ext, national_id in wanted.select(
            "row_number", "external_id", "national_id"
        ).iter_rows():
            warnings.extend(
                DuplicateWarning(row, ext, other, None, by_id)
                for other in registered.get(national_id, [])
            )
        villages = members["village_id"].drop_nulls().unique().to_list()
        people: dict[tuple[str, int, int], list[str]] = {}
        for ext, name, year, village in in_scope.filter(
            household__village_id__in=villages
        ).values_list("external_id", "name_latin", "birth_year", "household__village_id"):
            if ext not in in_file:
                key = (" ".join(name.lower().split()), year, village)
                people.setdefault(key, []).append(ext)
        for row, ext, key, year, village in members.select(
            "row_number", "external_id", "name_key", "birth_year", "village_id"
        ).iter_rows():
            warnings.extend(
                DuplicateWarning(row, ext, other, None, by_name)
                for other in people.get((key, year, village), [])
            )
        return sorted(warnings, key=lambda w: w.row)

    def counts(self) -> Counts:
        plan = self.plan
        counts = Counts()
        for row in plan.households.iter_rows(named=True):
            values = _household_values(row)
            existing = self.households.get(row["external_id"])
            if existing is None:
                counts.households_created += 1
                self.new_households.append(values)
            elif all(_same(existing[c], values[c]) for c in plan.household_columns):
                counts.households_unchanged += 1
            else:
                counts.households_updated += 1
                self.changed_households[existing["id"]] = values
        ids = {ext: row["id"] for ext, row in self.households.items()}
        for row in plan.members.iter_rows(named=True):
            existing = self.members.get(row["external_id"])
            household_id = ids.get(row["household_external_id"])
            values = _member_values(row, household_id)
            if existing is None:
                counts.members_created += 1
            elif household_id is not None and all(
                _same(existing[c], values[c]) for c in plan.member_columns
            ):
                counts.members_unchanged += 1
                continue
            else:
                counts.members_updated += 1
            values["_existing"] = existing
            values["_household"] = row["household_external_id"]
            self.member_rows.append(values)
        self._count_observations(counts)
        return counts

    def _count_observations(self, counts: Counts) -> None:
        plan = self.plan
        if plan.household_observations is not None:
            created, updated, unchanged = _diff_observations(
                plan.household_observations,
                key="household_external_id",
                existing=self.household_observations,
                compared=plan.household_observation_columns,
                into=self.household_observation_rows,
            )
            counts.household_observations_created = created
            counts.household_observations_updated = updated
            counts.household_observations_unchanged = unchanged
        if plan.member_observations is not None:
            created, updated, unchanged = _diff_observations(
                plan.member_observations,
                key="member_external_id",
                existing=self.member_observations,
                compared=plan.member_observation_columns,
                into=self.member_observation_rows,
            )
            counts.member_observations_created = created
            counts.member_observations_updated = updated
            counts.member_observations_unchanged = unchanged

    def write(self, step: Step) -> None:
        plan = self.plan
        user = User.objects.filter(id=plan.user_id).first() if plan.user_id else None
        history = {
            "batch_size": ORM_BATCH,
            "default_user": user,
            "default_change_reason": plan.reason,
            "default_date": plan.when,
        }
        total = len(self.new_households) + len(self.changed_households) + len(self.member_rows)
        done = 0
        step(done, total)
        for batch in chunks(self.new_households, ORM_BATCH):
            created = bulk_create_with_history(
                [Household(**values) for values in batch], Household, **history
            )
            for household in created:
                self.households[household.external_id] = {"id": household.pk}
            done += len(batch)
            step(done, total)
        changed = list(self.changed_households.items())
        for batch in chunks(changed, ORM_BATCH):
            stored = Household.objects.in_bulk([pk for pk, _values in batch])
            for pk, values in batch:
                for column in plan.household_columns:
                    setattr(stored[pk], column, values[column])
            bulk_update_with_history(
                list(stored.values()), Household, list(plan.household_columns), **history
            )
            done += len(batch)
            step(done, total)
        new_members: list[Member] = []
        changed_members: list[tuple[int, dict[str, Any]]] = []
        for values in self.member_rows:
            existing = values.pop("_existing")
            values["household_id"] = self.households[values.pop("_household")]["id"]
            if existing is None:
                new_members.append(Member(**values))
            else:
                changed_members.append((existing["id"], values))
        for member_batch in chunks(new_members, ORM_BATCH):
            bulk_create_with_history(member_batch, Member, **history)
            done += len(member_batch)
            step(done, total)
        for change_batch in chunks(changed_members, ORM_BATCH):
            stored_members = Member.objects.in_bulk([pk for pk, _values in change_batch])
            for pk, values in change_batch:
                for column in plan.member_columns:
                    setattr(stored_members[pk], column, values[column])
            bulk_update_with_history(
                list(stored_members.values()), Member, list(plan.member_columns), **history
            )
            done += len(change_batch)
            step(done, total)
        self._write_observations(history)

    def _write_observations(self, history: dict[str, Any]) -> None:
        """Create the new observations and update the changed ones, with history.

        Runs after the households and members are written: a new observation may belong to a
        household or member this import has just created, so their ids are looked up here.
        """
        plan = self.plan
        round_id = plan.survey_round_id
        if round_id is None:
            return
        writes = (
            (
                HouseholdObservation,
                Household,
                "household_id",
                self.household_observation_rows,
                plan.household_observation_columns,
            ),
            (
                MemberObservation,
                Member,
                "member_id",
                self.member_observation_rows,
                plan.member_observation_columns,
            ),
        )
        for model, owner, owner_column, rows, compared in writes:
            new = [values for values in rows if values["_existing"] is None]
            owners: dict[str, int] = {}
            for chunk in chunks([values["_owner"] for values in new], ORM_BATCH):
                owners.update(
                    owner.objects.filter(external_id__in=chunk).values_list("external_id", "id")
                )
            created = [
                model(
                    **{c: v for c, v in values.items() if not c.startswith("_")},
                    **{owner_column: owners[values["_owner"]]},
                    survey_round_id=round_id,
                )
                for values in new
            ]
            for batch in chunks(created, ORM_BATCH):
                bulk_create_with_history(batch, model, **history)
            changed = [(values["_existing"], values) for values in rows if values["_existing"]]
            for change_batch in chunks(changed, ORM_BATCH):
                stored = model.objects.in_bulk([pk for pk, _values in change_batch])
                for pk, values in change_batch:
                    for column in compared:
                        setattr(stored[pk], column, values[column])
                bulk_update_with_history(list(stored.values()), model, list(compared), **history)

    def close(self) -> None:
        return None


def _observation_values(row: dict[str, Any], columns: tuple[str, ...]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for column in columns:
        value = row[column]
        if column in JSON_COLUMNS:
            value = json.loads(value)
        elif column in DECIMALS:
            value = decimal_or_none(value)
        values[column] = value
    return values


def _diff_observations(
    frame: pl.DataFrame,
    *,
    key: str,
    existing: dict[str, dict[str, Any]],
    compared: tuple[str, ...],
    into: list[dict[str, Any]],
) -> tuple[int, int, int]:
    """Append the observations to write to ``into``; return (created, updated, unchanged).

    Each appended row holds every column's value, ``_owner`` (the external ID of its
    household or member) and ``_existing`` (the stored row's id, or None for a new one).
    """
    columns = tuple(c for c in frame.columns if c not in ("row_number", key, "present_members"))
    created = updated = unchanged = 0
    for row in frame.iter_rows(named=True):
        values = _observation_values(row, columns)
        stored = existing.get(row[key])
        if stored is None:
            created += 1
        elif all(_same(stored[c], values[c]) for c in compared):
            unchanged += 1
            continue
        else:
            updated += 1
        values["_owner"] = row[key]
        values["_existing"] = stored["id"] if stored is not None else None
        into.append(values)
    return created, updated, unchanged


def writer_for(plan: Plan) -> Writer:
    """The COPY path on PostgreSQL, the ORM elsewhere."""
    if connection.vendor == "postgresql":
        return CopyWriter(plan)
    return OrmWriter(plan)
