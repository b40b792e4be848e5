"""Causes of poverty, helper and assistance measures: pages and API, per persona.

Editors of the register in scope (the Myanmar counterpart and enumerator) may change a
Myanmar household; the programme officer sees it but may not change it (403); the Lao
counterpart does not see it (404 on reading, 403 on writing); the public must sign in.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from mekong.projects import services as project_services
from mekong.projects.models import Component, Framework, Programme
from mekong.registry.models import AssistanceMeasure, Household
from tests.conftest import PERSONA_NAMES, Personas, World, client_for

EDITORS = {"mm_counterpart", "enumerator"}


@pytest.fixture
def household(world: World) -> Household:
    return Household.objects.create(
        village=world.mm_published,
        external_id="MM-H1",
        head_name_latin="Daw Hla Hla",
        registered_on=date(2023, 3, 1),
    )


@pytest.fixture
def components(world: World) -> tuple[Component, Component]:
    """A component of a project in the household's village, and one of a Lao project."""
    framework = Framework.objects.create(code="EAPRI", name="East Asia Poverty Reduction")
    programme = Programme.objects.create(framework=framework, code="EA", title="Pilot")
    mm = project_services.project_create(
        user=None,
        programme=programme,
        code="MM-01",
        title="Myanmar villages",
        countries=[world.myanmar],
        currency="CNY",
        villages=[world.mm_published],
    )
    la = project_services.project_create(
        user=None,
        programme=programme,
        code="LA-01",
        title="Lao villages",
        countries=[world.laos],
        currency="CNY",
        villages=[world.la_published],
    )
    return (
        project_services.component_create(
            user=None, project=mm, focus_area="livelihood", title="Cattle bank"
        ),
        project_services.component_create(
            user=None, project=la, focus_area="livelihood", title="Rice seed"
        ),
    )


def _send(client: Client, method: str, path: str, body: dict[str, Any]) -> Any:
    return getattr(client, method)(path, data=json.dumps(body), content_type="application/json")


def _fields(response: Any) -> set[str]:
    return {error["field"] for error in response.json().get("errors", [])}


# --- API: causes and helper ----------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_causes_api_by_persona(
    name: str, world: World, personas: Personas, household: Household
) -> None:
    user = getattr(personas, name, None)
    body = {
        "main_cause": "illness",
        "secondary_causes": ["lack_of_land", "disaster"],
        "helper_id": world.mm_contact.id,
    }

    response = _send(client_for(user), "put", f"/api/households/{household.id}/causes", body)

    household.refresh_from_db()
    if name in EDITORS:
        assert response.status_code == 200, response.content
        assert response.json()["secondary_causes"] == ["lack_of_land", "disaster"]
        assert response.json()["helper"] == "Aung Ko"
        assert (household.main_cause, household.helper) == ("illness", world.mm_contact)
        assert household.history.latest().history_user == user
        return
    assert response.status_code == {"anonymous": 401}.get(name, 403)
    assert (household.main_cause, household.helper) == ("", None)


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"main_cause": "flood"}, 422, "main_cause"),
        (
            {"main_cause": "illness", "secondary_causes": ["disaster", "other", "lack_of_land"]},
            422,
            "secondary_causes",
        ),
        ({"main_cause": "illness", "secondary_causes": ["illness"]}, 400, "secondary_causes"),
        (
            {"main_cause": "illness", "secondary_causes": ["other", "other"]},
            400,
            "secondary_causes",
        ),
        ({"main_cause": "illness", "helper_id": "LAO"}, 422, "helper_id"),
    ],
)
def test_bad_causes_name_the_field_and_change_nothing(
    body: dict[str, Any], status: int, field: str, personas: Personas, household: Household
) -> None:
    response = _send(
        client_for(personas.enumerator), "put", f"/api/households/{household.id}/causes", body
    )
    assert response.status_code == status, response.content
    assert field in _fields(response)
    assert field in response.json()["detail"]
    household.refresh_from_db()
    assert household.main_cause == ""
    assert household.history.count() == 1


