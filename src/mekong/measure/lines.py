"""Poverty lines and adult-equivalence scales.

International lines are set in US dollars per person per day at purchasing-power parity
(PPP); a national statistics office needs them in local currency at survey prices.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final, Literal

import polars as pl

from mekong.measure.errors import MeasureError

__all__ = [
    "WORLD_BANK_LINES_2021_PPP",
    "Scale",
    "adult_equivalents",
    "international_line",
    "with_equivalised_welfare",
]

#: World Bank international poverty lines, USD per person per day, 2021 PPP (June 2025).
WORLD_BANK_LINES_2021_PPP: Final[dict[str, Decimal]] = {
    "extreme": Decimal("3.00"),
    "lower_middle": Decimal("4.20"),
    "upper_middle": Decimal("8.30"),
}

Scale = Literal["per_capita", "oecd", "oecd_modified", "square_root"]
Number = Decimal | int | float | str


def _dec(x: Number, what: str) -> Decimal:
    try:
        value = Decimal(str(x)) if isinstance(x, float) else Decimal(x)
    except ArithmeticError as exc:  # decimal.InvalidOperation
        raise MeasureError(f"{what} must be a number, got {x!r}") from exc
    if not value.is_finite() or value <= 0:
        raise MeasureError(f"{what} must be a finite number > 0, got {x!r}")
    return value


def international_line(
    usd_per_day: Number,
    *,
    ppp: Number,
    cpi: Number,
    cpi_base: Number,
    days: Number = 1,
) -> Decimal:
    """Convert an international line to local currency at survey prices.

    Parameters
    ----------
    usd_per_day
        Line in international dollars per person per day (e.g.
        ``WORLD_BANK_LINES_2021_PPP["extreme"]``, USD 3.00 in 2021 PPP).
    ppp
        Private-consumption PPP of the base year, local currency per international dollar
        (WDI ``PA.NUS.PRVT.PP``).
    cpi, cpi_base
        Consumer price index at the survey period and in the PPP base year (same base).
    days
        Days in the welfare's period: 1 for daily, ``365/12`` for monthly, 365 for yearly.

    Returns
    -------
    decimal.Decimal
        The line in local currency per person per period (exact decimal arithmetic, as
        money is never float on the platform; convert with ``float()`` to measure).

    Notes
    -----
    .. math:: z_{LCU}(t) = z_{USD} \\times PPP_{2021} \\times \\frac{CPI_t}{CPI_{2021}}
              \\times \\text{days}.

    References
    ----------
    World Bank (2025). June 2025 update to the Poverty and Inequality Platform: adoption
    of 2021 PPPs. PIP technical note.

    Examples
    --------
    >>> international_line("3.00", ppp="5595", cpi="130", cpi_base="100")
    Decimal('21820.50')
    """
    return (
        _dec(usd_per_day, "usd_per_day")
        * _dec(ppp, "ppp")
        * _dec(cpi, "cpi")
        / _dec(cpi_base, "cpi_base")
        * _dec(days, "days")
    )


def adult_equivalents(
    scale: Scale,
    *,
    adults: str | None = None,
    children: str | None = None,
    size: str | None = None,
) -> pl.Expr:
    """Number of adult equivalents in the household, as a Polars expression.

    Parameters
    ----------
    scale
        ``"per_capita"`` (size), ``"oecd"`` (:math:`1 + 0.7(A-1) + 0.5 C`),
        ``"oecd_modified"`` (:math:`1 + 0.5(A-1) + 0.3 C`) or ``"square_root"``
        (:math:`\\sqrt{A + C}`).
    adults, children
        Columns with the numbers of adults (14 and over, in the OECD definitions) and
        children; needed for the OECD scales.
    size
        Household-size column; used by ``per_capita`` and ``square_root`` when given,
        otherwise size = adults + children.

    References
    ----------
    OECD (2013). *OECD Framework for Statistics on the Distribution of Household Income,
    Consumption and Wealth*, section 8.5 (equivalence scales). OECD Publishing.
    """
    if size is not None:
        n = pl.col(size).cast(pl.Float64)
    elif adults is not None and children is not None:
        n = pl.col(adults).cast(pl.Float64) + pl.col(children).cast(pl.Float64)
    else:
        n = None
    if scale in ("per_capita", "square_root"):
        if n is None:
            raise MeasureError(f"scale {scale!r} needs size= or adults= and children=")
        return n if scale == "per_capita" else n.sqrt()
    if adults is None or children is None:
        raise MeasureError(f"scale {scale!r} needs adults= and children= columns")
    a, c = pl.col(adults).cast(pl.Float64), pl.col(children).cast(pl.Float64)
    if scale == "oecd":
        return 1 + 0.7 * (a - 1) + 0.5 * c
    if scale == "oecd_modified":
        return 1 + 0.5 * (a - 1) + 0.3 * c
    raise MeasureError(f"unknown scale {scale!r}")


def with_equivalised_welfare(
    frame: pl.DataFrame,
    *,
    total: str,
    scale: Scale,
    adults: str | None = None,
    children: str | None = None,
    size: str | None = None,
    name: str = "welfare_ae",
) -> pl.DataFrame:
    """Add household ``total`` income or consumption divided by its adult equivalents.

    A household without any adult (all members children) counts its first member as the
    "first adult" of the OECD scales. Raises if a household has no members.
    """
    ae = adult_equivalents(scale, adults=adults, children=children, size=size)
    if adults is not None and scale in ("oecd", "oecd_modified"):
        assert children is not None
        a = pl.col(adults).cast(pl.Float64)
        c = pl.col(children).cast(pl.Float64)
        coef = (0.7, 0.5) if scale == "oecd" else (0.5, 0.3)
        no_adult = 1 + coef[1] * (c - 1)
        ae = pl.when(a >= 1).then(ae).otherwise(no_adult)
    out = frame.with_columns(ae.alias("_mk_ae"))
    bad = out.filter(~(pl.col("_mk_ae") > 0))
    if bad.height:
        raise MeasureError(f"{bad.height} household(s) have no members; cannot equivalise")
    return out.with_columns((pl.col(total) / pl.col("_mk_ae")).alias(name)).drop("_mk_ae")
