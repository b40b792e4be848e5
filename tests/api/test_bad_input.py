"""Bad API input answers 4xx naming the field and the reason, writes nothing, never 500s."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mekong.geo.models import Village
from mekong.partners.models import Organisation
from mekong.partners.services import api_token_create
from tests.conftest import Personas, World, client_for


def _post(client: Any, path: str, body: Any) -> Any:
    raw = body if isinstance(body, str) else json.dumps(body)
    return client.post(path, data=raw, content_type="application/json")


def _valid_village(world: World, **overrides: Any) -> dict[str, Any]:
    body = {
        "admin_area_id": world.mm_township.id,
        "code": "MM-NEW",
        "name_latin": "Thit Kone",
        "latitude": "19.7",
        "longitude": "96.2",
        "population": 1200,
        "households": 260,
    }
    body.update(overrides)
    return body


@pytest.mark.parametrize(
    ("overrides", "field", "reason"),
    [
        ({"latitude": "91"}, "latitude", "less than or equal to 90"),
        ({"longitude": "east"}, "longitude", "decimal"),
        ({"population": -5}, "population", "greater than or equal to 0"),
        ({"code": ""}, "code", "at least 1 character"),
        ({"admin_area_id": 999999}, "admin_area_id", "no administrative area"),
        ({"population": 100, "households": 300}, "households", "cannot exceed population"),
    ],
)
def test_bad_village_input_names_field_and_reason(
    personas: Personas, world: World, overrides: dict[str, Any], field: str, reason: str
) -> None:
    before = Village.objects.count()
    response = _post(
        client_for(personas.officer), "/api/villages", _valid_village(world, **overrides)
    )
    assert 400 <= response.status_code < 500
    body = response.json()
    assert body["errors"][0]["field"] == field
    assert reason in body["detail"]
    assert Village.objects.count() == before


def test_missing_field_is_named(personas: Personas, world: World) -> None:
    body = _valid_village(world)
    del body["name_latin"]
    response = _post(client_for(personas.officer), "/api/villages", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "name_latin"


def test_malformed_json_is_a_400(personas: Personas, world: World) -> None:
    response = _post(client_for(personas.officer), "/api/villages", "{not json")
    assert response.status_code in (400, 422)
    assert "detail" in response.json()


def test_double_submission_conflicts_and_writes_once(personas: Personas, world: World) -> None:
    client = client_for(personas.officer)
    first = _post(client, "/api/villages", _valid_village(world))
    second = _post(client, "/api/villages", _valid_village(world))
    assert first.status_code == 201
    assert second.status_code == 409
    assert "MM-NEW" in second.json()["detail"]
    assert Village.objects.filter(code="MM-NEW").count() == 1


def test_counterpart_cannot_create_in_another_country(personas: Personas, world: World) -> None:
    body = _valid_village(world, admin_area_id=world.la_district.id, code="LA-NEW")
    response = _post(client_for(personas.mm_counterpart), "/api/villages", body)
    assert response.status_code == 403
    assert not Village.objects.filter(code="LA-NEW").exists()


def test_unknown_country_and_kind_are_named(personas: Personas, world: World) -> None:
    client = client_for(personas.officer)
    response = _post(
        client, "/api/organisations", {"country": "XXX", "name_latin": "A", "kind": "ngo"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "country"
    response = _post(
        client, "/api/organisations", {"country": "MMR", "name_latin": "A", "kind": "club"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "kind"
    assert not Organisation.objects.filter(name_latin="A").exists()


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("villages", {"name_local": None}, "name_local"),
        ("organisations", {"website": None}, "website"),
        ("organisations", {"acronym": None}, "acronym"),
    ],
)
def test_null_for_a_text_field_is_a_400_not_500(
    personas: Personas, world: World, path: str, body: dict[str, Any], field: str
) -> None:
    target = world.mm_published.id if path == "villages" else world.mm_drd.id
    response = client_for(personas.officer).patch(
        f"/api/{path}/{target}", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
    assert "may not be null" in response.json()["detail"]


def test_wrong_type_in_patch_is_a_422_not_500(personas: Personas, world: World) -> None:
    response = client_for(personas.officer).patch(
        f"/api/villages/{world.mm_published.id}",
        data=json.dumps({"latitude": None, "population": "many"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "population"


def test_bearer_token_authenticates_with_same_scope(personas: Personas, world: World) -> None:
    _token, raw = api_token_create(user=personas.la_counterpart, name="script")
    client = client_for(None)
    response = client.get("/api/villages", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert {item["code"] for item in response.json()["items"]} == {"LA-V1", "LA-V2"}
    assert client.get("/api/villages", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401


def test_openapi_schema_is_generated(world: World) -> None:
    schema = client_for(None).get("/api/openapi.json").json()
    assert "/api/villages" in schema["paths"]
    assert "patch" in schema["paths"]["/api/villages/{village_id}"]


@pytest.mark.parametrize(
    "path", ["/api/villages?search=a%00b", "/organisations/?search=%00", "/projects/?search=%00"]
)
def test_nul_in_a_query_is_a_400_not_500(personas: Personas, world: World, path: str) -> None:
    response = client_for(personas.officer).get(path)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
