"""Latency of the programme dashboard and its data endpoints under concurrent clients.

    python benchmarks/dashboard_bench.py [--clients 20] [--rounds 20] [--workers 4] \
        [--postgres postgres://postgres@127.0.0.1:5432/postgres] [--cache redis|locmem|none]

Creates a scratch PostgreSQL database (``mekong_bench_dash``, dropped at the end), migrates
it and writes the precomputed rows a register of ``--households`` households (1,000,000)
in ``--villages`` villages (2,000) produces after a refresh: for ``--indicators``
indicators (10) × ``--periods`` periods (3), one value per village, per country and a
total (with SE, CI, n, population), a target per indicator and period, and the Analysis
rows (headcount by village for two schemes and three rounds, MPI composition, growth
incidence). Household rows are not generated: dashboards never read the register, only
these rows, so their size — not the register's — decides the latency.

Then it starts gunicorn (``--workers`` sync workers) on loopback and runs ``--clients``
concurrent clients (threads, keep-alive connections, signed in as an all-country
programme officer), each requesting the page and every endpoint ``--rounds`` times in a
shuffled order, and prints the median and 95th percentile per endpoint. The first pass of
each client warms the cache and is not counted; a second run with ``--cache none``
measures the uncached cost of building each response.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "mekong_bench_dash"
# Signs the session the clients send; the data process and the server must share it.
SECRET_KEY = "bench-only-" + "k" * 50
COUNTRIES = [
    ("MMR", "MM", "Myanmar", "MMK", 96.0),
    ("LAO", "LA", "Lao PDR", "LAK", 102.5),
    ("KHM", "KH", "Cambodia", "KHR", 104.9),
]


def _admin(admin_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def _db_url(admin_url: str, name: str) -> str:
    return admin_url.rsplit("/", 1)[0] + "/" + name


# --- data (runs in a child process with MEKONG_DATABASE_URL set) -------------------------


def generate(args: argparse.Namespace) -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mekong.settings")
    django.setup()
    from datetime import UTC, date, datetime
    from decimal import Decimal

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from mekong.geo.models import AdminArea, AdminLevel, Country, Village
    from mekong.partners.models import Role, User
    from mekong.projects.models import Framework, Programme, Project
    from mekong.results.models import (
        Analysis,
        AnalysisKind,
        Indicator,
        IndicatorKind,
        IndicatorValue,
        Level,
        ReportingPeriod,
        ResultNode,
        ResultsFramework,
        Target,
        Unit,
        ValueSource,
        ValueStatus,
    )

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    rng = random.Random(7)
    households_per_village = args.households // args.villages
    countries = [
        Country.objects.create(iso3=iso3, iso2=iso2, name_latin=name, currency=currency)
        for iso3, iso2, name, currency, _lon in COUNTRIES
    ]
    framework = Framework.objects.create(code="BENCH", name="Benchmark")
    programme = Programme.objects.create(framework=framework, code="BENCH-P", title="Bench")
    villages: list[Village] = []
    per_country = args.villages // len(countries)
    for (iso3, _iso2, _name, _cur, lon), country in zip(COUNTRIES, countries, strict=True):
        project = Project.objects.create(
            programme=programme, code=f"B-{iso3}", title=f"Bench {iso3}", currency="CNY"
        )
        project.countries.set([country])
        made: list[Village] = []
        for p in range(10):
            province = AdminArea.objects.create(
                country=country,
                code=f"{iso3}-P{p}",
                name_latin=f"Province {p}",
                level=AdminLevel.PROVINCE,
                depth=1,
                path=f"{iso3}/{iso3}-P{p}/",
            )
            for c in range(5):
                county = AdminArea.objects.create(
                    country=country,
                    parent=province,
                    code=f"{iso3}-P{p}-C{c}",
                    name_latin=f"County {p}.{c}",
                    level=AdminLevel.COUNTY,
                    depth=2,
                    path=f"{province.path}{iso3}-P{p}-C{c}/",
                )
                for v in range(per_country // 50):
                    made.append(
                        Village(
                            country=country,
                            admin_area=county,
                            code=f"{iso3}-{p}-{c}-{v:03d}",
                            name_latin=f"Village {p}.{c}.{v}",
                            latitude=Decimal(f"{19 + rng.random() * 3:.5f}"),
                            longitude=Decimal(f"{lon + rng.random() * 2:.5f}"),
                            population=households_per_village * 47 // 10,
                            households=households_per_village,
                        )
                    )
        Village.objects.bulk_create(made, batch_size=1000)
        project.villages.set(Village.objects.filter(country=country))
        villages += list(Village.objects.filter(country=country))

    rf = ResultsFramework.objects.create(programme=programme, title="Bench programme results")
    goal = ResultNode.objects.create(framework=rf, level=Level.GOAL, code="G", statement="Goal")
    periods = [
        ReportingPeriod.objects.create(
            framework=rf, code=str(year), starts_on=date(year, 1, 1), ends_on=date(year, 12, 31)
        )
        for year in range(2022, 2022 + args.periods)
    ]
    units = [
        Unit.PERCENT,
        Unit.PERCENT,
        Unit.PERCENT,
        Unit.MONEY_PER_PERSON_YEAR,
        Unit.PERCENT,
        Unit.KM,
        Unit.NUMBER,
        Unit.PERSONS,
        Unit.HOUSEHOLDS,
        Unit.PROPORTION,
    ]
    indicators = [
        Indicator.objects.create(
            framework=rf,
            result=goal,
            code=f"I-{i:02d}",
            name=f"Indicator {i}",
            unit=units[i % len(units)],
            kind=IndicatorKind.COMPUTED,
            direction="decrease" if i % 3 == 0 else "increase",
            computation={"kind": "headcount", "scheme": "NL"},
            order=i,
            disaggregations=["village", "country"],
        )
        for i in range(args.indicators)
    ]
    now = datetime.now(UTC)
    rows: list[IndicatorValue] = []

    def cell(
        indicator: Indicator, period: ReportingPeriod, key: str, value: float, population: float
    ) -> IndicatorValue:
        se = abs(value) * 0.05 + 0.1
        name, _, code = key.partition("=")
        return IndicatorValue(
            indicator=indicator,
            period=period,
            disaggregation={name: code} if key else {},
            disaggregation_key=key,
            value=Decimal(f"{value:.6f}"),
            se=se,
            ci_low=value - 1.96 * se,
            ci_high=value + 1.96 * se,
            n=households_per_village,
            population=population,
            source=ValueSource.COMPUTED,
            status=ValueStatus.COMPUTED,
            computed_at=now,
        )

    for indicator in indicators:
        for period in periods:
            for village in villages:
                rows.append(
                    cell(
                        indicator,
                        period,
                        f"village={village.code}",
                        rng.uniform(5, 80),
                        float(village.population or 0),
                    )
                )
            for country in countries:
                rows.append(
                    cell(
                        indicator,
                        period,
                        f"country={country.iso3}",
                        rng.uniform(10, 60),
                        float(per_country * 2350),
                    )
                )
            rows.append(cell(indicator, period, "", rng.uniform(10, 60), args.households * 4.7))
            Target.objects.create(indicator=indicator, period=period, value=Decimal(50))
    IndicatorValue.objects.bulk_create(rows, batch_size=5000)

    rounds = [{"code": f"R{y}", "label": str(y), "year": y} for y in (2022, 2023, 2024)]
    for scheme in ("NL", "INTL-300"):
        Analysis.objects.create(
            framework=rf,
            kind=AnalysisKind.HEADCOUNT_BY_VILLAGE,
            key=scheme,
            payload={
                "scheme": scheme,
                "rounds": rounds,
                "villages": [
                    {
                        "code": v.code,
                        "name": v.name_latin,
                        "country": v.country.iso3,
                        "lat": float(v.latitude),
                        "lon": float(v.longitude),
                        "values": [
                            {
                                "round": r["code"],
                                "estimate": e,
                                "se": 2.0,
                                "ci_low": e - 3.9,
                                "ci_high": e + 3.9,
                                "n": 500,
                            }
                            for r in rounds
                            for e in [rng.uniform(5, 60)]
                        ],
                    }
                    for v in villages
                ],
            },
        )
    Analysis.objects.create(
        framework=rf,
        kind=AnalysisKind.MPI_COMPOSITION,
        key="MPI",
        payload={
            "scheme": "MPI",
            "round": "R2024",
            "H": 30.0,
            "A": 0.45,
            "M0": 0.135,
            "indicators": [
                {"name": f"D{i}", "weight": 0.1, "censored_headcount": 12.0, "contribution": 10.0}
                for i in range(10)
            ],
        },
    )
    Analysis.objects.create(
        framework=rf,
        kind=AnalysisKind.GROWTH_INCIDENCE,
        key="",
        payload={
            "from_round": "R2022",
            "to_round": "R2024",
            "currency": "MMK",
            "mean_growth": 4.0,
            "points": [
                {"p": p, "growth": 5 - p / 50, "ci_low": 4 - p / 50, "ci_high": 6 - p / 50}
                for p in range(1, 100)
            ],
        },
    )
    officer = User.objects.create_user(
        username="bench",
        password="bench-password-1",
        role=Role.PROGRAMME_OFFICER,
        scope_all_countries=True,
    )
    session = SessionStore()
    session[SESSION_KEY] = str(officer.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = officer.get_session_auth_hash()
    session.create()
    province = AdminArea.objects.filter(country=countries[0], depth=1).first()
    assert province is not None
    return {
        "framework": rf.id,
        "period": periods[-1].id,
        "indicators": [i.id for i in indicators],
        "province": province.id,
        "session": session.session_key,
        "values": IndicatorValue.objects.count(),
        "villages": len(villages),
        "seconds": time.perf_counter() - started,
    }


# --- load --------------------------------------------------------------------------------


def preloaded_app() -> Any:
    """The WSGI application with the URLs and API imported before gunicorn forks, so no
    worker pays the imports on its first timed request (as a production --preload does)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mekong.settings")
    from django.urls import get_resolver

    from mekong.wsgi import application

    get_resolver().url_patterns  # noqa: B018  (imports every view module)
    return application


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(port: int, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not listen on {port}")


def endpoints(data: dict[str, Any]) -> dict[str, list[str]]:
    fw, period = data["framework"], data["period"]
    base = f"/api/dashboards/{fw}"
    ind = data["indicators"]
    return {
        "page": [f"/results/{fw}/dashboard/"],
        "summary": [f"{base}/summary?period={period}"],
        "targets": [f"{base}/targets?period={period}"],
        "headcount": [f"{base}/headcount"],
        "mpi": [f"{base}/mpi"],
        "gic": [f"{base}/gic"],
        "map": [f"{base}/map?indicator={i}&period={period}" for i in ind],
        "drilldown (countries)": [f"{base}/drilldown?indicator={i}&period={period}" for i in ind],
        "drilldown (province)": [
            f"{base}/drilldown?indicator={i}&period={period}&area=area:{data['province']}"
            for i in ind
        ],
    }


def run_load(port: int, data: dict[str, Any], clients: int, rounds: int) -> dict[str, list[float]]:
    urls = endpoints(data)
    timings: dict[str, list[float]] = {name: [] for name in urls}
    errors: list[str] = []
    lock = threading.Lock()
    cookie = f"sessionid={data['session']}"

    def client(seed: int) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for r in range(rounds + 1):
            # Every endpoint once a round, in a shuffled order, with a random indicator.
            plan = [(name, rng.choice(choices)) for name, choices in urls.items()]
            rng.shuffle(plan)
            for name, url in plan:
                started = time.perf_counter()
                conn.request("GET", url, headers={"Cookie": cookie, "Host": "127.0.0.1"})
                response = conn.getresponse()
                response.read()
                elapsed = time.perf_counter() - started
                if response.status != 200:
                    with lock:
                        errors.append(f"{url}: {response.status}")
                elif r > 0:  # the first pass warms the cache
                    with lock:
                        timings[name].append(elapsed)
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"{len(errors)} failed requests, e.g. {errors[:3]}")
    return timings