def test_a_helper_outside_ones_scope_is_refused(
    world: World, personas: Personas, household: Household
) -> None:
    response = _send(
        client_for(personas.mm_counterpart),
        "put",
        f"/api/households/{household.id}/causes",
        {"main_cause": "illness", "helper_id": world.la_contact.id},
    )
    assert response.status_code == 400
    assert _fields(response) == {"helper_id"}
    household.refresh_from_db()
    assert household.helper is None


# --- API: assistance measures ----------------------------------------------------------------

MEASURE = {
    "category": "production",
    "description": "Two piglets",
    "value": "150000",
    "currency": "MMK",
    "value_date": "2024-05-01",
}


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_measures_api_by_persona(
    name: str, world: World, personas: Personas, household: Household
) -> None:
    user = getattr(personas, name, None)
    client = client_for(user)
    body = {**MEASURE, "provider_id": world.mm_drd.id}

    created = _send(client, "post", f"/api/households/{household.id}/measures", body)
    listed = client.get(f"/api/households/{household.id}/measures")

    if name in EDITORS:
        assert created.status_code == 201, created.content
        assert created.json()["provider"] == world.mm_drd.name_latin
        assert Decimal(created.json()["value"]) == Decimal("150000")
        measure = AssistanceMeasure.objects.get()
        assert measure.history.get().history_user == user
        assert [m["id"] for m in listed.json()] == [measure.id]
        return
    assert AssistanceMeasure.objects.count() == 0
    if name == "anonymous":
        assert (created.status_code, listed.status_code) == (401, 401)
    elif name == "officer":  # sees the household, may not change it
        assert (created.status_code, listed.status_code) == (403, 200)
    else:
        assert (created.status_code, listed.status_code) == (403, 404)


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"value": "-5"}, 422, "value"),
        ({"value": "1.234"}, 422, "value"),
        ({"category": "cash"}, 422, "category"),
        ({"description": ""}, 422, "description"),
        ({"value_date": "2024-13-01"}, 422, "value_date"),
        ({"currency": "ABC"}, 400, "currency"),
        ({"category": "project"}, 400, "component"),
        ({"provider_id": 999999}, 400, "provider_id"),
    ],
)
def test_bad_measures_name_the_field_and_write_nothing(
    change: dict[str, Any], status: int, field: str, personas: Personas, household: Household
) -> None:
    response = _send(
        client_for(personas.enumerator),
        "post",
        f"/api/households/{household.id}/measures",
        {**MEASURE, **change},
    )
    assert response.status_code == status, response.content
    assert field in _fields(response)
    assert AssistanceMeasure.objects.count() == 0
    assert AssistanceMeasure.history.count() == 0


def test_a_measure_tied_to_a_component(
    personas: Personas, household: Household, components: tuple[Component, Component]
) -> None:
    mm_component, la_component = components
    client = client_for(personas.enumerator)
    url = f"/api/households/{household.id}/measures"

    elsewhere = _send(
        client, "post", url, {**MEASURE, "category": "project", "component_id": la_component.id}
    )
    assert elsewhere.status_code == 400
    assert _fields(elsewhere) == {"component_id"}

    created = _send(
        client, "post", url, {**MEASURE, "category": "project", "component_id": mm_component.id}
    )
    assert created.status_code == 201, created.content
    assert created.json()["component"] == "Cattle bank"
    assert AssistanceMeasure.objects.get().component == mm_component


# --- pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_causes_page_by_persona(
    name: str, world: World, personas: Personas, household: Household
) -> None:
    user = getattr(personas, name, None)
    client = client_for(user)
    url = f"/households/{household.id}/causes/"
    post = {
        "main_cause": "lack_of_water",
        "secondary_causes": ["illness"],
        "helper": world.mm_contact.id,
    }

    page = client.get(url)
    saved = client.post(url, post)

    household.refresh_from_db()
    if name == "anonymous":
        assert (page.status_code, saved.status_code) == (302, 302)
        assert "/login/" in saved["Location"]
    elif name in EDITORS:
        assert page.status_code == 200
        assert "Aung Ko" in page.content.decode()
        assert "Khamla" not in page.content.decode()  # a Lao contact is not offered
        assert saved.status_code == 302
        assert saved["Location"] == f"/households/{household.id}/#causes"
        assert (household.main_cause, household.secondary_causes) == ("lack_of_water", ["illness"])
        assert household.history.latest().history_user == user
        return
    elif name == "officer":
        assert (page.status_code, saved.status_code) == (403, 403)
    else:  # the Lao counterpart: unseen on reading, refused on writing
        assert (page.status_code, saved.status_code) == (404, 403)
    assert household.main_cause == ""


