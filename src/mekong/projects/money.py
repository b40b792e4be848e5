"""Money: Decimal amounts in ISO 4217 currencies, converted only through dated exchange rates.

A conversion takes the latest rate of the requested type (official or market) on or before
the value date, at most ``MEKONG_FX_MAX_AGE_DAYS`` old; it uses the direct pair, its inverse,
or a cross through USD, and it says which rates it used. No rate, no conversion: the caller
gets :class:`NoExchangeRate` naming the pair and the date.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from mekong.core.codelists import currency_codes
from mekong.core.errors import InvalidInput
from mekong.projects.models import ExchangeRate, RateType

CENT = Decimal("0.01")
PIVOT = "USD"


class NoExchangeRate(InvalidInput):
    pass


def validate_currency(code: str, *, field: str = "currency") -> str:
    """The upper-cased code if it is an active ISO 4217 code, else InvalidInput naming it."""
    normalised = (code or "").strip().upper()
    if normalised not in currency_codes():
        raise InvalidInput(
            _("%(field)s: %(code)r is not an ISO 4217 currency code.")
            % {"field": field, "code": code},
            field=field,
        )
    return normalised


def quantize(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RateUsed:
    base: str
    quote: str
    rate: Decimal
    date: date
    rate_type: str
    inverted: bool

    def describe(self) -> str:
        # e.g. "1 USD = 2100 MMK (official, 2022-08-05)"
        rate = f"{self.rate.normalize():f}"
        return f"1 {self.base} = {rate} {self.quote} ({self.rate_type}, {self.date})"


@dataclass(frozen=True)
class Conversion:
    amount: Decimal
    currency: str
    legs: tuple[RateUsed, ...]

    def describe(self) -> str:
        if not self.legs:
            return _("same currency")
        return "; ".join(leg.describe() for leg in self.legs)


class RateBook:
    """All rates of one type, loaded once, for converting many amounts on one page or report.

    Asked for market rates, a pair that has no market series at all (CNY–USD, say: only MMK
    and LAK have a parallel market) uses its official series, and the leg says so.
    """

    def __init__(
        self,
        rate_type: str = RateType.OFFICIAL,
        *,
        max_age_days: int | None = None,
        currencies: Iterable[str] | None = None,
    ):
        self.rate_type = rate_type
        self.max_age = timedelta(
            days=settings.MEKONG_FX_MAX_AGE_DAYS if max_age_days is None else max_age_days
        )
        Key = tuple[str, str, str]
        self._dates: dict[Key, list[date]] = defaultdict(list)
        self._rates: dict[Key, list[Decimal]] = defaultdict(list)
        types = {rate_type, RateType.OFFICIAL}
        rows = ExchangeRate.objects.filter(rate_type__in=types).order_by("date")
        if currencies is not None:
            # Only the pairs a conversion among these currencies can use (USD is the pivot).
            wanted = {*currencies, PIVOT}
            rows = rows.filter(base__in=wanted, quote__in=wanted)
        for kind, base, quote, on, rate in rows.values_list(
            "rate_type", "base", "quote", "date", "rate"
        ):
            self._dates[(kind, base, quote)].append(on)
            self._rates[(kind, base, quote)].append(rate)

    def _has_series(self, kind: str, base: str, quote: str) -> bool:
        return (kind, base, quote) in self._dates or (kind, quote, base) in self._dates

    def _has_market(self, currency: str) -> bool:
        return any(
            kind == self.rate_type and currency in (base, quote)
            for kind, base, quote in self._dates
        )

    def _direct(self, base: str, quote: str, on: date, kind: str) -> RateUsed | None:
        for pair, inverted in (((base, quote), False), ((quote, base), True)):
            dates = self._dates.get((kind, *pair))
            if not dates:
                continue
            index = bisect.bisect_right(dates, on) - 1
            if index < 0 or on - dates[index] > self.max_age:
                continue
            rate = self._rates[(kind, *pair)][index]
            return RateUsed(pair[0], pair[1], rate, dates[index], kind, inverted)
        return None

    def _leg(self, base: str, quote: str, on: date) -> RateUsed | None:
        """One pair at the requested type, or official where the pair has no such series."""
        if self._has_series(self.rate_type, base, quote):
            return self._direct(base, quote, on, self.rate_type)
        return self._direct(base, quote, on, RateType.OFFICIAL)

    def convert(self, amount: Decimal, source: str, target: str, on: date) -> Conversion:
        if source == target:
            return Conversion(amount, target, ())
        legs: list[RateUsed] = []
        market_sensitive = self.rate_type != RateType.OFFICIAL and (
            self._has_market(source) or self._has_market(target)
        )
        # Where either currency has a market, a direct pair counts only if it is itself a
        # market series; otherwise an official cross rate would hide the market leg.
        if market_sensitive and not self._has_series(self.rate_type, source, target):
            direct = None
        else:
            direct = self._leg(source, target, on)
        if direct is not None:
            legs = [direct]
        elif PIVOT not in (source, target):
            first = self._leg(source, PIVOT, on)
            second = self._leg(PIVOT, target, on)
            if first is not None and second is not None:
                legs = [first, second]
        if not legs:
            raise NoExchangeRate(
                _(
                    "No %(type)s exchange rate %(source)s→%(target)s on or within %(days)s days "
                    "before %(date)s. Record one (directly or through USD) first."
                )
                % {
                    "type": self.rate_type,
                    "source": source,
                    "target": target,
                    "days": self.max_age.days,
                    "date": on.isoformat(),
                },
                field="value_date",
            )
        value = amount
        for leg in legs:
            value = value / leg.rate if leg.inverted else value * leg.rate
        return Conversion(quantize(value), target, tuple(legs))


def convert(
    amount: Decimal, *, source: str, target: str, on: date, rate_type: str = RateType.OFFICIAL
) -> Conversion:
    """Convert one amount; for many, build a :class:`RateBook` once and reuse it."""
    return RateBook(rate_type, currencies=(source, target)).convert(amount, source, target, on)