def serve_and_measure(
    url: str, data: dict[str, Any], args: argparse.Namespace, cache: str
) -> dict[str, list[float]]:
    port = _free_port()
    cache_url = {"redis": "redis://127.0.0.1:6379/15", "locmem": "locmem://", "none": "dummy://"}
    env = {
        **os.environ,
        "MEKONG_DATABASE_URL": url,
        "MEKONG_SECRET_KEY": SECRET_KEY,
        "MEKONG_DEBUG": "0",
        "MEKONG_SECURE_COOKIES": "0",
        "MEKONG_CACHE_URL": cache_url[cache],
        "MEKONG_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT / "src"),
    }
    if cache == "redis":
        import redis

        redis.Redis.from_url(cache_url["redis"]).flushdb()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "dashboard_bench:preloaded_app()",
            "--preload",
            "--pythonpath",
            str(ROOT / "benchmarks"),
            "--timeout",
            "120",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        _wait_for(port)
        return run_load(port, data, args.clients, args.rounds)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--villages", type=int, default=2_000)
    parser.add_argument("--indicators", type=int, default=10)
    parser.add_argument("--periods", type=int, default=3)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--cache", nargs="+", default=["redis", "none"], choices=["redis", "locmem", "none"]
    )
    parser.add_argument("--keep", help="keep the database; write its description here")
    parser.add_argument("--reuse", help="reuse a database kept with --keep (its description)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(generate(args)))
        return 0

    url = _db_url(args.postgres, DB_NAME)
    if args.reuse:
        data = json.loads(Path(args.reuse).read_text())
        for cache in args.cache:
            _print_table(cache, serve_and_measure(url, data, args, cache))
        return 0
    _admin(args.postgres, f"DROP DATABASE IF EXISTS {DB_NAME}")
    _admin(args.postgres, f"CREATE DATABASE {DB_NAME}")
    try:
        env = {
            **os.environ,
            "MEKONG_DATABASE_URL": url,
            "MEKONG_SECRET_KEY": SECRET_KEY,
            "PYTHONPATH": str(ROOT / "src"),
        }
        out = subprocess.run(
            [sys.executable, __file__, "--child", "1", *sys.argv[1:]],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        ).stdout
        data = json.loads(out.strip().splitlines()[-1])
        print(
            f"data: {data['values']:,} IndicatorValue rows ({args.indicators} indicators × "
            f"{args.periods} periods × ({data['villages']:,} villages + 3 countries + total)), "
            f"Analysis rows for {data['villages']:,} villages; as {args.households:,} households "
            f"would produce them. Household rows are not generated: dashboards never read the "
            f"register. Setup {data['seconds']:.0f} s."
        )
        print(
            f"load: {args.clients} concurrent clients on loopback, gunicorn {args.workers} sync "
            f"workers, PostgreSQL; each client requests the page and every endpoint once a "
            f"round (shuffled order, random indicator) for {args.rounds} rounds after one "
            "warm-up round (not counted)."
        )
        print()
        print("| cache | endpoint | requests | median ms | p95 ms |")
        print("|---|---|---:|---:|---:|")
        for cache in args.cache:
            _print_table(cache, serve_and_measure(url, data, args, cache))
    finally:
        if args.keep:
            Path(args.keep).write_text(json.dumps(data))
        else:
            _admin(args.postgres, f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    return 0


def _print_table(cache: str, timings: dict[str, list[float]]) -> None:
    everything: list[float] = []
    for name, values in timings.items():
        everything += values
        print(
            f"| {cache} | {name} | {len(values)} | "
            f"{statistics.median(values) * 1000:.0f} | {_p95(values) * 1000:.0f} |",
            flush=True,
        )
    print(
        f"| {cache} | **all** | {len(everything)} | "
        f"{statistics.median(everything) * 1000:.0f} | {_p95(everything) * 1000:.0f} |",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
