"""Mekong Bridge measurement library: poverty, inequality, MPI and survey inference.

A pure library (Polars underneath, no Django) that the dashboards, API and CLI use and
that an analyst can use on their own. Every function returns a tidy Polars frame::

    <group columns> | measure | estimate | se | ci_low | ci_high | n | population
"""

from __future__ import annotations

from mekong.measure._design import Design
from mekong.measure.api import measure
from mekong.measure.change import (
    datt_ravallion,
    growth_incidence,
    huppi_ravallion,
    shorrocks_shapley,
)
from mekong.measure.concentration import concentration_index
from mekong.measure.errors import (
    DesignError,
    EmptyGroupError,
    InvalidWeightError,
    MeasureError,
    MissingValueError,
    NegativeWelfareError,
    UndefinedMeasureError,
    UnknownColumnError,
)
from mekong.measure.impact import difference_in_differences
from mekong.measure.inequality import (
    atkinson,
    ge,
    generalised_lorenz,
    gini,
    inequality,
    lorenz,
    palma,
    quantile_ratio,
    quantile_share,
    theil,
)
from mekong.measure.lines import (
    WORLD_BANK_LINES_2021_PPP,
    adult_equivalents,
    international_line,
    with_equivalised_welfare,
)
from mekong.measure.mpi import alkire_foster
from mekong.measure.poverty import fgt, poor_count, poverty, sen, sst, watts

__all__ = [
    "WORLD_BANK_LINES_2021_PPP",
    "Design",
    "DesignError",
    "EmptyGroupError",
    "InvalidWeightError",
    "MeasureError",
    "MissingValueError",
    "NegativeWelfareError",
    "UndefinedMeasureError",
    "UnknownColumnError",
    "adult_equivalents",
    "alkire_foster",
    "atkinson",
    "concentration_index",
    "datt_ravallion",
    "difference_in_differences",
    "fgt",
    "ge",
    "generalised_lorenz",
    "gini",
    "growth_incidence",
    "huppi_ravallion",
    "inequality",
    "international_line",
    "lorenz",
    "measure",
    "palma",
    "poor_count",
    "poverty",
    "quantile_ratio",
    "quantile_share",
    "sen",
    "shorrocks_shapley",
    "sst",
    "theil",
    "watts",
    "with_equivalised_welfare",
]
