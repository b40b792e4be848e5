"""A Myanmar counterpart opens the village register and a household's file in the browser."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from mekong.registry import services
from mekong.registry.models import Household, HouseholdObservation, Member, SurveyRound
from tests.conftest import PASSWORD, Personas, World
from tests.e2e.conftest import screenshot


def test_register_and_household_page(
    page: Any, live_server: Any, personas: Personas, world: World
) -> None:
    household = Household.objects.create(
        village=world.mm_published,
        external_id="MM-H9",
        head_name_latin="Daw Mya",
        head_name_local="ဒေါ်မြ",
        registered_on=date(2018, 3, 1),
    )
    Member.objects.create(
        household=household,
        external_id="MM-H9-M1",
        name_latin="Daw Mya",
        sex="F",
        birth_year=1970,
        relation="head",
        years_of_schooling=3,
    )
    survey_round = SurveyRound.objects.create(
        code="MM-BL-2018", kind="baseline", country=world.myanmar, started_on=date(2018, 3, 1)
    )
    HouseholdObservation.objects.create(
        household=household,
        survey_round=survey_round,
        observed_on=date(2018, 3, 5),
        size=1,
        currency="MMK",
        income_crops=Decimal("400000"),
    )
    scheme = services.scheme_create(
        user=None,
        code="MM-LINE",
        name="Myanmar line",
        kind="monetary",
        country=world.myanmar,
        valid_from=date(2017, 1, 1),
        config={"period": "year", "line": "500000", "currency": "MMK", "price_year": 2018},
    )
    services.classify_round(user=None, survey_round=survey_round, scheme=scheme)

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", personas.mm_counterpart.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.goto(f"{live_server.url}/villages/{world.mm_published.id}/register/")
    page.click("text=Daw Mya")
    page.wait_for_url(f"**/households/{household.id}/")
    main = page.inner_text("main")
    assert "ဒေါ်မြ" in main  # local-script name, shown to a counterpart
    # 400,000 MMK for one person < 500,000: poor, with the failed criterion named.
    assert "failed: income" in main
    assert "MM-BL-2018" in main
    screenshot(page, "household-page")
