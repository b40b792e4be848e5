"""The ``mekong measure`` command line."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from mekong.measure.cli import main


@pytest.fixture
def households(tmp_path: Path) -> Path:
    path = tmp_path / "hh.csv"
    pl.DataFrame(
        {
            "exp": [100.0, 110.0, 150.0, 160.0],
            "w": [1.0, 1.0, 1.0, 1.0],
            "g": ["a", "a", "b", "b"],
            "d1": [1, 0, 1, 1],
            "d2": [1, 0, 0, 1],
        }
    ).write_csv(path)
    return path


def test_csv_to_json(households: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            str(households),
            "--welfare",
            "exp",
            "--line",
            "125",
            "--measures",
            "fgt0",
            "fgt1",
            "--format",
            "json",
        ]
    )
    assert code == 0
    rows = json.loads(capsys.readouterr().out)
    # Haughton & Khandker (2009) country C: P0 = 0.5, P1 = 0.08.
    assert [r["measure"] for r in rows] == ["fgt0", "fgt1"]
    assert rows[0]["estimate"] == 0.5
    assert abs(rows[1]["estimate"] - 0.08) < 1e-12


def test_parquet_by_group_with_se_to_csv_file(households: Path, tmp_path: Path) -> None:
    parquet = tmp_path / "hh.parquet"
    pl.read_csv(households).write_parquet(parquet)
    out = tmp_path / "out.csv"
    code = main(
        [
            str(parquet),
            "--welfare",
            "exp",
            "--line",
            "125",
            "--by",
            "g",
            "--weight",
            "w",
            "--se",
            "--format",
            "csv",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    table = pl.read_csv(out)
    assert table.columns == [
        "g",
        "measure",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "n",
        "population",
    ]
    assert set(table["g"]) == {"a", "b"}


def test_mpi(households: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main([str(households), "--mpi", "d1=1/2", "d2=1/2", "--k", "1/2", "--format", "csv"])
    assert code == 0
    table = pl.read_csv(capsys.readouterr().out.encode())
    assert table.filter(pl.col("measure") == "H")["estimate"][0] == 0.75


def test_errors_exit_2_with_message(households: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(households), "--welfare", "income", "--line", "1"]) == 2
    assert "unknown column 'income'" in capsys.readouterr().err
    assert main(["missing.csv", "--welfare", "exp"]) == 2
    assert main(["register:village=1", "--welfare", "exp"]) == 2
    assert "platform" in capsys.readouterr().err


def test_table_output(households: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(households), "--welfare", "exp", "--measures", "gini"]) == 0
    assert "gini" in capsys.readouterr().out
