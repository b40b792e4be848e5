"""Money: ISO currencies, dated official and market rates, disbursements within commitments."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from mekong.core.errors import Conflict, InvalidInput, PermissionDenied
from mekong.projects import services
from mekong.projects.models import ExchangeRate, RateType, Transaction
from mekong.projects.money import NoExchangeRate, RateBook, convert
from mekong.projects.selectors import project_finance
from tests.conftest import Personas, client_for
from tests.projects.conftest import Portfolio


def test_conversion_uses_the_latest_rate_on_or_before_the_date(portfolio: Portfolio) -> None:
    services.exchange_rate_record(
        user=None,
        base="USD",
        quote="MMK",
        rate_type="official",
        on=date(2019, 1, 20),
        rate=Decimal("1520"),
    )
    # 100 USD on 2019-01-10 → 1,500 rate of 2019-01-01 (the later rate is not yet known).
    result = convert(Decimal("100"), source="USD", target="MMK", on=date(2019, 1, 10))
    assert result.amount == Decimal("150000.00")
    assert result.legs[0].date == date(2019, 1, 1)
    assert convert(Decimal("100"), source="USD", target="MMK", on=date(2019, 1, 25)).amount == (
        Decimal("152000.00")
    )


def test_inverse_and_cross_rates_through_usd(portfolio: Portfolio) -> None:
    # 680 CNY / 6.8 = 100 USD; 100 USD × 1,500 = 150,000 MMK (hand computation).
    assert convert(Decimal("680"), source="CNY", target="USD", on=date(2019, 2, 1)).amount == (
        Decimal("100.00")
    )
    cross = convert(Decimal("680"), source="CNY", target="MMK", on=date(2019, 2, 1))
    assert cross.amount == Decimal("150000.00")
    assert [leg.base + leg.quote for leg in cross.legs] == ["USDCNY", "USDMMK"]
    assert "1 USD = 1500 MMK (official, 2019-01-01)" in cross.describe()


def test_market_and_official_rates_are_kept_apart(portfolio: Portfolio) -> None:
    official = convert(Decimal("1"), source="USD", target="MMK", on=date(2019, 1, 5))
    market = convert(
        Decimal("1"), source="USD", target="MMK", on=date(2019, 1, 5), rate_type=RateType.MARKET
    )
    assert (official.amount, market.amount) == (Decimal("1500.00"), Decimal("1600.00"))


def test_no_rate_for_the_date_is_a_clear_error(portfolio: Portfolio) -> None:
    with pytest.raises(NoExchangeRate, match=r"USD→MMK .* before 2018-12-31"):
        convert(Decimal("1"), source="USD", target="MMK", on=date(2018, 12, 31))
    # Older than the 31-day window (MEKONG_FX_MAX_AGE_DAYS) counts as missing too.
    with pytest.raises(NoExchangeRate):
        RateBook().convert(Decimal("1"), "USD", "MMK", date(2019, 3, 1))


def test_unknown_currency_is_refused(portfolio: Portfolio, personas: Personas) -> None:
    with pytest.raises(InvalidInput, match="'XYZ' is not an ISO 4217 currency code"):
        services.transaction_record(
            user=personas.officer,
            project=portfolio.mm_project,
            kind="commitment",
            amount=Decimal("10"),
            currency="XYZ",
            value_date=date(2019, 1, 2),
        )
    assert not Transaction.objects.exists()


def _commit(portfolio: Portfolio, personas: Personas, amount: str) -> Transaction:
    return services.transaction_record(
        user=personas.officer,
        project=portfolio.mm_project,
        kind="commitment",
        amount=Decimal(amount),
        currency="CNY",
        value_date=date(2019, 1, 2),
    )


def test_disbursement_beyond_its_commitment_is_refused(
    portfolio: Portfolio, personas: Personas
) -> None:
    commitment = _commit(portfolio, personas, "1000000")
    services.transaction_record(
        user=personas.officer,
        project=portfolio.mm_project,
        kind="disbursement",
        amount=Decimal("600000"),
        currency="CNY",
        value_date=date(2019, 1, 5),
        commitment=commitment,
    )
    with pytest.raises(services.DisbursementExceedsCommitment, match=r"400000\.00 of 1000000"):
        services.transaction_record(
            user=personas.officer,
            project=portfolio.mm_project,
            kind="disbursement",
            amount=Decimal("400000.01"),
            currency="CNY",
            value_date=date(2019, 1, 6),
            commitment=commitment,
        )
    assert commitment.disbursements.count() == 1


def test_disbursement_in_another_currency_counts_at_its_date_rate(
    portfolio: Portfolio, personas: Personas
) -> None:
    commitment = _commit(portfolio, personas, "68000")  # = 10,000 USD at 6.8
    services.transaction_record(
        user=personas.officer,
        project=portfolio.mm_project,
        kind="disbursement",
        amount=Decimal("10000"),
        currency="USD",
        value_date=date(2019, 1, 5),
        commitment=commitment,
    )
    with pytest.raises(services.DisbursementExceedsCommitment):
        services.transaction_record(
            user=personas.officer,
            project=portfolio.mm_project,
            kind="disbursement",
            amount=Decimal("1"),
            currency="CNY",
            value_date=date(2019, 1, 6),
            commitment=commitment,
        )


def test_disbursement_without_rate_is_refused(portfolio: Portfolio, personas: Personas) -> None:
    commitment = _commit(portfolio, personas, "1000")
    with pytest.raises(NoExchangeRate):
        services.transaction_record(
            user=personas.officer,
            project=portfolio.mm_project,
            kind="disbursement",
            amount=Decimal("10"),
            currency="THB",
            value_date=date(2019, 1, 5),
            commitment=commitment,
        )
    assert commitment.disbursements.count() == 0


def test_finance_view_shows_three_currencies_and_the_rate(
    portfolio: Portfolio, personas: Personas
) -> None:
    _commit(portfolio, personas, "6800")
    summary = project_finance(portfolio.mm_project)
    assert summary.currencies == ["CNY", "USD", "MMK"]
    (row,) = summary.rows
    # 6,800 CNY = 1,000 USD = 1,500,000 MMK at the 2019-01-01 official rates above.
    assert row.converted.amounts == {
        "CNY": Decimal("6800"),
        "USD": Decimal("1000.00"),
        "MMK": Decimal("1500000.00"),
    }
    assert "1 USD = 6.8 CNY" in row.converted.notes["MMK"]


def test_disbursement_over_the_api_names_the_problem(
    portfolio: Portfolio, personas: Personas
) -> None:
    commitment = _commit(portfolio, personas, "100")
    response = client_for(personas.officer).post(
        f"/api/projects/{portfolio.mm_project.id}/transactions",
        data=json.dumps(
            {
                "kind": "disbursement",
                "amount": "150",
                "currency": "CNY",
                "value_date": "2019-01-03",
                "commitment_id": commitment.id,
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 409
    assert "exceeds what remains" in response.json()["detail"]


def test_transactions_keep_a_history(portfolio: Portfolio, personas: Personas) -> None:
    commitment = _commit(portfolio, personas, "100")
    commitment.description = "corrected"
    commitment.save()
    assert commitment.history.count() == 2  # type: ignore[attr-defined]


def test_market_mode_uses_official_rates_where_no_market_exists(portfolio: Portfolio) -> None:
    # CNY has no market series in the fixture: 680 CNY → 100 USD at the official 6.8, then
    # × 1,600 (the MMK market rate) = 160,000 MMK.
    result = convert(
        Decimal("680"), source="CNY", target="MMK", on=date(2019, 2, 1), rate_type=RateType.MARKET
    )
    assert result.amount == Decimal("160000.00")
    assert [leg.rate_type for leg in result.legs] == ["official", "market"]


def test_market_mode_ignores_an_official_direct_pair(portfolio: Portfolio) -> None:
    # Review finding: an official CNY→MMK rate must not replace the market path through USD.
    # 680 CNY / 6.8 (official, CNY has no market) × 1,600 (MMK market) = 160,000 MMK.
    services.exchange_rate_record(
        user=None,
        base="CNY",
        quote="MMK",
        rate_type="official",
        on=date(2019, 1, 1),
        rate=Decimal("220"),
    )
    market = convert(
        Decimal("680"), source="CNY", target="MMK", on=date(2019, 2, 1), rate_type=RateType.MARKET
    )
    assert market.amount == Decimal("160000.00")
    official = convert(Decimal("680"), source="CNY", target="MMK", on=date(2019, 2, 1))
    assert official.amount == Decimal("149600.00")  # 680 × 220, the direct official pair


def test_disbursement_before_its_commitment_or_below_a_cent_is_refused(
    portfolio: Portfolio, personas: Personas
) -> None:
    commitment = _commit(portfolio, personas, "100")  # CNY, 2019-01-02
    with pytest.raises(InvalidInput, match="cannot precede its commitment"):
        services.transaction_record(
            user=personas.officer,
            project=portfolio.mm_project,
            kind="disbursement",
            amount=Decimal("10"),
            currency="CNY",
            value_date=date(2019, 1, 1),
            commitment=commitment,
        )
    # 10 MMK = 10 / 1500 × 6.8 = 0.045 CNY → rounds to 0.05? No: 0.0453… rounds to 0.05;
    # 1 MMK = 0.0045 CNY rounds to 0.00 and would count as nothing against the commitment.
    with pytest.raises(InvalidInput, match="less than one cent"):
        services.transaction_record(
            user=personas.officer,
            project=portfolio.mm_project,
            kind="disbursement",
            amount=Decimal("1"),
            currency="MMK",
            value_date=date(2019, 1, 5),
            commitment=commitment,
        )
    assert commitment.disbursements.count() == 0


def _series(*pairs: tuple[str, str]) -> list[tuple[date, Decimal]]:
    return [(date.fromisoformat(on), Decimal(rate)) for on, rate in pairs]


def test_a_rate_series_is_recorded_at_once_with_history(
    portfolio: Portfolio, personas: Personas
) -> None:
    before = ExchangeRate.objects.count()
    rows = services.exchange_rate_series_record(
        user=personas.officer,
        base="usd",
        quote="LAK",
        rate_type="market",
        rates=_series(("2020-01-01", "9000"), ("2020-02-01", "9100.5")),
        source="central bank table",
    )
    assert [(r.date, r.rate) for r in rows] == _series(
        ("2020-01-01", "9000"), ("2020-02-01", "9100.5")
    )
    assert ExchangeRate.objects.count() == before + 2
    history = ExchangeRate.history.filter(quote="LAK", rate_type="market")
    assert history.count() == 2
    assert {h.history_user for h in history} == {personas.officer}
    # The series is read like single rates: 10 USD on 2020-02-15 at 9,100.5.
    amount = convert(
        Decimal("10"), source="USD", target="LAK", on=date(2020, 2, 15), rate_type=RateType.MARKET
    ).amount
    assert amount == Decimal("91005.00")


@pytest.mark.parametrize(
    ("pairs", "error", "message"),
    [
        (
            (("2020-01-01", "9000"), ("2020-02-01", "0")),
            InvalidInput,
            r"greater than zero \(2020-02-01\)",
        ),
        (
            (("2020-01-01", "9000"), ("2020-01-01", "9100")),
            InvalidInput,
            "2020-01-01 appears twice",
        ),
        # The fixture holds an official USD→MMK rate for 2019-01-01 (tests/projects/conftest.py).
        ((("2018-12-01", "1400"), ("2019-01-01", "1500")), Conflict, "rate for 2019-01-01 exists"),
    ],
)
def test_a_bad_rate_series_writes_nothing(
    portfolio: Portfolio,
    pairs: tuple[tuple[str, str], ...],
    error: type[Exception],
    message: str,
) -> None:
    quote = "MMK" if error is Conflict else "LAK"
    before = ExchangeRate.objects.count(), ExchangeRate.history.count()
    with pytest.raises(error, match=message):
        services.exchange_rate_series_record(
            user=None, base="USD", quote=quote, rate_type="official", rates=_series(*pairs)
        )
    assert (ExchangeRate.objects.count(), ExchangeRate.history.count()) == before


def test_rate_series_conflict_only_on_shared_dates(portfolio: Portfolio) -> None:
    # 4,000 daily rates: more dates than older SQLite builds take as query parameters.
    first = date(2010, 1, 1).toordinal()
    days = [(date.fromordinal(first + i), Decimal(8000 + i)) for i in range(4000)]
    rows = services.exchange_rate_series_record(
        user=None, base="USD", quote="THB", rate_type="official", rates=days
    )
    assert len(rows) == ExchangeRate.objects.filter(quote="THB").count() == 4000
    # Monthly LAK rates around the fixture's official rate of 2019-01-01 (not in the
    # series): recorded, since no date is shared.
    around = _series(("2018-12-01", "8400"), ("2019-02-01", "8600"))
    services.exchange_rate_series_record(
        user=None, base="USD", quote="LAK", rate_type="official", rates=around
    )
    assert ExchangeRate.objects.filter(quote="LAK", rate_type="official").count() == 3
    # A new series sharing one day (the 1,000th of the daily one) is refused by that day.
    again = _series(("2030-01-01", "30"), ("2012-09-26", "31"))
    with pytest.raises(Conflict, match="rate for 2012-09-26 exists"):
        services.exchange_rate_series_record(
            user=None, base="USD", quote="THB", rate_type="official", rates=again
        )
    assert not ExchangeRate.objects.filter(quote="THB", date=date(2030, 1, 1)).exists()
    assert (
        services.exchange_rate_series_record(
            user=None, base="USD", quote="THB", rate_type="official", rates=[]
        )
        == []
    )


def test_a_rate_series_needs_a_rate_keeper(portfolio: Portfolio, personas: Personas) -> None:
    with pytest.raises(PermissionDenied):
        services.exchange_rate_series_record(
            user=personas.enumerator,
            base="USD",
            quote="LAK",
            rate_type="official",
            rates=_series(("2020-01-01", "9000")),
        )
    assert not ExchangeRate.objects.filter(quote="LAK", date=date(2020, 1, 1)).exists()


def test_rate_series_over_the_api(portfolio: Portfolio, personas: Personas) -> None:
    def post(user: Any, rates: list[dict[str, str]]) -> Any:
        body = {"base": "USD", "quote": "LAK", "rate_type": "market", "rates": rates}
        return client_for(user).post(
            "/api/exchange-rates/series", data=json.dumps(body), content_type="application/json"
        )

    months = [{"date": f"2020-{m:02d}-01", "rate": str(9000 + 10 * m)} for m in range(1, 13)]
    created = post(personas.officer, months)
    assert created.status_code == 201
    assert [r["date"] for r in created.json()] == [m["date"] for m in months]
    # Again: the first month is taken, nothing more is written.
    again = post(personas.officer, months)
    assert again.status_code == 409
    assert "2020-01-01 exists already" in again.json()["detail"]
    twice = post(personas.officer, [months[0] | {"date": "2021-01-01"}] * 2)
    assert twice.status_code == 400
    assert "2021-01-01 appears twice" in twice.json()["detail"]
    assert post(personas.officer, []).status_code == 422
    assert post(personas.enumerator, [{"date": "2022-01-01", "rate": "9500"}]).status_code == 403
    assert ExchangeRate.objects.filter(quote="LAK", rate_type="market").count() == 12
