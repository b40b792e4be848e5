"""Argument types shared by the public functions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal, TypedDict, TypeVar

import polars as pl

from mekong.measure._design import Design
from mekong.measure._engine import CiDistribution, Variance

__all__ = [
    "COMMON_DOC",
    "By",
    "CiDistribution",
    "Design",
    "FrameLike",
    "Options",
    "PoorIf",
    "Variance",
    "document",
    "fmt",
    "split_options",
]

FrameLike = pl.DataFrame | pl.LazyFrame
By = str | Sequence[str] | None
PoorIf = Literal["below", "at_or_below"]
F = TypeVar("F", bound=Callable[..., Any])


def fmt(x: float) -> str:
    """Format a parameter for a measure name: ``0 -> '0'``, ``1.5 -> '1.5'``."""
    return f"{x:g}"


class Options(TypedDict, total=False):
    """Keyword options every measure accepts (see :data:`COMMON_DOC`)."""

    weight: str | None
    size: str | None
    by: By
    design: Design | None
    conf_level: float
    variance: Variance
    ci: CiDistribution
    reps: int
    seed: int | None


def split_options(options: Options) -> tuple[dict[str, object], dict[str, object]]:
    """Split options into those for ``prepare`` and those for ``run``."""
    prep_keys = ("weight", "size", "by", "design")
    prep = {k: options.get(k) for k in prep_keys}
    run = {k: v for k, v in options.items() if k not in prep_keys}
    return prep, run


COMMON_DOC = """
    Other Parameters
    ----------------
    weight : str, optional
        Sampling-weight column (when ``design`` is given, ``design.weight`` is used).
        ``None``: every row has weight 1.
    size : str, optional
        Household-size column; the weight becomes weight x size so that the measure
        counts persons, not households.
    by : str or list of str, optional
        Column(s) to group by; every group is a domain of the full design.
    design : Design, optional
        Survey design for standard errors and confidence intervals; ``None`` gives point
        estimates with null ``se``, ``ci_low`` and ``ci_high``.
    conf_level : float, default 0.95
        Confidence level of the intervals.
    variance : {"linearisation", "bootstrap"}
        Taylor linearisation (default) or the Rao-Wu rescaling bootstrap (``reps``
        replicates, default 200; ``seed`` for the random generator).
    ci : {"t", "normal"}
        ``"t"`` (default): Student-t quantile with the domain's design degrees of freedom
        (PSUs minus strata holding domain rows, as svy); ``"normal"``: normal quantile.

    Returns
    -------
    polars.DataFrame
        Tidy: the ``by`` columns, ``measure``, ``estimate``, ``se``, ``ci_low``,
        ``ci_high``, ``n`` (sample rows) and ``population`` (sum of weights).
"""


def document(func: F) -> F:
    """Append the shared parameter and return documentation to ``func``'s docstring."""
    func.__doc__ = (func.__doc__ or "").rstrip() + "\n" + COMMON_DOC
    return func
