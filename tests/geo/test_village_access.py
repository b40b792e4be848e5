"""Each persona sees and changes only the villages in its scope, on pages and in the API."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Personas, World, client_for

# Who sees which village of the `world` fixture: counterparts and the enumerator see their
# own country, the officer everything, the public only published villages.
VISIBLE = {
    "officer": {"MM-V1", "MM-V2", "LA-V1", "LA-V2"},
    "mm_counterpart": {"MM-V1", "MM-V2"},
    "la_counterpart": {"LA-V1", "LA-V2"},
    "enumerator": {"MM-V1", "MM-V2"},
    "anonymous": {"MM-V1", "LA-V1"},
}
# Who may change which village: editors in scope; the enumerator's role may not.
EDITABLE = {
    "officer": {"MM-V1", "MM-V2", "LA-V1", "LA-V2"},
    "mm_counterpart": {"MM-V1", "MM-V2"},
    "la_counterpart": {"LA-V1", "LA-V2"},
    "enumerator": set(),
    "anonymous": set(),
}
ALL_CODES = ["MM-V1", "MM-V2", "LA-V1", "LA-V2"]


def _village(world: World, code: str):  # type: ignore[no-untyped-def]
    return {
        "MM-V1": world.mm_published,
        "MM-V2": world.mm_hidden,
        "LA-V1": world.la_published,
        "LA-V2": world.la_hidden,
    }[code]


def test_village_list_page_shows_only_scope(persona, world: World) -> None:
    name, user = persona
    response = client_for(user).get("/villages/")
    assert response.status_code == 200
    shown = {code for code in ALL_CODES if f"<td>{code}</td>" in response.content.decode()}
    assert shown == VISIBLE[name]


@pytest.mark.parametrize("code", ALL_CODES)
def test_village_page_answers_404_outside_scope(persona, world: World, code: str) -> None:
    name, user = persona
    village = _village(world, code)
    response = client_for(user).get(f"/villages/{village.id}/")
    assert response.status_code == (200 if code in VISIBLE[name] else 404)


def test_map_data_lists_only_scope(persona, world: World) -> None:
    name, user = persona
    data = client_for(user).get("/map/villages.json").json()
    ids = {point["id"] for point in data["villages"]}
    assert ids == {_village(world, code).id for code in VISIBLE[name]}


def test_api_village_list_only_scope(persona, world: World) -> None:
    name, user = persona
    response = client_for(user).get("/api/villages")
    if user is None:
        assert response.status_code == 401
        return
    assert response.status_code == 200
    assert {item["code"] for item in response.json()["items"]} == VISIBLE[name]


@pytest.mark.parametrize("code", ALL_CODES)
def test_api_village_read_404_outside_scope(persona, world: World, code: str) -> None:
    name, user = persona
    response = client_for(user).get(f"/api/villages/{_village(world, code).id}")
    if user is None:
        assert response.status_code == 401
    else:
        assert response.status_code == (200 if code in VISIBLE[name] else 404)


@pytest.mark.parametrize("code", ALL_CODES)
def test_api_village_write_403_outside_scope(persona, world: World, code: str) -> None:
    name, user = persona
    village = _village(world, code)
    response = client_for(user).patch(
        f"/api/villages/{village.id}",
        data=json.dumps({"population": 2500}),
        content_type="application/json",
    )
    village.refresh_from_db()
    if user is None:
        assert response.status_code == 401
    elif code in EDITABLE[name]:
        assert response.status_code == 200, response.content
        assert village.population == 2500
        return
    else:
        assert response.status_code == 403
        assert "outside your role or scope" in response.json()["detail"]
    assert village.population == 2000  # unchanged


@pytest.mark.parametrize("code", ALL_CODES)
def test_web_village_edit_respects_scope(persona, world: World, code: str) -> None:
    name, user = persona
    village = _village(world, code)
    response = client_for(user).post(
        f"/villages/{village.id}/edit/",
        {
            "name_latin": village.name_latin,
            "name_local": "",
            "latitude": "19.5",
            "longitude": str(village.longitude),
            "population": "2600",
            "households": "400",
            "published": "on",
        },
    )
    village.refresh_from_db()
    if user is None:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    elif code in EDITABLE[name]:
        assert response.status_code == 302
        assert village.population == 2600
        return
    else:
        assert response.status_code == 403
    assert village.population == 2000


def test_village_filter_by_admin_area_includes_descendants(
    personas: Personas, world: World
) -> None:
    region = world.mm_township.parent
    assert region is not None
    response = client_for(personas.officer).get(f"/api/villages?admin_area={region.id}")
    assert {item["code"] for item in response.json()["items"]} == {"MM-V1", "MM-V2"}


def test_village_list_endpoint_query_count_is_constant(
    personas: Personas, world: World, django_assert_max_num_queries
) -> None:
    client = client_for(personas.officer)
    client.get("/api/villages")  # warm the session and scope caches
    # session + user + scope countries + count + page: independent of the number of villages.
    with django_assert_max_num_queries(6):
        client.get("/api/villages")


def test_village_page_filter_by_province(personas: Personas, world: World) -> None:
    region = world.mm_township.parent
    assert region is not None
    client = client_for(personas.officer)
    page = client.get("/villages/").content.decode()
    assert f'value="{region.id}"' in page
    filtered = client.get(f"/villages/?area={region.id}").content.decode()
    assert "<td>MM-V1</td>" in filtered
    assert "<td>LA-V1</td>" not in filtered


def test_province_filter_lists_only_provinces_in_scope(personas: Personas, world: World) -> None:
    page = client_for(personas.la_counterpart).get("/villages/").content.decode()
    menu = page[page.index('<select name="area"') :]
    menu = menu[: menu.index("</select>")]
    assert "Vientiane Capital" in menu
    assert "Sangthong" not in menu  # districts are not listed, only provinces
    assert "Nay Pyi Taw" not in menu  # outside the Lao counterpart's scope
