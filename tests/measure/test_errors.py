"""Clear errors for bad input: each names the column (or group) and the reason."""

from __future__ import annotations

import polars as pl
import pytest

from mekong.measure import (
    Design,
    DesignError,
    EmptyGroupError,
    InvalidWeightError,
    MeasureError,
    MissingValueError,
    NegativeWelfareError,
    UndefinedMeasureError,
    UnknownColumnError,
    alkire_foster,
    fgt,
    gini,
    inequality,
    measure,
    poverty,
    watts,
)

DATA = pl.DataFrame({"y": [1.0, 2.0, 3.0], "w": [1.0, 1.0, 2.0], "g": ["a", "a", "b"]})


def test_unknown_column_names_it() -> None:
    with pytest.raises(UnknownColumnError, match="'income'"):
        fgt(DATA, welfare="income", line=2.0)
    with pytest.raises(UnknownColumnError, match="'region'"):
        fgt(DATA, welfare="y", line=2.0, by="region")
    with pytest.raises(UnknownColumnError, match="'psu'"):
        fgt(DATA, welfare="y", line=2.0, design=Design(psu="psu"))


def test_negative_welfare_names_column_and_row() -> None:
    data = DATA.with_columns(pl.Series("y", [1.0, -2.0, 3.0]))
    with pytest.raises(NegativeWelfareError, match=r"'y'.*1 value.*row 1"):
        gini(data, welfare="y")


def test_missing_welfare() -> None:
    data = DATA.with_columns(pl.Series("y", [1.0, None, float("nan")]))
    with pytest.raises(MissingValueError, match=r"'y' has 2 missing.*row 1"):
        fgt(data, welfare="y", line=2.0)


@pytest.mark.parametrize("bad", [0.0, -1.0, None])
def test_weights_must_be_positive(bad: float | None) -> None:
    data = DATA.with_columns(pl.Series("w", [1.0, bad, 1.0]))
    with pytest.raises((InvalidWeightError, MissingValueError), match="'w'"):
        fgt(data, welfare="y", line=2.0, weight="w")


def test_empty_frame() -> None:
    with pytest.raises(EmptyGroupError, match="no rows"):
        fgt(DATA.clear(), welfare="y", line=2.0)


def test_undefined_measure_names_group() -> None:
    data = pl.DataFrame({"y": [0.0, 0.0, 1.0], "g": ["a", "a", "b"]})
    with pytest.raises(UndefinedMeasureError, match=r"'theil_t'.*'a'"):
        inequality(data, welfare="y", measures=("theil_t",), by="g")


def test_log_measures_need_positive_welfare() -> None:
    data = pl.DataFrame({"y": [0.0, 2.0, 3.0]})
    with pytest.raises(NegativeWelfareError, match="theil_l"):
        inequality(data, welfare="y", measures=("theil_l",))
    with pytest.raises(NegativeWelfareError, match="Watts"):
        watts(data, welfare="y", line=1.0)


def test_unknown_measure_and_bad_line() -> None:
    with pytest.raises(MeasureError, match="'fgtx'"):
        poverty(DATA, welfare="y", line=2.0, measures=("fgtx",))
    with pytest.raises(MeasureError, match="line"):
        fgt(DATA, welfare="y", line=0.0)


@pytest.mark.parametrize("name", ["fgt-1", "fgtnan", "fgtinf"])
def test_fgt_alpha_must_be_a_number_at_least_zero(name: str) -> None:
    # A negative alpha would give the non-poor 0 ** alpha = inf (they have gap 0).
    with pytest.raises(MeasureError, match=f"'{name}': the FGT alpha must be a number >= 0"):
        measure(DATA, welfare="y", line=2.0, measures=[name])


def test_singleton_stratum_raises_unless_a_rule_is_chosen() -> None:
    data = pl.DataFrame(
        {"y": [1.0, 2.0, 3.0, 4.0, 5.0], "s": [1, 1, 1, 2, 2], "p": [1, 2, 3, 4, 4]}
    )
    with pytest.raises(DesignError, match="single PSU"):
        fgt(data, welfare="y", line=3.0, design=Design(strata="s", psu="p"))
    skip = fgt(
        data, welfare="y", line=3.0, alpha=0, design=Design(strata="s", psu="p", singleton="skip")
    )
    center = fgt(
        data, welfare="y", line=3.0, alpha=0, design=Design(strata="s", psu="p", singleton="center")
    )
    assert center["se"][0] > skip["se"][0] > 0


def test_errors_are_value_errors() -> None:
    assert issubclass(MeasureError, ValueError)


@pytest.mark.parametrize("by", ["gini", "fgt0", "H", ["gini", "fgt0"]])
def test_group_column_named_like_a_measure_is_measured(by: str | list[str]) -> None:
    frame = pl.DataFrame(
        {
            "y": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            "gini": [0, 0, 0, 1, 1, 1],
            "fgt0": ["a", "a", "a", "b", "b", "b"],
            "H": [0, 0, 0, 1, 1, 1],
            "d": [1, 0, 1, 0, 0, 1],
        }
    )
    cols = [by] if isinstance(by, str) else by
    if "H" in cols:
        out = alkire_foster(frame, indicators={"d": 1}, k="1/2", by=by)
        assert out.filter(pl.col("measure") == "H")["estimate"].to_list() == [2 / 3, 1 / 3]
    else:
        out = measure(frame, welfare="y", line=3.5, measures=["fgt0", "gini"], by=by)
        assert out.columns[: len(cols)] == cols
        # Group 0 holds 1, 2, 3 (all poor); group 1 holds 4, 5, 6.
        assert out.filter(pl.col("measure") == "fgt0")["estimate"].to_list() == [1.0, 0.0]
        assert out.filter(pl.col("measure") == "gini")["estimate"].to_list() == pytest.approx(
            [8 / (2 * 3 * 6), 8 / (2 * 3 * 15)]  # sum |y_i - y_j| / (2 N Y)
        )


@pytest.mark.parametrize("name", ["measure", "estimate", "se", "n", "population"])
def test_group_column_named_like_an_output_column_is_refused(name: str) -> None:
    frame = pl.DataFrame({"y": [1.0, 2.0], name: [0, 1]})
    with pytest.raises(MeasureError, match=f"by column\\(s\\) \\['{name}'\\].*output column"):
        measure(frame, welfare="y", measures=["gini"], by=name)
