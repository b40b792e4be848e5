"""Register pages and API: scope per persona, personal data masked by role, classification."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from mekong.registry import services
from mekong.registry.access import pseudonym
from mekong.registry.models import (
    Classification,
    Household,
    HouseholdObservation,
    Member,
    SurveyRound,
)
from tests.conftest import Personas, World, client_for

# Who sees the Myanmar household, and who sees its head's name and ID number.
SEES = {"officer": True, "mm_counterpart": True, "la_counterpart": False, "enumerator": True}
NAMES = {"officer": False, "mm_counterpart": True, "la_counterpart": False, "enumerator": True}


@pytest.fixture
def register(world: World) -> tuple[Household, SurveyRound]:
    household = Household.objects.create(
        village=world.mm_published,
        external_id="MM-H1",
        head_name_latin="Daw Hla Hla",
        national_id="12/LAWANA(N)123456",
        phone="+95 9 111 222",
        registered_on=date(2018, 3, 1),
        latitude=Decimal("19.60001"),
        longitude=Decimal("96.10001"),
    )
    Member.objects.create(
        household=household,
        external_id="MM-H1-M1",
        name_latin="Daw Hla Hla",
        sex="F",
        birth_year=1975,
        relation="head",
        years_of_schooling=4,
    )
    Member.objects.create(
        household=household,
        external_id="MM-H1-M2",
        name_latin="Mg Aung",
        sex="M",
        birth_year=2008,
        relation="child",
    )
    survey_round = SurveyRound.objects.create(
        code="MM-BL-2018", kind="baseline", country=world.myanmar, started_on=date(2018, 3, 1)
    )
    HouseholdObservation.objects.create(
        household=household,
        survey_round=survey_round,
        observed_on=date(2018, 3, 5),
        size=2,
        currency="MMK",
        income_crops=Decimal("900000"),
        cooking_fuel="wood",
        sanitation="none",
        electricity=False,
        roof="natural",
        assets=["phone"],
    )
    return household, survey_round


def test_household_page_scope_and_masking(persona, register) -> None:  # type: ignore[no-untyped-def]
    name, user = persona
    household, _round = register
    response = client_for(user).get(f"/households/{household.id}/")
    if user is None:
        assert response.status_code == 302
        return
    if not SEES[name]:
        assert response.status_code == 404
        return
    body = response.content.decode()
    assert ("Daw Hla Hla" in body) is NAMES[name]
    assert ("12/LAWANA(N)123456" in body) is NAMES[name]
    assert ("+95 9 111 222" in body) is NAMES[name]
    if not NAMES[name]:
        assert pseudonym("MM-H1") in body


def test_household_api_masks_personal_data(persona, register) -> None:  # type: ignore[no-untyped-def]
    name, user = persona
    _household, _round = register
    response = client_for(user).get("/api/households")
    if user is None:
        assert response.status_code == 401
        return
    items = response.json()["items"]
    if not SEES[name]:
        assert items == []
        return
    (item,) = items
    assert item["personal_data_masked"] is not NAMES[name]
    assert (item["national_id"] == "12/LAWANA(N)123456") is NAMES[name]
    assert (item["label"] == "Daw Hla Hla") is NAMES[name]


def test_classify_round_is_idempotent_and_keeps_history(
    personas: Personas,
    register,
    world: World,  # type: ignore[no-untyped-def]
) -> None:
    household, survey_round = register
    scheme = services.scheme_create(
        user=personas.officer,
        code="MM-LINE",
        name="line",
        kind="monetary",
        country=world.myanmar,
        valid_from=date(2017, 1, 1),
        config={"period": "year", "line": "500000", "currency": "MMK", "price_year": 2018},
    )
    # 900,000 / 2 persons = 450,000 < 500,000 → poor.
    summary = services.classify_round(
        user=personas.officer, survey_round=survey_round, scheme=scheme
    )
    assert (summary.households, summary.poor, summary.created) == (1, 1, 1)
    again = services.classify_round(user=personas.officer, survey_round=survey_round, scheme=scheme)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    result = Classification.objects.get()
    assert result.reasons["failed"] == ["income"]
    assert result.history.count() == 1  # type: ignore[attr-defined]
    # A new income changes the result on the next run, with a second history row.
    HouseholdObservation.objects.filter(household=household).update(income_crops=Decimal("1200000"))
    changed = services.classify_round(
        user=personas.officer, survey_round=survey_round, scheme=scheme
    )
    assert changed.updated == 1
    result.refresh_from_db()
    assert not result.poor
    assert result.history.count() == 2  # type: ignore[attr-defined]


def test_only_analysts_classify(personas: Personas, register, world: World) -> None:  # type: ignore[no-untyped-def]
    from mekong.core.errors import PermissionDenied

    _household, survey_round = register
    scheme = services.scheme_create(
        user=None, code="MPI", name="MPI", kind="mpi", config={}, valid_from=date(2017, 1, 1)
    )
    with pytest.raises(PermissionDenied):
        services.classify_round(user=personas.enumerator, survey_round=survey_round, scheme=scheme)
    response = client_for(personas.officer).post(f"/api/rounds/MM-BL-2018/classify/{scheme.id}")
    assert response.status_code == 200
    # MPI: deprived in fuel, sanitation, electricity, housing, assets, and schooling (max 4
    # years < 6): 5/18 + 1/6 = 4/9 → poor.
    assert response.json()["poor"] == 1
    assert Classification.objects.get().reasons["score"] == "4/9"


def test_scheme_versions_and_bad_config(personas: Personas, world: World) -> None:
    body = {
        "code": "LAO-LINE",
        "name": "Lao line",
        "kind": "monetary",
        "country": "LAO",
        "valid_from": "2017-01-01",
        "config": {"period": "month", "line": "192000", "currency": "LAK", "price_year": 2009},
    }
    client = client_for(personas.officer)
    first = client.post("/api/schemes", data=body, content_type="application/json")
    second = client.post("/api/schemes", data=body, content_type="application/json")
    assert (first.json()["version"], second.json()["version"]) == (1, 2)
    bad = client.post(
        "/api/schemes", data={**body, "config": {"period": "week"}}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"].startswith("config.")
    forbidden = client_for(personas.enumerator).post(
        "/api/schemes", data=body, content_type="application/json"
    )
    assert forbidden.status_code == 403


def test_village_register_page_lists_households(personas: Personas, register) -> None:  # type: ignore[no-untyped-def]
    household, _round = register
    page = (
        client_for(personas.mm_counterpart)
        .get(f"/villages/{household.village_id}/register/")
        .content.decode()
    )
    assert "Daw Hla Hla" in page
    masked = (
        client_for(personas.officer)
        .get(f"/villages/{household.village_id}/register/")
        .content.decode()
    )
    assert "Daw Hla Hla" not in masked
    assert pseudonym("MM-H1") in masked


def test_household_page_without_history_rows(personas: Personas, world: World) -> None:
    # bulk_create writes no history rows; the page must still render (found on the demo).
    (household,) = Household.objects.bulk_create(
        [
            Household(
                village=world.mm_published,
                external_id="MM-BULK",
                head_name_latin="X",
                registered_on=date(2018, 3, 1),
            )
        ]
    )
    response = client_for(personas.mm_counterpart).get(f"/households/{household.id}/")
    assert response.status_code == 200


def test_analysis_export_is_pseudonymised_unless_names_are_allowed(
    personas: Personas,
    register,
    world: World,  # type: ignore[no-untyped-def]
) -> None:
    import io

    import polars as pl

    _household, _round = register
    officer = client_for(personas.officer).get("/register/export.csv")
    assert officer.status_code == 200
    frame = pl.read_csv(io.BytesIO(officer.content))
    assert frame["household"].to_list() == [pseudonym("MM-H1")]
    assert "head_name" not in frame.columns
    text = officer.content.decode()
    assert "Daw Hla Hla" not in text
    assert "12/LAWANA(N)123456" not in text
    counterpart = client_for(personas.mm_counterpart).get("/register/export.parquet")
    frame = pl.read_parquet(io.BytesIO(counterpart.content))
    assert frame["head_name"].to_list() == ["Daw Hla Hla"]
    # 900,000 MMK over 2 persons (hand computation).
    assert frame["per_capita_income"].to_list() == [450000.0]
    lao = client_for(personas.la_counterpart).get("/register/export.csv")
    assert lao.status_code == 200
    assert "MM-H1" not in lao.content.decode()
    assert client_for(None).get("/register/export.csv").status_code == 302
