"""Time the full refresh of a programme's computed indicators on a large register.

    python benchmarks/results_bench.py --sizes 100000 1000000 \
        [--postgres postgres://postgres@127.0.0.1:5432/postgres] [--sample] [--keep]

For each size it creates a scratch PostgreSQL database (``mekong_bench_results``), migrates
it and fills it with COPY (numpy, seed 7; not timed): one country, 500 villages split
between two projects of one programme, N households of 1 + Binomial(9, 0.41) members
(mean ≈ 4.7), a baseline (2023) and an update round (2024) with one observation per household
and one member observation per member, classifications under a monetary line (``MM-NL``)
and the global MPI (``MM-MPI``, deprivations in ``reasons``), 2,000 assistance measures and
40 road assets. The programme framework has 10 computed indicators (headcounts per person and
per household, MPI H/A/M0, mean income, two shares, assisted households, km of road) with
disaggregations by sex, age band, disability, ethnicity and poverty category (plus the
village and country cells every register indicator gets), and periods 2023 and 2024.

Timed: ``refresh_all()`` — the first run (every value created, analyses written) split into
loading the frames, computing and writing; then a second run on unchanged data (nothing
written). Rounds are a census of every household (a register's normal case: no sampling
error); ``--sample`` marks them as samples with weights, which adds design-based standard
errors to every cell (the slower path).
The case runs in a child process (Django reads its settings once); the database is dropped
at the end. Goal (issue #6): a full refresh under one minute at 1,000,000 households.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
VILLAGES = 500
DB_NAME = "mekong_bench_results"
ETHNICITIES = np.array(["Bamar", "Shan", "Chin", "Kachin", "Karen", ""])
WATER = np.array(["piped", "protected", "unprotected", "surface"])
SANITATION = np.array(["improved", "shared", "unimproved", "none"])
FUEL = np.array(["electricity", "gas", "charcoal", "wood", "dung"])
MATERIAL = np.array(["finished", "rudimentary", "natural"])
MPI_WEIGHTS_18 = {  # global MPI weights in 18ths: health and education 3/18, living 1/18
    "nutrition": 3,
    "child_mortality": 3,
    "years_of_schooling": 3,
    "school_attendance": 3,
    "cooking_fuel": 1,
    "sanitation": 1,
    "drinking_water": 1,
    "electricity": 1,
    "housing": 1,
    "assets": 1,
}
MPI_RATES = {  # share deprived in each indicator (synthetic)
    "nutrition": 0.15,
    "child_mortality": 0.05,
    "years_of_schooling": 0.2,
    "school_attendance": 0.1,
    "cooking_fuel": 0.6,
    "sanitation": 0.4,
    "drinking_water": 0.3,
    "electricity": 0.35,
    "housing": 0.45,
    "assets": 0.4,
}


def _psql(admin_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql)


def _db_url(admin_url: str, name: str) -> str:
    return admin_url.rsplit("/", 1)[0] + "/" + name


# --- the child: set up, generate, time ------------------------------------------------------


def _copy(table: str, frame: pl.DataFrame) -> None:
    """COPY ``frame`` into ``table``, every column the model has (defaults filled in)."""
    from django.db import connection

    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False, null_value="\\N")
    data = buffer.getvalue()
    sql = f"COPY {table} ({', '.join(frame.columns)}) FROM STDIN (FORMAT csv, NULL '\\N')"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for start in range(0, len(data), 8 << 20):
            copy.write(data[start : start + (8 << 20)])


def _complete(model: Any, columns: dict[str, Any], height: int) -> pl.DataFrame:
    """The model's concrete columns in order: given ones, else the field's default."""
    out: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        if f.column in columns:
            value = columns[f.column]
        elif f.has_default() or (f.empty_strings_allowed and not f.null and f.blank):
            default = f.get_default()
            value = json.dumps(default) if isinstance(default, list | dict) else default
            if isinstance(value, bool):
                value = "t" if value else "f"
            value = None if value is None else str(value)
        elif f.null:
            value = None
        else:
            raise SystemExit(f"{model.__name__}.{f.name}: no value and no default")
        out[f.column] = value if isinstance(value, pl.Series | np.ndarray) else [value] * height
    return pl.DataFrame(out)


def generate(households: int, sample: bool) -> dict[str, Any]:
    from datetime import date
    from decimal import Decimal

    from django.db import connection

    from mekong.geo.models import AdminArea, AdminLevel, Country, Village
    from mekong.projects import services as project_services
    from mekong.projects.models import Framework, Programme
    from mekong.registry.models import (
        AssistanceMeasure,
        Classification,
        Household,
        HouseholdObservation,
        Member,
        MemberObservation,
        PovertyScheme,
        RoundKind,
        SchemeKind,
        SurveyRound,
    )

    rng = np.random.default_rng(7)
    started = time.perf_counter()
    country = Country.objects.create(iso3="MMR", iso2="MM", name_latin="Myanmar", currency="MMK")
    area = AdminArea.objects.create(
        country=country, code="B", name_latin="Bench", level=AdminLevel.COUNTY, path="MMR/B/"
    )
    villages = Village.objects.bulk_create(
        Village(
            country=country,
            admin_area=area,
            code=f"V{i:04d}",
            name_latin=f"Village {i}",
            latitude=Decimal("19.5") + Decimal(i % 50) / 10,
            longitude=Decimal("96.1") + Decimal(i // 50) / 10,
        )
        for i in range(VILLAGES)
    )
    framework = Framework.objects.create(code="EAPRI", name="East Asia Poverty Reduction")
    programme = Programme.objects.create(framework=framework, code="BENCH", title="Bench")
    half = VILLAGES // 2
    projects = [
        project_services.project_create(
            user=None,
            programme=programme,
            code=f"P-{n}",
            title=f"Project {n}",
            countries=[country],
            currency="CNY",
            villages=part,
        )
        for n, part in enumerate((villages[:half], villages[half:]))
    ]
    rounds = [
        SurveyRound.objects.create(
            code=f"MM-{year}",
            kind=RoundKind.BASELINE if year == 2023 else RoundKind.ANNUAL_UPDATE,
            country=country,
            started_on=date(year, 3, 1),
            is_sample=sample,
        )
        for year in (2023, 2024)
    ]
    line = PovertyScheme.objects.create(
        code="MM-NL",
        name="Myanmar line",
        kind=SchemeKind.MONETARY,
        country=country,
        config={"period": "year", "line": "1000", "currency": "MMK", "price_year": 2020},
        valid_from=date(2020, 1, 1),
    )
    mpi = PovertyScheme.objects.create(
        code="MM-MPI",
        name="Myanmar MPI",
        kind=SchemeKind.MPI,
        country=country,
        config={},
        valid_from=date(2020, 1, 1),
    )

    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no FK triggers while loading
    village_ids = np.array([v.id for v in villages])
    hh_ids = np.arange(1, households + 1)
    hh_village = village_ids[(hh_ids - 1) % VILLAGES]
    sizes = 1 + rng.binomial(9, 0.41, size=households)
    _copy(
        Household._meta.db_table,
        _complete(
            Household,
            {
                "id": hh_ids,
                "village_id": hh_village,
                "external_id": pl.Series(hh_ids).cast(pl.String).str.zfill(8),
                "head_name_latin": "Head",
                "registered_on": "2020-01-01",
                "is_synthetic": "t",
            },
            households,
        ),
    )
    n = int(sizes.sum())
    member_hh = np.repeat(hh_ids, sizes)
    starts = np.repeat(np.cumsum(sizes) - sizes, sizes)
    position = np.arange(n) - starts
    is_head = position == 0
    birth = np.where(is_head, rng.integers(1950, 1996, n), rng.integers(1940, 2023, n))
    relation = np.where(is_head, "head", "child")
    member_ids = np.arange(1, n + 1)
    _copy(
        Member._meta.db_table,
        _complete(
            Member,
            {
                "id": member_ids,
                "household_id": member_hh,
                "external_id": pl.Series(member_ids).cast(pl.String).str.zfill(9),
                "name_latin": "Member",
                "sex": np.array(["F", "M"])[rng.integers(0, 2, n)],
                "birth_year": birth,
                "relation": relation,
                "ethnicity": ETHNICITIES[np.repeat(rng.integers(0, 6, households), sizes)],
                "is_present": "t",
            },
            n,
        ),
    )
    base_income = rng.lognormal(np.log(1500), 0.6, households)
    weights = rng.uniform(50, 150, households).round(4) if sample else np.ones(households)
    for r_index, survey_round in enumerate(rounds):
        per_capita = (base_income * (1 + 0.08 * r_index + rng.normal(0, 0.1, households))).round(0)
        per_capita = np.maximum(per_capita, 0)
        obs = _complete(
            HouseholdObservation,
            {
                "id": hh_ids + r_index * households,
                "household_id": hh_ids,
                "survey_round_id": survey_round.id,
                "observed_on": str(survey_round.started_on),
                "size": sizes,
                "weight": weights,
                "currency": "MMK",
                "income_wages": per_capita * sizes,
                "water_source": WATER[rng.integers(0, 4, households)],
                "water_minutes": rng.integers(0, 90, households),
                "sanitation": SANITATION[rng.integers(0, 4, households)],
                "cooking_fuel": FUEL[rng.integers(0, 5, households)],
                "electricity": np.where(rng.random(households) < 0.65, "t", "f"),
                "roof": MATERIAL[rng.integers(0, 3, households)],
                "walls": MATERIAL[rng.integers(0, 3, households)],
                "floor": MATERIAL[rng.integers(0, 3, households)],
                "land_ha": rng.uniform(0, 3, households).round(3),
            },
            households,
        )
        _copy(HouseholdObservation._meta.db_table, obs)
        wg = np.where(rng.random(n) < 0.03, rng.integers(3, 5, n), 1)
        _copy(
            MemberObservation._meta.db_table,
            _complete(
                MemberObservation,
                {
                    "id": member_ids + r_index * n,
                    "member_id": member_ids,
                    "survey_round_id": survey_round.id,
                    "wg_walking": wg,
                },
                n,
            ),
        )
        poor = per_capita < 1000
        deprived = {k: rng.random(households) < rate for k, rate in MPI_RATES.items()}
        score = sum(deprived[k].astype(np.int64) * w for k, w in MPI_WEIGHTS_18.items())
        mpi_poor = score >= 6  # k = 1/3 = 6/18, exact in integers
        names = pl.DataFrame(deprived).select(
            pl.concat_str(
                [pl.when(pl.col(k)).then(pl.lit(f'"{k}"')) for k in deprived],
                separator=", ",
                ignore_nulls=True,
            ).alias("d")
        )["d"]
        reasons = (
            pl.DataFrame({"s": score, "d": names})
            .select(
                pl.concat_str(
                    pl.lit('{"score": "'),
                    pl.col("s").cast(pl.String),
                    pl.lit('/18", "k": "1/3", "deprivations": ['),
                    pl.col("d"),
                    pl.lit("]}"),
                )
            )
            .to_series()
        )
        for offset, scheme, is_poor, value, why in (
            (0, line, poor, per_capita, None),
            (1, mpi, mpi_poor, score / 18, reasons),
        ):
            _copy(
                Classification._meta.db_table,
                _complete(
                    Classification,
                    {
                        "id": hh_ids + (2 * r_index + offset) * households,
                        "household_id": hh_ids,
                        "survey_round_id": survey_round.id,
                        "scheme_id": scheme.id,
                        "poor": np.where(is_poor, "t", "f"),
                        "level": np.where(is_poor, "poor", "non_poor"),
                        "value": np.round(value, 4),
                        "reasons": why if why is not None else pl.Series(["{}"] * households),
                        "classified_at": "2024-06-01T00:00:00Z",
                    },
                    households,
                ),
            )
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("ANALYZE")
    AssistanceMeasure.objects.bulk_create(
        AssistanceMeasure(
            household_id=int(hh),
            category="production",
            description="Seeds",
            value=Decimal("100"),
            currency="MMK",
            value_date=date(2023 + int(i % 2), 5, 1),
        )
        for i, hh in enumerate(rng.choice(hh_ids, 2000, replace=False))
    )
    for n_project, project in enumerate(projects):
        component = project_services.component_create(
            user=None, project=project, focus_area="infrastructure", title="Roads"
        )
        activity = project_services.activity_create(user=None, component=component, title="Build")
        for i in range(20):
            asset = project_services.asset_create(
                user=None,
                activity=activity,
                village=villages[n_project * half + i],
                asset_type="road",
                unit="km",
                planned_quantity=Decimal("3"),
                procurement_mode="chinese_contractor",
            )
            project_services.asset_progress_record(
                user=None,
                asset=asset,
                reported_on=date(2023 + i % 2, 6, 1),
                percent_complete=100,
                actual_quantity=Decimal("3"),
            )
    _framework(programme)
    return {"generate_seconds": time.perf_counter() - started, "members": n}


def _framework(programme: Any) -> None:
    from datetime import date

    from mekong.results.models import (
        Indicator,
        IndicatorKind,
        Level,
        ReportingPeriod,
        ResultNode,
        ResultsFramework,
    )

    fw = ResultsFramework.objects.create(programme=programme, title="Bench results")
    goal = ResultNode.objects.create(framework=fw, level=Level.GOAL, code="G", statement="Goal")
    for year in (2023, 2024):
        ReportingPeriod.objects.create(
            framework=fw, code=str(year), starts_on=date(year, 1, 1), ends_on=date(year, 12, 31)
        )
    people = ["sex", "age_band", "disability", "ethnicity", "poverty_category"]
    specs: list[tuple[str, str, dict[str, Any], list[str]]] = [
        ("G1", "percent", {"kind": "headcount", "scheme": "MM-NL"}, people),
        ("G2", "percent", {"kind": "headcount", "scheme": "MM-NL", "per": "household"}, ["sex"]),
        ("G3", "percent", {"kind": "mpi", "scheme": "MM-MPI", "measure": "H"}, ["sex"]),
        ("G4", "index", {"kind": "mpi", "scheme": "MM-MPI", "measure": "A"}, []),
        ("G5", "index", {"kind": "mpi", "scheme": "MM-MPI", "measure": "M0"}, []),
        ("O1", "money_per_person_year", {"kind": "mean_income"}, ["sex", "ethnicity"]),
        (
            "O2",
            "percent",
            {
                "kind": "household_share",
                "all": [
                    {"field": "water_source", "op": "in", "value": ["piped", "protected"]},
                    {"field": "water_minutes", "op": "le", "value": 30},
                ],
            },
            ["sex", "disability"],
        ),
        (
            "O3",
            "percent",
            {
                "kind": "household_share",
                "per": "person",
                "all": [{"field": "electricity", "op": "eq", "value": True}],
            },
            [],
        ),
        ("P1", "households", {"kind": "assisted_households"}, []),
        ("P2", "km", {"kind": "asset_quantity", "asset_type": "road", "unit": "km"}, []),
    ]
    for order, (code, unit, computation, dims) in enumerate(specs):
        Indicator.objects.create(
            framework=fw,
            result=goal,
            code=code,
            name=code,
            unit=unit,
            kind=IndicatorKind.COMPUTED,
            computation=computation,
            disaggregations=dims,
            order=order,
        )


def child(size: int, sample: bool) -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mekong.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    result = generate(size, sample)
    from mekong.results.compute import refresh_all
    from mekong.results.models import IndicatorValue

    phases: dict[str, float] = {}
    clock = time.perf_counter()

    def step(phase: str, done: int, total: int) -> None:
        nonlocal clock
        if done == total:
            now = time.perf_counter()
            phases[phase] = phases.get(phase, 0.0) + now - clock
            clock = now
        elif done == 0 and phase not in phases:
            clock = time.perf_counter()

    started = time.perf_counter()
    clock = started
    [report] = refresh_all(progress=step)
    first = time.perf_counter() - started
    assert report.created > 0, report
    again = time.perf_counter()
    [second] = refresh_all()
    second_seconds = time.perf_counter() - again
    result.update(
        refresh_seconds=first,
        load_seconds=phases.get("load", 0.0),
        compute_seconds=phases.get("compute", 0.0),
        write_seconds=phases.get("write", 0.0),
        analyses_seconds=phases.get("analyses", 0.0),
        second_writes=second.created + second.updated + second.deleted,
        second_seconds=second_seconds,
        values=IndicatorValue.objects.count(),
        unavailable=report.unavailable,
        analyses=report.analyses,
        peak_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )
    return result


def run_child(size: int, admin_url: str, sample: bool, keep: bool) -> dict[str, Any]:
    _psql(admin_url, f"DROP DATABASE IF EXISTS {DB_NAME}")
    _psql(admin_url, f"CREATE DATABASE {DB_NAME}")
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT / "src"),
        MEKONG_LOG_LEVEL="WARNING",
        MEKONG_DATABASE_URL=_db_url(admin_url, DB_NAME),
    )
    try:
        args = [sys.executable, __file__, "--child", str(size)]
        out = subprocess.run(
            [*args, *(["--sample"] if sample else [])],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            raise SystemExit(f"{size} failed:\n{out.stderr[-3000:]}")
        result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
        return result
    finally:
        if not keep:
            _psql(admin_url, f"DROP DATABASE IF EXISTS {DB_NAME}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--sample", action="store_true", help="sample rounds: with SEs")
    parser.add_argument("--keep", action="store_true", help="keep the database for profiling")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.sample)))
        return

    from rich.console import Console
    from rich.table import Table

    console = Console(width=150)
    table = Table(title="Results refresh: programme framework, 10 computed indicators, 2 periods")
    for heading in (
        "households",
        "members",
        "rounds",
        "generate s",
        "load s",
        "compute s",
        "write s",
        "analyses s",
        "refresh s",
        "second refresh s",
        "second writes",
        "values",
        "peak MiB",
    ):
        table.add_column(heading, justify="right")
    for size in args.sizes:
        console.print(f"[dim]{size:,} households…[/dim]")
        r = run_child(size, args.postgres, args.sample, args.keep)
        table.add_row(
            f"{size:,}",
            f"{r['members']:,}",
            "sample" if args.sample else "census",
            f"{r['generate_seconds']:.0f}",
            f"{r['load_seconds']:.1f}",
            f"{r['compute_seconds']:.1f}",
            f"{r['write_seconds']:.1f}",
            f"{r['analyses_seconds']:.1f}",
            f"{r['refresh_seconds']:.1f}",
            f"{r['second_seconds']:.1f}",
            str(r["second_writes"]),
            f"{r['values']:,}",
            f"{r['peak_mib']:,.0f}",
        )
    console.print(table)


if __name__ == "__main__":
    main()
