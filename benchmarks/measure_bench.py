"""Benchmark mekong.measure against a plain Polars reference and Python peers.

Prints a table (not a timed test). Each case runs in its own child process so that
peak memory (``ru_maxrss``, which includes generating the synthetic data) is measured
per case. Slow peers run on a subsample and are extrapolated linearly to the full size;
the table says so.

    python benchmarks/measure_bench.py --sizes 1000000 10000000 --groups 50

Cases
-----
point      FGT(0,1,2) + Watts + Gini (person-weighted: weight x size), overall and by groups
se         the same with design-based standard errors (strata, PSUs, weights)
mpi        Alkire-Foster MPI, 10 indicators, k = 1/3, by groups
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl

LINE = 1500.0
N_IND = 10


# --------------------------------------------------------------------------- data


def make_data(n: int, groups: int, seed: int = 0) -> pl.DataFrame:
    """Synthetic households: lognormal welfare, sizes 1-8, weights, 100 strata, PSUs of
    about 25 households, ``groups`` domains and 10 binary deprivation indicators."""
    rng = np.random.default_rng(seed)
    n_psu = max(200, n // 25)
    psu = rng.integers(0, n_psu, n, dtype=np.int32)
    cols: dict[str, Any] = {
        "welfare": rng.lognormal(math.log(2000), 0.7, n),
        "hhsize": rng.integers(1, 9, n, dtype=np.int8),
        "weight": rng.uniform(50, 150, n),
        "group": rng.integers(0, groups, n, dtype=np.int16),
        "psu": psu,
        "stratum": (psu % 100).astype(np.int16),
    }
    frame = pl.DataFrame(cols)
    del cols
    ind = {}
    for j in range(N_IND):
        ind[f"d{j}"] = (rng.random(n) < 0.1 + 0.04 * j).astype(np.int8)
    return frame.with_columns(pl.DataFrame(ind))


# --------------------------------------------------------------------------- cases


def polars_reference(df: pl.DataFrame, by: bool) -> pl.DataFrame:
    """A plain single-pass Polars computation of the same point estimates."""
    y = pl.col("welfare")
    w = pl.col("weight") * pl.col("hhsize").cast(pl.Float64)
    poor = y < LINE
    gap = pl.when(poor).then((LINE - y) / LINE).otherwise(0.0)
    # Gini from cumulative sums after one multi-threaded sort by welfare (group_by keeps
    # the row order within groups): the fastest plain-Polars way we found, faster than
    # sorting by (group, welfare) or a sort_by inside the aggregation.
    ws, ys = w, y
    aggs = [
        w.sum().alias("N"),
        (w * poor).sum().alias("p0"),
        (w * gap).sum().alias("p1"),
        (w * gap * gap).sum().alias("p2"),
        (w * pl.when(poor).then((LINE / y).log()).otherwise(0.0)).sum().alias("watts"),
        ((ws * ys * (2 * ws.cum_sum() - ws)).sum() / (w.sum() * (w * y).sum()) - 1).alias("gini"),
    ]
    lf = df.lazy().sort("welfare")
    out = lf.group_by("group").agg(aggs) if by else lf.select(aggs)
    return out.with_columns(pl.col("p0", "p1", "p2", "watts") / pl.col("N")).collect()


def polars_reference_mpi(df: pl.DataFrame) -> pl.DataFrame:
    score = pl.sum_horizontal([pl.col(f"d{j}") for j in range(N_IND)])
    poor = (score * 3 >= N_IND).cast(pl.Float64)
    w = pl.col("weight") * pl.col("hhsize").cast(pl.Float64)
    aggs = [
        w.sum().alias("N"),
        (w * poor).sum().alias("H"),
        (w * poor * score / N_IND).sum().alias("M0"),
        *[(w * pl.col(f"d{j}") * poor).sum().alias(f"c{j}") for j in range(N_IND)],
        *[(w * pl.col(f"d{j}")).sum().alias(f"u{j}") for j in range(N_IND)],
    ]
    return df.lazy().group_by("group").agg(aggs).collect()


def ours(df: pl.DataFrame, by: bool, se: bool, fgt_only: bool = False) -> pl.DataFrame:
    from mekong.measure import Design, measure

    design = Design(weight="weight", strata="stratum", psu="psu") if se else None
    return measure(
        df,
        welfare="welfare",
        line=LINE,
        measures=["fgt0", "fgt1", "fgt2"]
        if fgt_only
        else ["fgt0", "fgt1", "fgt2", "watts", "gini"],
        weight=None if se else "weight",
        size="hhsize",
        by="group" if by else None,
        design=design,
    )


def ours_mpi(df: pl.DataFrame) -> pl.DataFrame:
    from mekong.measure import alkire_foster

    return alkire_foster(
        df,
        indicators={f"d{j}": 1 for j in range(N_IND)},
        k="1/3",
        weight="weight",
        size="hhsize",
        by="group",
    )


def pim(df: pl.DataFrame, by: bool) -> object:
    """povertyinequalitymeasures (pandas): headcount, gap, severity, Watts, Gini."""
    from povertyInequalityMeasures import inequality, poverty

    pdf = df.select(
        "welfare", "group", (pl.col("weight") * pl.col("hhsize")).alias("w")
    ).to_pandas()

    def one(part: Any) -> list[float]:
        part = part.copy()
        return [
            poverty.get_headcount_index(LINE, part, "welfare", "w"),
            poverty.get_poverty_gap_index(LINE, part, "welfare", "w"),
            poverty.get_poverty_severity_index(LINE, part, "welfare", "w"),
            poverty.get_watts_index(LINE, part, "welfare", "w"),
            inequality.get_gini(part, "welfare", "w"),
        ]

    if by:
        return [one(part) for _, part in pdf.groupby("group")]
    return one(pdf)


def ineqpy_gini(df: pl.DataFrame, by: bool) -> object:
    """ineqpy (numpy/numba): weighted Gini only (it has no poverty measures)."""
    from ineqpy import inequality

    y = df["welfare"].to_numpy()
    w = (df["weight"] * df["hhsize"].cast(pl.Float64)).to_numpy()
    if by:
        g = df["group"].to_numpy()
        return [inequality.gini(income=y[g == k], weights=w[g == k]) for k in np.unique(g)]
    return inequality.gini(income=y, weights=w)


def svy_se(df: pl.DataFrame, by: bool) -> object:
    """svy: Taylor SEs of FGT0/1/2 as means of indicator/gap variables (no Gini in svy)."""
    import svy

    y = pl.col("welfare")
    gap = pl.when(y < LINE).then((LINE - y) / LINE).otherwise(0.0)
    data = df.select(
        "group",
        "stratum",
        "psu",
        (pl.col("weight") * pl.col("hhsize").cast(pl.Float64)).alias("w"),
        (y < LINE).cast(pl.Float64).alias("p0"),
        gap.alias("p1"),
        (gap * gap).alias("p2"),
    )
    sample = svy.Sample(data, svy.Design(stratum="stratum", psu="psu", wgt="w"))
    kw = {"by": "group"} if by else {}
    return [sample.estimation.mean(c, **kw).to_polars() for c in ("p0", "p1", "p2")]


def samplics_se(df: pl.DataFrame, by: bool) -> object:
    """samplics: Taylor SEs of FGT0/1/2 as means (archived predecessor of svy)."""
    from samplics import PopParam, TaylorEstimator

    y = df["welfare"].to_numpy()
    gap = np.where(y < LINE, (LINE - y) / LINE, 0.0)
    w = (df["weight"] * df["hhsize"].cast(pl.Float64)).to_numpy()
    out = []
    for v in ((y < LINE).astype(float), gap, gap * gap):
        est = TaylorEstimator(PopParam.mean)
        est.estimate(
            y=v,
            samp_weight=w,
            stratum=df["stratum"].to_numpy(),
            psu=df["psu"].to_numpy(),
            domain=df["group"].to_numpy() if by else None,
            remove_nan=False,
        )
        out.append(est)
    return out


def mpitb_mpi(df: pl.DataFrame) -> object:
    """mpitb (pandas): H, A, M0 and indicator measures at k = 33 by group."""
    from mpitb import MPIToolbox

    pdf = df.select(
        "group",
        (pl.col("weight") * pl.col("hhsize")).alias("w"),
        *[f"d{j}" for j in range(N_IND)],
    ).to_pandas()
    tb = MPIToolbox()
    tb.svyset(weight="w")
    tb.set(name="bench", dimensions=[([f"d{j}"], f"dim{j}") for j in range(N_IND)])
    return tb.est(pdf, name="bench", klist=[33], over=["group"], svy=True)


CASES: dict[str, tuple[str, str, Callable[[pl.DataFrame], object], bool]] = {
    # name: (label, family, function, runs on a subsample)
    "ref_point_all": (
        "Polars reference",
        "point overall",
        lambda d: polars_reference(d, False),
        False,
    ),
    "ref_point_by": (
        "Polars reference",
        "point by groups",
        lambda d: polars_reference(d, True),
        False,
    ),
    "ours_point_all": ("mekong.measure", "point overall", lambda d: ours(d, False, False), False),
    "ours_point_by": ("mekong.measure", "point by groups", lambda d: ours(d, True, False), False),
    "ours_se_all": ("mekong.measure", "SE overall", lambda d: ours(d, False, True), False),
    "ours_se_by": ("mekong.measure", "SE by groups", lambda d: ours(d, True, True), False),
    "ours_se_fgt_all": (
        "mekong.measure (FGT only)",
        "SE overall",
        lambda d: ours(d, False, True, True),
        False,
    ),
    "ours_se_fgt_by": (
        "mekong.measure (FGT only)",
        "SE by groups",
        lambda d: ours(d, True, True, True),
        False,
    ),
    "ref_mpi_by": ("Polars reference", "MPI by groups", polars_reference_mpi, False),
    "ours_mpi_by": ("mekong.measure", "MPI by groups", ours_mpi, False),
    "pim_point_all": ("povertyinequalitymeasures", "point overall", lambda d: pim(d, False), True),
    "pim_point_by": ("povertyinequalitymeasures", "point by groups", lambda d: pim(d, True), True),
    "ineqpy_all": ("ineqpy (Gini only)", "point overall", lambda d: ineqpy_gini(d, False), True),
    "ineqpy_by": ("ineqpy (Gini only)", "point by groups", lambda d: ineqpy_gini(d, True), True),
    "svy_se_all": ("svy (FGT only)", "SE overall", lambda d: svy_se(d, False), True),
    "svy_se_by": ("svy (FGT only)", "SE by groups", lambda d: svy_se(d, True), True),
    "samplics_se_all": ("samplics (FGT only)", "SE overall", lambda d: samplics_se(d, False), True),
    "samplics_se_by": ("samplics (FGT only)", "SE by groups", lambda d: samplics_se(d, True), True),
    "mpitb_by": ("mpitb", "MPI by groups", mpitb_mpi, True),
}
PEER_MODULES = {
    "pim": "povertyInequalityMeasures",
    "ineqpy": "ineqpy",
    "svy": "svy",
    "samplics": "samplics",
    "mpitb": "mpitb",
}
APODE_NOTE = "apode: not installable from PyPI (its sdist downloads setuptools at build time)"


def child(case: str, size: int, groups: int, rows: int, repeat: int) -> None:
    """Run one case and print a JSON line with the best time and the peak RSS."""
    warnings.simplefilter("ignore")
    df = make_data(size, groups)
    if rows < size:
        df = df.head(rows)
    func = CASES[case][2]
    func(df.head(2_000))  # warm-up: imports, JIT compilation (numba), caches
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        func(df)
        best = min(best, time.perf_counter() - start)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": best, "rows": df.height, "peak_mb": peak_mb}))


def run_case(
    case: str, size: int, groups: int, rows: int, repeat: int, timeout: float
) -> dict[str, Any]:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        case,
        "--sizes",
        str(size),
        "--groups",
        str(groups),
        "--rows",
        str(rows),
        "--repeat",
        str(repeat),
    ]
    env = dict(os.environ)
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
    env["PYTHONPATH"] = os.pathsep.join([src, env.get("PYTHONPATH", "")])
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["failed"])[-1]
        return {"error": last[:80]}
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def available(prefix: str) -> bool:
    module = PEER_MODULES.get(prefix)
    if module is None:
        return True
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            __import__(module)
    except Exception:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", nargs="+", type=int, default=[1_000_000, 10_000_000])
    p.add_argument("--groups", type=int, default=50)
    p.add_argument(
        "--subsample", type=int, default=200_000, help="rows for slow peers (extrapolated linearly)"
    )
    p.add_argument("--repeat", type=int, default=2, help="best of this many runs")
    p.add_argument(
        "--full-below",
        type=float,
        default=60.0,
        help="rerun a subsampled peer on all rows when its extrapolated time is below this",
    )
    p.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    p.add_argument("--timeout", type=float, default=1800)
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--rows", type=int, default=0, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        child(args.child, args.sizes[0], args.groups, args.rows or args.sizes[0], args.repeat)
        return 0

    print(
        f"mekong.measure benchmark: {args.groups} groups, line {LINE}, "
        f"{os.cpu_count()} CPUs, polars {pl.__version__}"
    )
    print(APODE_NOTE)
    header = (
        f"{'rows':>11} {'case':<16} {'implementation':<27} {'seconds':>9} {'peak MiB':>9}  note"
    )
    print(header)
    print("-" * len(header))
    for size in args.sizes:
        for case in args.cases:
            label, family, _, slow = CASES[case]
            prefix = case.split("_")[0]
            if not available(prefix):
                print(f"{size:>11,} {family:<16} {label:<27} {'-':>9} {'-':>9}  not installed")
                continue
            rows = min(size, args.subsample) if slow else size
            res = run_case(case, size, args.groups, rows, 1 if slow else args.repeat, args.timeout)
            # Peers that turn out fast are rerun on the full data: extrapolating a sort
            # linearly from a subsample would flatter or penalise them, and a fixed cost
            # per call is multiplied with the rows (mpitb: 0.61 s on 200,000 rows, 30.7 s
            # extrapolated, 6.5 s measured on 10 M). Long reruns run once.
            if slow and "error" not in res and res["rows"] < size:
                predicted = res["seconds"] * size / res["rows"]
                if predicted <= args.full_below:
                    repeat = 1 if predicted > 10 else args.repeat
                    res = run_case(case, size, args.groups, size, repeat, args.timeout)
            if "error" in res:
                print(f"{size:>11,} {family:<16} {label:<27} {'-':>9} {'-':>9}  {res['error']}")
                continue
            secs = res["seconds"] * size / res["rows"]
            note = (
                ""
                if res["rows"] == size
                else (f"extrapolated from {res['rows']:,} rows ({res['seconds']:.2f} s)")
            )
            print(
                f"{size:>11,} {family:<16} {label:<27} {secs:>9.3f} {res['peak_mb']:>9.0f}  {note}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
