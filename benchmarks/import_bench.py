"""Time the household import against PostgreSQL's own COPY of the same rows.

    python benchmarks/import_bench.py --sizes 100000 1000000 \
        [--postgres postgres://postgres@127.0.0.1:5432/postgres] [--skip-sqlite]

For each size it generates synthetic households (about 4.7 members each, one row per
member, as docs/import.md describes) into a Parquet file, then times

* ``copy``: ``COPY`` of the same rows (as CSV) into a plain table of text columns without
  keys or indexes in a fresh PostgreSQL database — the fastest PostgreSQL takes them in;
* ``copy-keys-only``: ``COPY`` of the same households and members, already shaped as
  register rows (IDs assigned), into ``registry_household`` and ``registry_member`` with
  only what any register with stable IDs needs: primary keys, the unique external IDs and
  the member → household foreign key (checked at commit). Every other index is dropped;
* ``copy-register``: the same rows into the register's tables as migrated, with all their
  indexes — PostgreSQL's own bulk load of this data into this register;
* ``copy-register+history``: that, plus one '+' history row per household and member in
  the two history tables — the floor for any import that keeps every change's history;
* ``postgresql``: ``households_import`` into a fresh, migrated PostgreSQL database (read
  and validate the file, COPY into staging, diff, insert with history, commit);
* ``sqlite``: the same import into a fresh SQLite file (the ORM batch path).

The COPY cases skip validation, diffing and staging entirely. Each case runs in its own
process (Django's settings are read once, from the environment) and in its own database,
created and dropped here. "× COPY" compares with the plain table, "× register COPY" with
``copy-register``; docs/import.md says which one the goal is measured against, and why.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
VILLAGES = 500
SEXES = np.array(["F", "M"])
RELATIONS_AFTER_HEAD = np.array(["spouse", "child", "child", "child", "parent", "grandchild"])


def generate(households: int, seed: int = 7) -> pl.DataFrame:
    """One row per member; 1 + Binomial(9, 0.41) members per household (mean ≈ 4.7)."""
    rng = np.random.default_rng(seed)
    sizes = 1 + rng.binomial(9, 0.41, size=households)
    n = int(sizes.sum())
    household = np.repeat(np.arange(households), sizes)
    starts = np.repeat(np.cumsum(sizes) - sizes, sizes)
    position = np.arange(n) - starts
    relation = np.where(position == 0, "head", RELATIONS_AFTER_HEAD[rng.integers(0, 6, size=n)])
    return pl.DataFrame(
        {
            "household_id": pl.Series(household).cast(pl.String).str.zfill(8),
            "village_code": pl.Series(household % VILLAGES).cast(pl.String).str.zfill(4),
            "registered_on": "2024-03-01",
            "latitude": "19.50000",
            "longitude": "96.10000",
            "main_cause": "lack_of_land",
            "member_id": pl.Series(np.arange(n)).cast(pl.String).str.zfill(9),
            "name_latin": pl.Series(rng.integers(0, 10**7, size=n)).cast(pl.String),
            "national_id": pl.Series(rng.integers(10**11, 10**12, size=n)).cast(pl.String),
            "sex": SEXES[rng.integers(0, 2, size=n)],
            "birth_year": pl.Series(rng.integers(1930, 2024, size=n)).cast(pl.String),
            "relation": relation,
            "education": "primary",
            "years_of_schooling": pl.Series(rng.integers(0, 13, size=n)).cast(pl.String),
        }
    ).with_columns(
        ("HH" + pl.col("household_id")).alias("household_id"),
        ("V" + pl.col("village_code")).alias("village_code"),
        ("Member " + pl.col("name_latin")).alias("name_latin"),
        ("M" + pl.col("member_id")).alias("member_id"),
    )


def _psql(admin_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def _db_url(admin_url: str, name: str) -> str:
    return admin_url.rsplit("/", 1)[0] + "/" + name


# --- cases, each in a child process -----------------------------------------------------


def case_copy(url: str, parquet: Path) -> dict[str, float]:
    import psycopg

    frame = pl.read_parquet(parquet)
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False)
    data = buffer.getvalue()
    columns = ", ".join(f"{name} text" for name in frame.columns)
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute(f"CREATE TABLE copy_reference ({columns})")  # type: ignore[arg-type]
        conn.commit()
        started = time.perf_counter()
        with cursor.copy("COPY copy_reference FROM STDIN (FORMAT csv)") as copy:
            for start in range(0, len(data), 8 << 20):
                copy.write(data[start : start + (8 << 20)])
        conn.commit()
        return {"seconds": time.perf_counter() - started}


def _register_setup() -> dict[str, int]:
    """Migrate the (fresh) database and create the benchmark's villages; code → village ID."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mekong.settings")
    django.setup()
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection

    from mekong.geo.models import AdminArea, AdminLevel, Country, Village
    from mekong.registry.models import ImportBatch

    call_command("migrate", verbosity=0)
    if ImportBatch._meta.db_table not in connection.introspection.table_names():
        # The migration for ImportBatch is generated after merging; make the table here.
        with connection.schema_editor() as editor:
            editor.create_model(ImportBatch)
    country = Country.objects.create(iso3="MMR", iso2="MM", name_latin="Myanmar", currency="MMK")
    area = AdminArea.objects.create(
        country=country, code="B", name_latin="Bench", level=AdminLevel.COUNTY, path="MMR/B/"
    )
    Village.objects.bulk_create(
        Village(
            country=country,
            admin_area=area,
            code=f"V{i:04d}",
            name_latin=f"Village {i}",
            latitude=Decimal("19.5"),
            longitude=Decimal("96.1"),
        )
        for i in range(VILLAGES)
    )
    return dict(Village.objects.values_list("code", "id"))


