"""``mekong measure``: poverty, inequality and MPI tables from a CSV or Parquet file.

Usage::

    mekong measure households.parquet --welfare pc_exp --line 2000 \\
        --measures fgt0 fgt1 fgt2 watts gini --by province --size hhsize \\
        --weight hhweight --strata region urban --psu ea --format csv -o out.csv

    mekong measure households.csv --mpi d_water=1/6 d_school=1/6 ... --k 1/3

Also runnable as ``python -m mekong.measure``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

import polars as pl

from mekong.measure._design import Design
from mekong.measure.api import measure
from mekong.measure.errors import MeasureError
from mekong.measure.mpi import alkire_foster

__all__ = ["build_parser", "main"]

RegisterLoader = Callable[[str], pl.LazyFrame]
DEFAULT_MEASURES = ("fgt0", "fgt1", "fgt2", "watts", "gini")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``mekong measure``."""
    p = argparse.ArgumentParser(
        prog="mekong measure",
        description="Poverty, inequality and multidimensional poverty with design-based "
        "standard errors. Reads CSV or Parquet; writes a table, CSV or JSON.",
    )
    p.add_argument("input", help="CSV or Parquet file (or register:<query> inside the platform)")
    p.add_argument("--welfare", help="welfare column (income/consumption per capita or AE)")
    p.add_argument("--line", help="poverty line: a number or a column name")
    p.add_argument(
        "--measures",
        nargs="+",
        default=None,
        help=f"measure names (default: {' '.join(DEFAULT_MEASURES)}); see docs/measures.md",
    )
    p.add_argument("--by", nargs="+", default=None, help="group columns")
    p.add_argument("--weight", help="sampling-weight column")
    p.add_argument("--size", help="household-size column (person-level measures)")
    p.add_argument("--strata", nargs="+", default=None, help="stratum column(s)")
    p.add_argument("--psu", help="PSU (cluster) column")
    p.add_argument("--fpc", help="finite-population correction column")
    p.add_argument("--singleton", choices=["error", "skip", "center"], default="error")
    p.add_argument(
        "--se", action="store_true", help="standard errors even without strata/PSU (weights only)"
    )
    p.add_argument("--poor-if", choices=["below", "at_or_below"], default="below")
    p.add_argument("--conf-level", type=float, default=0.95)
    p.add_argument("--ci", choices=["t", "normal"], default="t")
    p.add_argument("--variance", choices=["linearisation", "bootstrap"], default="linearisation")
    p.add_argument("--reps", type=int, default=200)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument(
        "--mpi",
        nargs="+",
        metavar="COLUMN=WEIGHT",
        default=None,
        help="Alkire-Foster MPI indicators with weights, e.g. water=1/6",
    )
    p.add_argument("--k", default="1/3", help="MPI poverty cut-off as a fraction (default 1/3)")
    p.add_argument(
        "--cutoff",
        nargs="+",
        metavar="COLUMN=VALUE",
        default=None,
        help="MPI deprivation cut-offs (deprived if value < cut-off)",
    )
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.add_argument("-o", "--output", help="write to this file instead of standard output")
    return p


def _pairs(items: Sequence[str] | None, what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or ():
        name, sep, value = item.partition("=")
        if not sep or not name or not value:
            raise MeasureError(f"{what} must look like COLUMN=VALUE, got {item!r}")
        out[name] = value
    return out


def _read(path: str, loader: RegisterLoader | None) -> pl.LazyFrame:
    if path.startswith("register:"):
        if loader is None:
            raise MeasureError(
                "reading the register needs the platform (run `mekong measure` "
                "inside Mekong Bridge); give a CSV or Parquet file instead"
            )
        return loader(path.removeprefix("register:"))
    file = Path(path)
    if not file.exists():
        raise MeasureError(f"input file {path!r} does not exist")
    suffix = file.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return pl.scan_parquet(file)
    if suffix in (".csv", ".txt"):
        return pl.scan_csv(file, infer_schema_length=10_000)
    raise MeasureError(f"cannot read {path!r}: use a .csv or .parquet file")


def _compute(args: argparse.Namespace, frame: pl.LazyFrame) -> pl.DataFrame:
    design: Design | None = None
    if args.strata or args.psu or args.fpc or args.se or args.variance == "bootstrap":
        design = Design(
            weight=args.weight,
            strata=tuple(args.strata) if args.strata else None,
            psu=args.psu,
            fpc=args.fpc,
            singleton=args.singleton,
        )
    options = {
        "weight": None if design else args.weight,
        "size": args.size,
        "by": args.by,
        "design": design,
        "conf_level": args.conf_level,
        "variance": args.variance,
        "ci": args.ci,
        "reps": args.reps,
        "seed": args.seed,
    }
    if args.mpi:
        indicators = _pairs(args.mpi, "--mpi")
        cutoffs = {k: float(v) for k, v in _pairs(args.cutoff, "--cutoff").items()}
        return alkire_foster(
            frame,
            indicators=indicators,
            k=args.k,
            cutoffs=cutoffs,
            **options,
        )
    if not args.welfare:
        raise MeasureError("give --welfare (or --mpi for multidimensional poverty)")
    line: float | str | None = None
    if args.line is not None:
        try:
            line = float(args.line)
        except ValueError:
            line = args.line
    return measure(
        frame,
        welfare=args.welfare,
        line=line,
        measures=args.measures or (DEFAULT_MEASURES if line is not None else ("gini",)),
        poor_if=args.poor_if,
        **options,
    )


def _write(result: pl.DataFrame, fmt: str, stream: TextIO) -> None:
    if fmt == "csv":
        stream.write(result.write_csv())
    elif fmt == "json":
        json.dump(result.to_dicts(), stream, indent=2, default=str)
        stream.write("\n")
    else:
        with pl.Config(tbl_rows=-1, tbl_cols=-1, float_precision=6, tbl_width_chars=200):
            stream.write(str(result) + "\n")


def main(argv: list[str] | None = None, *, register_loader: RegisterLoader | None = None) -> int:
    """Run ``mekong measure``; returns the process exit code (0 ok, 2 bad input).

    ``register_loader`` lets the platform serve ``register:<query>`` inputs.
    """
    args = build_parser().parse_args(argv)
    try:
        frame = _read(args.input, register_loader)
        result = _compute(args, frame)
    except MeasureError as exc:
        print(f"mekong measure: error: {exc}", file=sys.stderr)
        return 2
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as fh:
            _write(result, args.format, fh)
    else:
        _write(result, args.format, sys.stdout)
    return 0
