"""Errors raised by :mod:`mekong.measure`.

Every error is a :class:`MeasureError`, itself a :class:`ValueError`, so that callers (the
API, the CLI, a notebook) can catch one type. Each message names the column or group at
fault and the reason, so that a person can act on it without reading the code.
"""

from __future__ import annotations

__all__ = [
    "DesignError",
    "EmptyGroupError",
    "InvalidWeightError",
    "MeasureError",
    "MissingValueError",
    "NegativeWelfareError",
    "UndefinedMeasureError",
    "UnknownColumnError",
]


class MeasureError(ValueError):
    """Base class of every error raised by the measurement library."""


class UnknownColumnError(MeasureError):
    """A column named in the call is not in the frame."""

    def __init__(self, column: str, available: list[str]) -> None:
        shown = ", ".join(available[:20]) + (", ..." if len(available) > 20 else "")
        super().__init__(f"unknown column {column!r}; the frame has: {shown}")
        self.column = column


class MissingValueError(MeasureError):
    """A required column holds null or NaN values."""

    def __init__(self, column: str, count: int, first_row: int) -> None:
        super().__init__(
            f"column {column!r} has {count} missing (null or NaN) value(s), first at row "
            f"{first_row}; drop or impute them before measuring"
        )
        self.column = column
        self.count = count
        self.first_row = first_row


class NegativeWelfareError(MeasureError):
    """Welfare (income or consumption) is negative, or zero where a logarithm is needed."""

    def __init__(self, column: str, count: int, first_row: int, reason: str) -> None:
        super().__init__(
            f"column {column!r} has {count} value(s) {reason}, first at row {first_row}"
        )
        self.column = column
        self.count = count
        self.first_row = first_row


class InvalidWeightError(MeasureError):
    """A weight (or household size) is zero, negative or not finite."""

    def __init__(self, column: str, count: int, first_row: int) -> None:
        super().__init__(
            f"weight column {column!r} has {count} value(s) that are not finite and > 0, "
            f"first at row {first_row}"
        )
        self.column = column
        self.count = count
        self.first_row = first_row


class EmptyGroupError(MeasureError):
    """The frame, or a group of it, has no rows (or no population) to measure."""


class UndefinedMeasureError(MeasureError):
    """A measure is undefined for a group, e.g. the Gini of a group with zero total welfare."""


class DesignError(MeasureError):
    """The survey design cannot give a variance, e.g. a stratum with a single PSU."""