def _drop_secondary_indexes(url: str, tables: tuple[str, ...]) -> None:
    """Drop every index of ``tables`` that backs no constraint (keeps PKs and unique keys)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        names = conn.execute(
            """
            SELECT i.indexrelid::regclass::text FROM pg_index i
            WHERE i.indrelid = ANY(%s::regclass[])
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            """,
            (list(tables),),
        ).fetchall()
        for (name,) in names:
            conn.execute(f"DROP INDEX {name}")  # type: ignore[arg-type]


def case_copy_register(
    url: str, parquet: Path, *, with_history: bool, minimal: bool = False
) -> dict[str, float]:
    import psycopg

    villages = _register_setup()
    from mekong.registry.models import Household, Member

    if minimal:
        _drop_secondary_indexes(url, ("registry_household", "registry_member"))

    frame = pl.read_parquet(parquet)
    head = pl.col("relation") == "head"
    households = (
        frame.group_by("household_id", maintain_order=True)
        .agg(
            pl.col("village_code").first(),
            pl.col("name_latin").filter(head).first().alias("head_name_latin"),
            pl.col("national_id").filter(head).first(),
            pl.col("latitude").first(),
            pl.col("longitude").first(),
            pl.col("registered_on").first(),
            pl.col("main_cause").first(),
        )
        .with_row_index("id", offset=1)
        .select(
            pl.col("id"),
            pl.col("household_id").alias("external_id"),
            pl.col("village_code")
            .replace_strict(villages, return_dtype=pl.Int64)
            .alias("village_id"),
            "head_name_latin",
            pl.lit("").alias("head_name_local"),
            "national_id",
            pl.lit("").alias("phone"),
            "latitude",
            "longitude",
            "registered_on",
            pl.lit("active").alias("status"),
            "main_cause",
            pl.lit("[]").alias("secondary_causes"),
            pl.lit(None, dtype=pl.Int64).alias("helper_id"),
            pl.lit(False).alias("is_synthetic"),
        )
    )
    members = (
        frame.join(
            households.select(pl.col("id").alias("household_pk"), pl.col("external_id")),
            left_on="household_id",
            right_on="external_id",
            maintain_order="left",
        )
        .with_row_index("id", offset=1)
        .select(
            pl.col("id"),
            pl.col("member_id").alias("external_id"),
            pl.col("household_pk").alias("household_id"),
            "name_latin",
            pl.lit("").alias("name_local"),
            "national_id",
            "sex",
            "birth_year",
            "relation",
            pl.lit("").alias("ethnicity"),
            "education",
            "years_of_schooling",
            pl.lit(True).alias("is_present"),
        )
    )
    history = {
        "history_date": pl.lit("2024-03-01T00:00:00Z"),
        "history_change_reason": pl.lit("bench"),
        "history_type": pl.lit("+"),
        "history_user_id": pl.lit(None, dtype=pl.Int64),
    }
    tables = []
    for model, rows in ((Household, households), (Member, members)):
        columns = [f.column for f in model._meta.concrete_fields]
        tables.append((model._meta.db_table, rows.select(columns)))
        if not with_history:
            continue
        historical = model.history.model  # type: ignore[attr-defined]
        tables.append(
            (
                historical._meta.db_table,
                rows.select(columns).with_columns(
                    value.alias(name) for name, value in history.items()
                ),
            )
        )
    payloads = []
    for table, rows in tables:
        buffer = io.BytesIO()
        rows.write_csv(buffer, include_header=False, null_value="\\N")
        sql = f"COPY {table} ({', '.join(rows.columns)}) FROM STDIN (FORMAT csv, NULL '\\N')"
        payloads.append((sql, buffer.getvalue()))
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        started = time.perf_counter()
        for sql, data in payloads:
            with cursor.copy(sql) as copy:  # type: ignore[arg-type]
                for start in range(0, len(data), 8 << 20):
                    copy.write(data[start : start + (8 << 20)])
        conn.commit()  # the deferred foreign keys are checked here
        return {"seconds": time.perf_counter() - started}


def case_import(parquet: Path) -> dict[str, float]:
    _register_setup()
    from mekong.registry.imports import households_import

    data = parquet.read_bytes()
    started = time.perf_counter()
    report = households_import(user=None, data=data, file_name=parquet.name)
    seconds = time.perf_counter() - started
    assert report.written, report.errors[:5]
    again = time.perf_counter()
    second = households_import(user=None, data=data, file_name=parquet.name)
    reimport = time.perf_counter() - again
    assert second.members_unchanged == report.members_created
    return {"seconds": seconds, "reimport_seconds": reimport, "method": report.method}  # type: ignore[dict-item]


def run_child(case: str, size: int, parquet: Path, admin_url: str) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), MEKONG_LOG_LEVEL="WARNING")
    temp: str | None = None
    name = f"mekong_bench_{case.replace('-', '_').replace('+', '_')}_{os.getpid()}"
    if case != "sqlite":
        _psql(admin_url, f"DROP DATABASE IF EXISTS {name}")
        _psql(admin_url, f"CREATE DATABASE {name}")
        env["MEKONG_DATABASE_URL"] = _db_url(admin_url, name)
    else:
        handle, temp = tempfile.mkstemp(suffix=".sqlite3")
        os.close(handle)
        env["MEKONG_DATABASE_URL"] = f"sqlite:///{temp}"
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--child", case, str(parquet)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            raise SystemExit(f"{case} at {size} failed:\n{out.stderr[-3000:]}")
        result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
        return result
    finally:
        if temp is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(temp + suffix).unlink(missing_ok=True)
        else:
            _psql(admin_url, f"DROP DATABASE IF EXISTS {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("CASE", "PARQUET"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        case, parquet = args.child[0], Path(args.child[1])
        if case == "copy":
            result = case_copy(os.environ["MEKONG_DATABASE_URL"], parquet)
        elif case.startswith("copy-"):
            result = case_copy_register(
                os.environ["MEKONG_DATABASE_URL"],
                parquet,
                with_history=case.endswith("history"),
                minimal=case == "copy-keys-only",
            )
        else:
            result = case_import(parquet)
        print(json.dumps(result))
        return

    from rich.console import Console
    from rich.table import Table

    console = Console(width=140)
    table = Table(title="Household import (one row per member) vs PostgreSQL COPY")
    for heading in (
        "households",
        "member rows",
        "case",
        "seconds",
        "rows/s",
        "× COPY",
        "× register COPY",
        "re-import s",
    ):
        table.add_column(heading, justify="right")
    cases = ["copy", "copy-keys-only", "copy-register", "copy-register+history", "postgresql"]
    cases += [] if args.skip_sqlite else ["sqlite"]
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            frame = generate(size)
            parquet = Path(tmp) / f"households_{size}.parquet"
            frame.write_parquet(parquet)
            rows = frame.height
            reference = floor = None
            for case in cases:
                console.print(f"[dim]{size:,} households: {case}…[/dim]")
                result = run_child(case, size, parquet, args.postgres)
                seconds = float(result["seconds"])
                reference = seconds if case == "copy" else reference
                floor = seconds if case == "copy-register" else floor
                ratio = (
                    "1.0" if case == "copy" else f"{seconds / reference:.1f}" if reference else ""
                )
                reimport = result.get("reimport_seconds")
                table.add_row(
                    f"{size:,}",
                    f"{rows:,}",
                    f"{case} ({result['method']})" if "method" in result else case,
                    f"{seconds:.1f}",
                    f"{rows / seconds:,.0f}",
                    ratio,
                    f"{seconds / floor:.1f}" if floor and case != "copy" else "",
                    f"{reimport:.1f}" if reimport is not None else "",
                )
    console.print(table)


if __name__ == "__main__":
    main()
