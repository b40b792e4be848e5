"""Mekong Bridge measurement library: poverty, inequality, MPI and survey inference.

A pure library (Polars underneath, no Django) that the dashboards, API and CLI use and
that an analyst can use on their own. Every function returns a tidy Polars frame::

    <group columns> | measure | estimate | se | ci_low | ci_high | n | population
"""

from __future__ import annotations

from mekong.measure._design import Design
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
from mekong.measure.mpi import alkire_foster
from mekong.measure.poverty import fgt, poor_count, poverty, sen, sst, watts

__all__ = [
    "Design",
    "DesignError",
    "EmptyGroupError",
    "InvalidWeightError",
    "MeasureError",
    "MissingValueError",
    "NegativeWelfareError",
    "UndefinedMeasureError",
    "UnknownColumnError",
    "alkire_foster",
    "atkinson",
    "fgt",
    "ge",
    "generalised_lorenz",
    "gini",
    "inequality",
    "lorenz",
    "palma",
    "poor_count",
    "poverty",
    "quantile_ratio",
    "quantile_share",
    "sen",
    "sst",
    "theil",
    "watts",
]
