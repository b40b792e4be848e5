"""One entry point for any mix of poverty and inequality measures (used by the CLI)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Unpack

import polars as pl

from mekong.measure._common import FrameLike, Options, PoorIf, document, split_options
from mekong.measure._engine import Check, Estimator, prepare, run
from mekong.measure.errors import MeasureError
from mekong.measure.inequality import (
    GiniCorrection,
    _estimators,
    is_inequality_measure,
    welfare_checks,
)
from mekong.measure.poverty import PovertyEstimator, Y, Z, is_poverty_measure, line_expr

__all__ = ["measure"]


@document
def measure(
    frame: FrameLike,
    *,
    welfare: str,
    measures: Sequence[str],
    line: float | str | None = None,
    poor_if: PoorIf = "below",
    gini_correction: GiniCorrection = "none",
    **options: Unpack[Options],
) -> pl.DataFrame:
    """Any mix of poverty and inequality measures with one validation pass.

    Parameters
    ----------
    frame
        One row per household or person.
    welfare
        Income or consumption per capita or per adult equivalent.
    measures
        Names accepted by :func:`~mekong.measure.poverty` and
        :func:`~mekong.measure.inequality`, e.g. ``["fgt0", "fgt1", "watts", "gini"]``.
    line
        Poverty line (number or column); required for poverty measures.
    poor_if, gini_correction
        As in :func:`~mekong.measure.poverty` and :func:`~mekong.measure.inequality`.

    Examples
    --------
    >>> import polars as pl
    >>> from mekong.measure import measure
    >>> data = pl.DataFrame({"exp": [100.0, 110.0, 150.0, 160.0]})
    >>> out = measure(data, welfare="exp", line=125, measures=["fgt0", "gini"])
    >>> out["estimate"].round(4).to_list()
    [0.5, 0.1058]
    """
    names = tuple(dict.fromkeys(measures))
    pov = tuple(n for n in names if is_poverty_measure(n))
    ineq = tuple(n for n in names if is_inequality_measure(n))
    unknown = [n for n in names if n not in pov and n not in ineq]
    if unknown:
        raise MeasureError(f"unknown measure(s) {unknown}")
    if pov and line is None:
        raise MeasureError(f"poverty measures {list(pov)} need a poverty line")
    inputs = {Y: welfare}
    checks: list[Check] = welfare_checks(welfare, ineq)
    if isinstance(line, str):
        inputs[Z] = line
        checks.append(Check(line, ~(pl.col(Z) > 0), "<= 0 (poverty lines must be > 0)"))
    elif line is not None and not line > 0:
        raise MeasureError(f"the poverty line must be > 0, got {line}")
    if "watts" in pov and line is not None:
        checks.append(
            Check(
                welfare,
                (pl.col(Y) <= 0) & (pl.col(Y) < line_expr(line)),
                "= 0 below the line (Watts needs the log welfare of the poor)",
            )
        )
    prep_opts, run_opts = split_options(options)
    prep = prepare(frame, inputs=inputs, checks=checks, **prep_opts)  # type: ignore[arg-type]
    estimators: list[Estimator] = []
    if pov:
        assert line is not None
        estimators.append(PovertyEstimator(names=pov, line=line, poor_if=poor_if))
    estimators.extend(_estimators(ineq, gini_correction))
    out = run(prep, estimators, **run_opts)  # type: ignore[arg-type]
    order = pl.DataFrame({"measure": list(names), "_mk_o": list(range(len(names)))})
    return (
        out.join(order, on="measure", how="left")
        .sort([*prep.by, "_mk_o"], maintain_order=True)
        .drop("_mk_o")
    )
