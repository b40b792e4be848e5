"""Organisations and contact people through each persona; contacts masked outside scope."""

from __future__ import annotations

import json

import pytest

from tests.conftest import World, client_for

# China's organisations are every partner's counterparts and visible to all signed-in users.
VISIBLE = {
    "officer": {"IPRCY", "DRD", "NCRDPE"},
    "mm_counterpart": {"IPRCY", "DRD"},
    "la_counterpart": {"IPRCY", "NCRDPE"},
    "enumerator": {"IPRCY", "DRD"},
    "anonymous": set(),
}
EDITABLE = {
    "officer": {"IPRCY", "DRD", "NCRDPE"},
    "mm_counterpart": {"DRD"},
    "la_counterpart": {"NCRDPE"},
    "enumerator": set(),
    "anonymous": set(),
}


def _org(world: World, acronym: str):  # type: ignore[no-untyped-def]
    return {"IPRCY": world.iprcy, "DRD": world.mm_drd, "NCRDPE": world.la_ncrdpe}[acronym]


def test_organisation_list_api(persona, world: World) -> None:
    name, user = persona
    response = client_for(user).get("/api/organisations")
    if user is None:
        assert response.status_code == 401
        return
    assert {item["acronym"] for item in response.json()["items"]} == VISIBLE[name]


def test_organisation_pages_require_sign_in_and_scope(persona, world: World) -> None:
    name, user = persona
    client = client_for(user)
    for acronym in ("IPRCY", "DRD", "NCRDPE"):
        response = client.get(f"/organisations/{_org(world, acronym).id}/")
        if user is None:
            assert response.status_code == 302
        else:
            assert response.status_code == (200 if acronym in VISIBLE[name] else 404)


@pytest.mark.parametrize("acronym", ["IPRCY", "DRD", "NCRDPE"])
def test_organisation_write_403_outside_scope(persona, world: World, acronym: str) -> None:
    name, user = persona
    organisation = _org(world, acronym)
    response = client_for(user).patch(
        f"/api/organisations/{organisation.id}",
        data=json.dumps({"website": "https://example.org/"}),
        content_type="application/json",
    )
    organisation.refresh_from_db()
    if user is None:
        assert response.status_code == 401
    elif acronym in EDITABLE[name]:
        assert response.status_code == 200
        assert organisation.website == "https://example.org/"
        return
    else:
        assert response.status_code == 403
    assert organisation.website == ""


def test_contacts_are_masked_for_roles_that_do_not_need_them(persona, world: World) -> None:
    name, user = persona
    response = client_for(user).get(f"/api/organisations/{world.mm_drd.id}/people")
    if user is None:
        assert response.status_code == 401
        return
    if "DRD" not in VISIBLE[name]:
        assert response.status_code == 404
        return
    (person,) = response.json()
    if name == "enumerator":
        assert person["email"] is None
        assert person["phone"] is None
    else:
        assert person["email"] == "aung@example.org"


def test_contacts_never_reach_the_public_pages(world: World) -> None:
    client = client_for(None)
    for path in ("/", "/villages/", f"/villages/{world.mm_published.id}/", "/map/villages.json"):
        body = client.get(path).content.decode()
        assert "aung@example.org" not in body
        assert "+95 1 234567" not in body


def test_enumerator_page_shows_hidden_not_contacts(personas, world: World) -> None:
    body = client_for(personas.enumerator).get(f"/organisations/{world.mm_drd.id}/").content
    assert b"aung@example.org" not in body
    assert b"Aung Ko" in body
