"""Builds a realistic synthetic programme (DOMAIN.md §7 ranges), labelled synthetic.

Deterministic for a given seed. Later issues extend :func:`build_demo` with projects,
households and results; each part goes through the apps' services like real input does.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from mekong.demo.households import build_exits, build_register
from mekong.demo.portfolio import PortfolioContext, build_portfolio
from mekong.demo.reference import (
    CONTACT_NAMES,
    CONTACT_POSITIONS,
    COUNTRIES,
    DEMO_PASSWORD,
    DEMONSTRATION_VILLAGES,
    ORGANISATIONS,
    PERSONAS,
    AreaSpec,
    CountrySpec,
)
from mekong.demo.results import build_results, finish_after_refresh
from mekong.geo import services as geo_services
from mekong.geo.models import AdminArea, AdminLevel, Country, Village
from mekong.partners import services as partner_services
from mekong.partners.models import Organisation, OrganisationKind, User
from mekong.results.compute import refresh_all

GEO_DATA = Path(__file__).resolve().parent.parent / "geo" / "data" / "admin1"

Ring = list[tuple[float, float]]


@dataclass
class DemoSummary:
    countries: int = 0
    admin_areas: int = 0
    villages: int = 0
    organisations: int = 0
    people: int = 0
    users: list[tuple[str, str]] = field(default_factory=list)
    projects: int = 0
    households: int = 0
    exit_cases: int = 0
    results_frameworks: int = 0
    indicator_values: int = 0


def _province_polygons(spec: CountrySpec) -> list[tuple[str | None, str | None, list[Ring]]]:
    data = json.loads((GEO_DATA / f"{spec.boundary_file}.geojson").read_text(encoding="utf-8"))
    provinces = []
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        rings = [[(float(x), float(y)) for x, y in polygon[0]] for polygon in polygons]
        props = feature["properties"]
        provinces.append((props.get("admin1_code"), props.get("name"), rings))
    return provinces


def _inside(ring: Ring, x: float, y: float) -> bool:
    """Ray casting on the outer ring; holes do not matter at village-demo precision."""
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def _point_in(rings: list[Ring], rng: random.Random) -> tuple[Decimal, Decimal]:
    ring = max(rings, key=len)
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    for _attempt in range(500):
        x = rng.uniform(min(xs), max(xs))
        y = rng.uniform(min(ys), max(ys))
        if _inside(ring, x, y):
            return Decimal(f"{y:.5f}"), Decimal(f"{x:.5f}")
    # A sliver province: fall back to a vertex, which is on the boundary.
    x, y = ring[0]
    return Decimal(f"{y:.5f}"), Decimal(f"{x:.5f}")


def _households(rng: random.Random) -> int:
    # DOMAIN.md §7: 125–1,000 households per village, median about 400.
    return max(125, min(1000, round(rng.lognormvariate(math.log(400), 0.45))))


def _persons(rng: random.Random, households: int, mean_size: float) -> int:
    return max(households, round(households * rng.gauss(mean_size, 0.25)))


def _place_name(
    spec: CountrySpec, rng: random.Random, taken: set[str], *, prefix: bool
) -> tuple[str, str]:
    """A two-syllable name not used before in this country (``taken`` is updated)."""
    for _attempt in range(200):
        first, second = rng.sample(spec.syllables, 2)
        if first[0] + second[0] not in taken:
            break
    taken.add(first[0] + second[0])
    prefix_latin, prefix_local = spec.village_prefix if prefix else ("", "")
    if spec.iso3 == "MMR":
        return f"{first[0]} {second[0]}", f"{first[1]}{second[1]}"
    separator = "" if spec.iso3 in ("LAO", "THA", "KHM") else " "
    latin = f"{prefix_latin} {first[0]} {second[0]}".strip()
    local = f"{prefix_local}{separator}{first[1]}{separator}{second[1]}".strip()
    return latin, local


def _district_local(spec: CountrySpec, name: str) -> str:
    # Burmese puts "township" after the name; Lao, Khmer, Thai and Vietnamese put it first.
    if spec.iso3 == "MMR":
        return f"{name}{spec.district_word[1]}"
    return f"{spec.district_word[1]} {name}"


def _area(
    country: Country, spec: AreaSpec, parent: AdminArea | None, summary: DemoSummary
) -> AdminArea:
    existing = AdminArea.objects.filter(country=country, code=spec.code).first()
    if existing is not None:
        return existing
    summary.admin_areas += 1
    return geo_services.admin_area_create(
        country=country,
        code=spec.code,
        name_latin=spec.name_latin,
        name_local=spec.name_local,
        level=AdminLevel(spec.level),
        parent=parent,
    )


@transaction.atomic
def build_demo(*, seed: int = 1, households_per_village: int | None = None) -> DemoSummary:
    """Write the synthetic programme into an empty database and return what was made."""
    rng = random.Random(seed)
    summary = DemoSummary()
    countries: dict[str, Country] = {}
    for spec in COUNTRIES:
        countries[spec.iso3] = Country.objects.create(
            iso3=spec.iso3,
            iso2=spec.iso2,
            name_latin=spec.name_latin,
            name_local=spec.name_local,
            currency=spec.currency,
            is_partner=spec.is_partner,
        )
        summary.countries += 1

    # Provinces from the boundary files, so that every village sits inside a mapped province;
    # the demonstration villages' provinces take their official names.
    demo_area_names = {
        area.code: area for village in DEMONSTRATION_VILLAGES for area in village.areas
    }
    provinces: dict[str, list[tuple[AdminArea, list[Ring]]]] = {}
    for spec in COUNTRIES:
        country = countries[spec.iso3]
        for index, (code, name, rings) in enumerate(_province_polygons(spec)):
            if not name:
                continue  # unnamed islands
            area_code = code or f"{spec.iso2}.N{index:02d}"
            named = demo_area_names.get(area_code)
            area = _area(
                country,
                named or AreaSpec(area_code, name, "", AdminLevel.PROVINCE),
                None,
                summary,
            )
            provinces.setdefault(spec.iso3, []).append((area, rings))

    for demo in DEMONSTRATION_VILLAGES:
        country = countries[demo.country]
        parent: AdminArea | None = None
        for area_spec in demo.areas:
            parent = _area(country, area_spec, parent, summary)
        assert parent is not None
        geo_services.village_create(
            user=None,
            admin_area=parent,
            code=demo.code,
            name_latin=demo.name_latin,
            name_local=demo.name_local,
            latitude=demo.latitude,
            longitude=demo.longitude,
            households=demo.households,
            population=demo.persons,
            is_demonstration=True,
            published=True,
            is_synthetic=True,
        )
        summary.villages += 1

    for spec in COUNTRIES:
        taken: set[str] = set()
        for number in range(1, spec.extra_villages + 1):
            province, rings = rng.choice(provinces[spec.iso3])
            district_code = f"{province.code}-D{number % 3 + 1}"
            district_latin, district_local = _place_name(spec, rng, taken, prefix=False)
            district = _area(
                countries[spec.iso3],
                AreaSpec(
                    district_code,
                    f"{district_latin} {spec.district_word[0]}",
                    _district_local(spec, district_local),
                    AdminLevel.COUNTY,
                ),
                province,
                summary,
            )
            latitude, longitude = _point_in(rings, rng)
            households = _households(rng)
            name_latin, name_local = _place_name(spec, rng, taken, prefix=True)
            geo_services.village_create(
                user=None,
                admin_area=district,
                code=f"{spec.iso3}-S{number:03d}",
                name_latin=name_latin,
                name_local=name_local,
                latitude=latitude,
                longitude=longitude,
                households=households,
                population=_persons(rng, households, spec.mean_household_size),
                published=rng.random() < 0.7,
                is_synthetic=True,
            )
            summary.villages += 1

    organisations: dict[str, Organisation] = {}
    for org in ORGANISATIONS:
        organisations[org.key] = partner_services.organisation_create(
            user=None,
            country=countries[org.country],
            name_latin=org.name_latin,
            name_local=org.name_local,
            acronym=org.acronym,
            kind=OrganisationKind(org.kind),
            parent=organisations[org.parent] if org.parent else None,
            is_synthetic=True,
        )
        summary.organisations += 1
    for village in Village.objects.filter(is_demonstration=True).select_related("country"):
        committee = partner_services.organisation_create(
            user=None,
            country=village.country,
            name_latin=f"{village.name_latin} Village Committee",
            kind=OrganisationKind.VILLAGE_COMMITTEE,
            is_synthetic=True,
        )
        Organisation.objects.filter(id=committee.id).update(village=village)
        summary.organisations += 1

    for key, organisation in organisations.items():
        names = CONTACT_NAMES.get(organisation.country.iso3, ())
        for latin, local in rng.sample(names, min(2, len(names))):
            partner_services.person_create(
                user=None,
                organisation=organisation,
                name_latin=latin,
                name_local=local,
                position=rng.choice(CONTACT_POSITIONS),
                email=f"{key}.{latin.split()[-1].lower()}@example.org",
                phone=f"+00 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                is_synthetic=True,
            )
            summary.people += 1

    users: dict[str, User] = {}
    for persona in PERSONAS:
        organisation = organisations[persona.organisation]
        person = partner_services.person_create(
            user=None,
            organisation=organisation,
            name_latin=f"{persona.first_name} {persona.last_name}",
            position=persona.describes,
            email=f"{persona.username}@example.org",
            phone=f"+00 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
            is_synthetic=True,
        )
        summary.people += 1
        user = User.objects.create_user(
            username=persona.username,
            password=DEMO_PASSWORD,
            first_name=persona.first_name,
            last_name=persona.last_name,
            email=person.email,
            role=persona.role,
            person=person,
            scope_all_countries=persona.all_countries,
            preferred_language=persona.language,
            is_staff=persona.role == "administrator",
            is_superuser=persona.role == "administrator",
        )
        user.scope_countries.set([countries[iso3] for iso3 in persona.countries])
        user.scope_organisations.set([organisation])
        summary.users.append((persona.username, persona.describes))
        users[persona.username] = user

    summary.projects = build_portfolio(
        PortfolioContext(rng=rng, countries=countries, organisations=organisations, users=users)
    )
    summary.households = build_register(
        rng=rng, countries=countries, per_village=households_per_village
    )
    summary.exit_cases = build_exits(rng=rng, countries=countries, users=users)
    summary.results_frameworks = build_results(rng=rng, users=users)
    # Computed indicators, roll-ups and the dashboards' series, as `mekong results refresh` does.
    summary.indicator_values = sum(
        report.created + report.updated + report.unchanged for report in refresh_all()
    )
    finish_after_refresh(users=users)
    return summary


def demo_logins() -> list[dict[str, Any]]:
    """The personas that exist in this database, for printing after `make demo`."""
    known = {p.username: p for p in PERSONAS}
    rows = []
    for user in User.objects.filter(username__in=known).order_by("id"):
        rows.append(
            {
                "username": user.username,
                "password": DEMO_PASSWORD,
                "who": known[user.username].describes,
            }
        )
    return rows
