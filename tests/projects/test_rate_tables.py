"""A finance officer records a central bank's table of rates from a CSV file on the web."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from mekong.core.errors import InvalidInput
from mekong.projects.models import ExchangeRate
from mekong.projects.rate_tables import MAX_RATES, parse_rate_table
from tests.conftest import Personas, client_for
from tests.projects.conftest import Portfolio

MONTHS = "date,rate\n2020-01-01,9010\n2020-02-01,9020.5\n2020-03-01,9031.25\n"


def test_a_table_reads_in_file_order() -> None:
    assert parse_rate_table(MONTHS.encode()) == [
        (date(2020, 1, 1), Decimal("9010")),
        (date(2020, 2, 1), Decimal("9020.5")),
        (date(2020, 3, 1), Decimal("9031.25")),
    ]


def test_semicolons_a_bom_other_columns_and_blank_lines_are_read() -> None:
    text = "\ufeffCountry;Date;Rate;Note\n\nLAO;2020-01-01;9010;\nLAO;2020-02-01;9020;x\n\n"
    assert parse_rate_table(text.encode()) == [
        (date(2020, 1, 1), Decimal("9010")),
        (date(2020, 2, 1), Decimal("9020")),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("day,rate\n2020-01-01,9010\n", "line 1: the header has no “date” column"),
        ("date,rate\n2020-01-01,9010\n31/01/2020,9020\n", "line 3, date: “31/01/2020” is not"),
        ('date,rate\n2020-01-01,"9,010"\n', "line 2, rate: “9,010” is not a number"),
        ("date,rate\n2020-01-01,NaN\n", "line 2, rate: “NaN” is not a number"),
        ("date,rate\n\n2020-01-01\n", "line 3, rate: empty"),
        ("date,rate\n", "a header but no rates"),
        ("\n \n", "the table is empty"),
        (",,\n , \n", "the table is empty"),
        # A quoted cell over two lines: the bad rate is on the file's line 4.
        ('date,rate,note\n2020-01-01,9000,"two\nlines"\n2020-02-01,x,\n', "line 4, rate: “x”"),
    ],
)
def test_a_bad_table_names_the_line_and_column(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_rate_table(text.encode())


def test_text_that_is_not_utf8_is_refused() -> None:
    # A Latin-1 file: é is byte 0xe9, after the 15 bytes of "date,rate\nKyat ".
    with pytest.raises(InvalidInput, match="not UTF-8 text \\(byte 16\\)"):
        parse_rate_table("date,rate\nKyat é\n".encode("latin-1"))


def test_more_rates_than_the_api_takes_are_refused() -> None:
    rows = "".join(f"{date.fromordinal(730000 + i).isoformat()},1\n" for i in range(MAX_RATES + 1))
    with pytest.raises(InvalidInput, match="more than 7500 rates"):
        parse_rate_table(("date,rate\n" + rows).encode())


def _post(user: Any, text: str, *, follow: bool = False, **fields: str) -> Any:
    data = {"base": "usd", "quote": "LAK", "rate_type": "market", "source": "BOL"} | fields
    upload = SimpleUploadedFile("rates.csv", text.encode(), content_type="text/csv")
    return client_for(user).post("/exchange-rates/", data | {"file": upload}, follow=follow)


def test_the_officer_records_a_table_and_sees_the_series(
    portfolio: Portfolio, personas: Personas
) -> None:
    response = _post(personas.officer, MONTHS, follow=True)
    assert response.redirect_chain == [("/exchange-rates/", 302)]
    stored = ExchangeRate.objects.filter(base="USD", quote="LAK", rate_type="market")
    assert [(r.date, r.rate, r.source) for r in stored.order_by("date")] == [
        (date(2020, 1, 1), Decimal("9010"), "BOL"),
        (date(2020, 2, 1), Decimal("9020.5"), "BOL"),
        (date(2020, 3, 1), Decimal("9031.25"), "BOL"),
    ]
    assert all(h.history_user == personas.officer for r in stored for h in r.history.all())
    page = response.content.decode()
    assert "3 USD→LAK rates recorded, 2020-01-01 to 2020-03-01." in page
    # The fixture's official USD→LAK rate of 2019-01-01 and the new market series.
    assert "9031.25" in page
    assert "8500" in page


def test_a_table_with_a_bad_row_or_a_recorded_date_writes_nothing(
    portfolio: Portfolio, personas: Personas
) -> None:
    before = ExchangeRate.objects.count()
    bad_row = _post(personas.officer, MONTHS + "2020-04-01,-1\n")
    assert bad_row.status_code == 200
    assert "rate: must be greater than zero (2020-04-01)." in bad_row.content.decode()
    # The fixture holds an official USD→LAK rate for 2019-01-01.
    taken = _post(
        personas.officer, "date,rate\n2018-12-01,8400\n2019-01-01,8500\n", rate_type="official"
    )
    assert "rate for 2019-01-01 exists already" in taken.content.decode()
    unreadable = _post(personas.officer, "date,rate\n2020-13-01,9000\n")
    assert "line 2, date: “2020-13-01” is not a date" in unreadable.content.decode()
    # One byte over 1 MB is refused, the size in the message.
    too_big = _post(personas.officer, MONTHS + " " * (1_000_001 - len(MONTHS)))
    assert "file: 1000001 bytes is over the 1 MB limit." in too_big.content.decode()
    same_currency = _post(personas.officer, MONTHS, quote="USD")
    assert "a rate needs two different currencies" in same_currency.content.decode()
    assert ExchangeRate.objects.count() == before


def test_readers_see_the_rates_but_only_rate_keepers_record_them(
    portfolio: Portfolio, personas: Personas
) -> None:
    page = client_for(personas.enumerator).get("/exchange-rates/")
    assert page.status_code == 200
    assert "USD → LAK" in page.content.decode()
    assert 'id="rate-table-form"' not in page.content.decode()
    assert (
        'id="rate-table-form"'
        in client_for(personas.officer).get("/exchange-rates/").content.decode()
    )
    refused = _post(personas.enumerator, MONTHS)
    assert refused.status_code == 403
    assert not ExchangeRate.objects.filter(rate_type="market", quote="LAK").exists()
    anonymous = client_for(None).get("/exchange-rates/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")
