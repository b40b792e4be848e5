"""Shared fixtures: the World Bank synthetic household sample shipped with svy."""

from __future__ import annotations

import polars as pl
import pytest

from mekong.measure import Design

LINE = 2000.0  # a line giving ~35 % poor persons in the synthetic sample


@pytest.fixture(scope="session")
def wb_sample() -> pl.DataFrame:
    """World Bank (2023) synthetic household sample, 825 households, 7 strata, 33 EAs.

    Bundled with svy (``svy.datasets.load("hld_sample_wb_2023", source="bundled")``);
    design: strata geo1 x urbrur, PSU ea, weight hhweight.
    """
    svy = pytest.importorskip("svy")
    data = svy.datasets.load("hld_sample_wb_2023", source="bundled")
    return data.with_columns((pl.col("hhweight") * pl.col("hhsize")).alias("pw"))


@pytest.fixture(scope="session")
def wb_design() -> Design:
    return Design(weight="hhweight", strata=("geo1", "urbrur"), psu="ea")