def test_causes_page_errors_name_the_field(personas: Personas, household: Household) -> None:
    client = client_for(personas.mm_counterpart)
    url = f"/households/{household.id}/causes/"

    too_many = client.post(
        url, {"main_cause": "illness", "secondary_causes": ["other", "disaster", "lack_of_land"]}
    )
    again = client.post(url, {"main_cause": "illness", "secondary_causes": ["illness"]})
    unknown = client.post(url, {"main_cause": "flood"})

    assert too_many.status_code == again.status_code == unknown.status_code == 200
    assert too_many.context["form"].errors["secondary_causes"] == [
        "Choose at most two secondary causes."
    ]
    assert "secondary_causes" in again.context["form"].errors
    assert "main_cause" in unknown.context["form"].errors
    household.refresh_from_db()
    assert household.main_cause == ""
    assert household.history.count() == 1


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_measure_page_by_persona(
    name: str, world: World, personas: Personas, household: Household
) -> None:
    user = getattr(personas, name, None)
    client = client_for(user)
    url = f"/households/{household.id}/measures/new/"
    post = {**MEASURE, "provider": world.mm_drd.id}

    page = client.get(url)
    saved = client.post(url, post)

    if name == "anonymous":
        assert (page.status_code, saved.status_code) == (302, 302)
    elif name in EDITORS:
        assert page.status_code == 200
        assert 'value="MMK"' in page.content.decode()  # the village's currency
        assert saved.status_code == 302
        assert saved["Location"] == f"/households/{household.id}/#assistance"
        measure = AssistanceMeasure.objects.get()
        assert (measure.description, measure.provider) == ("Two piglets", world.mm_drd)
        return
    elif name == "officer":
        assert (page.status_code, saved.status_code) == (403, 403)
    else:
        assert (page.status_code, saved.status_code) == (404, 403)
    assert AssistanceMeasure.objects.count() == 0


def test_measure_page_errors_name_the_field(
    personas: Personas, household: Household, components: tuple[Component, Component]
) -> None:
    client = client_for(personas.enumerator)
    url = f"/households/{household.id}/measures/new/"
    mm_component, la_component = components

    page = client.get(url).content.decode()
    assert "Cattle bank" in page
    assert "Rice seed" not in page
    negative = client.post(url, {**MEASURE, "value": "-1"})
    currency = client.post(url, {**MEASURE, "currency": "ABC"})
    no_component = client.post(url, {**MEASURE, "category": "project"})
    foreign = client.post(url, {**MEASURE, "category": "project", "component": la_component.id})

    assert "value" in negative.context["form"].errors
    assert "is not an ISO 4217" in currency.context["form"].errors["currency"][0]
    assert "component" in no_component.context["form"].errors
    assert "component" in foreign.context["form"].errors
    assert AssistanceMeasure.objects.count() == 0

    saved = client.post(url, {**MEASURE, "category": "project", "component": mm_component.id})
    assert saved.status_code == 302
    assert AssistanceMeasure.objects.get().component == mm_component


@pytest.mark.parametrize("name", ["officer", "mm_counterpart", "enumerator"])
def test_household_page_offers_the_forms_to_editors_only(
    name: str, personas: Personas, household: Household
) -> None:
    page = client_for(getattr(personas, name)).get(f"/households/{household.id}/").content.decode()
    offered = f"/households/{household.id}/causes/" in page
    assert offered is (name in EDITORS)
    assert (f"/households/{household.id}/measures/new/" in page) is (name in EDITORS)
