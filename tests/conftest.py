"""Shared fixtures: a small two-country world and the personas of STYLE.md.

Personas: ``officer`` (Chinese programme officer, all countries), ``mm_counterpart``
(Myanmar), ``la_counterpart`` (Laos), ``enumerator`` (Myanmar), ``anonymous``.
Every access test runs them all through ``persona_client``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.test import Client

from mekong.geo import services as geo_services
from mekong.geo.models import AdminArea, AdminLevel, Country, Village
from mekong.partners import services as partner_services
from mekong.partners.models import Organisation, OrganisationKind, Person, Role, User

PASSWORD = "correct-horse-battery"
IN_CI = os.environ.get("MEKONG_CI", "") not in ("", "0", "false")


@dataclass
class World:
    china: Country
    myanmar: Country
    laos: Country
    mm_township: AdminArea
    la_district: AdminArea
    mm_published: Village
    mm_hidden: Village
    la_published: Village
    la_hidden: Village
    iprcy: Organisation
    mm_drd: Organisation
    la_ncrdpe: Organisation
    mm_contact: Person
    la_contact: Person


def _village(
    area: AdminArea, code: str, name: str, *, published: bool, name_local: str = ""
) -> Village:
    return geo_services.village_create(
        user=None,
        admin_area=area,
        code=code,
        name_latin=name,
        name_local=name_local,
        latitude=Decimal("19.5"),
        longitude=Decimal("96.1") if area.country.iso3 == "MMR" else Decimal("102.1"),
        population=2000,
        households=400,
        published=published,
    )


@pytest.fixture
def world(db: None) -> World:
    china = Country.objects.create(
        iso3="CHN",
        iso2="CN",
        name_latin="China",
        name_local="中国",
        currency="CNY",
        is_partner=False,
    )
    myanmar = Country.objects.create(
        iso3="MMR", iso2="MM", name_latin="Myanmar", name_local="မြန်မာ", currency="MMK"
    )
    laos = Country.objects.create(
        iso3="LAO", iso2="LA", name_latin="Lao PDR", name_local="ລາວ", currency="LAK"
    )
    mm_region = geo_services.admin_area_create(
        country=myanmar, code="MM-NPT", name_latin="Nay Pyi Taw", level=AdminLevel.PROVINCE
    )
    mm_township = geo_services.admin_area_create(
        country=myanmar,
        code="MM-NPT-LEWE",
        name_latin="Lewe",
        name_local="လယ်ဝေး",
        level=AdminLevel.COUNTY,
        parent=mm_region,
    )
    la_province = geo_services.admin_area_create(
        country=laos, code="LA.VT", name_latin="Vientiane Capital", level=AdminLevel.PROVINCE
    )
    la_district = geo_services.admin_area_create(
        country=laos,
        code="LA-VT-ST",
        name_latin="Sangthong",
        level=AdminLevel.COUNTY,
        parent=la_province,
    )
    iprcy = partner_services.organisation_create(
        user=None,
        country=china,
        name_latin="Yunnan International Poverty Reduction Center",
        acronym="IPRCY",
        kind=OrganisationKind.PROVINCIAL_CENTRE,
    )
    mm_drd = partner_services.organisation_create(
        user=None,
        country=myanmar,
        name_latin="Department of Rural Development",
        acronym="DRD",
        kind=OrganisationKind.DEPARTMENT,
    )
    la_ncrdpe = partner_services.organisation_create(
        user=None,
        country=laos,
        name_latin="National Committee for Rural Development",
        acronym="NCRDPE",
        kind=OrganisationKind.MINISTRY,
    )
    return World(
        china=china,
        myanmar=myanmar,
        laos=laos,
        mm_township=mm_township,
        la_district=la_district,
        mm_published=_village(
            mm_township, "MM-V1", "Min Pyin", published=True, name_local="မင်းပြင်"
        ),
        mm_hidden=_village(mm_township, "MM-V2", "Aye Chan Thar", published=False),
        la_published=_village(la_district, "LA-V1", "Ban Xor", published=True),
        la_hidden=_village(la_district, "LA-V2", "Ban Na", published=False),
        iprcy=iprcy,
        mm_drd=mm_drd,
        la_ncrdpe=la_ncrdpe,
        mm_contact=partner_services.person_create(
            user=None,
            organisation=mm_drd,
            name_latin="Aung Ko",
            email="aung@example.org",
            phone="+95 1 234567",
        ),
        la_contact=partner_services.person_create(
            user=None,
            organisation=la_ncrdpe,
            name_latin="Khamla",
            email="khamla@example.org",
            phone="+856 21 123456",
        ),
    )


def _user(
    username: str,
    role: Role,
    *,
    countries: list[Country],
    all_countries: bool = False,
    organisations: list[Organisation] | None = None,
) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, role=role, scope_all_countries=all_countries
    )
    user.scope_countries.set(countries)
    user.scope_organisations.set(organisations or [])
    return user


@dataclass
class Personas:
    officer: User
    mm_counterpart: User
    la_counterpart: User
    enumerator: User


@pytest.fixture
def personas(world: World) -> Personas:
    return Personas(
        officer=_user(
            "li.wei",
            Role.PROGRAMME_OFFICER,
            countries=[],
            all_countries=True,
            organisations=[world.iprcy],
        ),
        mm_counterpart=_user(
            "thida", Role.COUNTERPART, countries=[world.myanmar], organisations=[world.mm_drd]
        ),
        la_counterpart=_user(
            "souk", Role.COUNTERPART, countries=[world.laos], organisations=[world.la_ncrdpe]
        ),
        enumerator=_user("kyaw", Role.ENUMERATOR, countries=[world.myanmar]),
    )


PERSONA_NAMES = ["officer", "mm_counterpart", "la_counterpart", "enumerator", "anonymous"]


@pytest.fixture(params=PERSONA_NAMES)
def persona(request: pytest.FixtureRequest, personas: Personas) -> tuple[str, User | None]:
    name: str = request.param
    return name, getattr(personas, name, None)


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


# PBKDF2 costs ~0.3 s a user by design; tests create users in nearly every case.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS
