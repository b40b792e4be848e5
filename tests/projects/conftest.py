"""A Myanmar and a Lao project, exchange rates, and the personas of tests/conftest.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from mekong.partners.models import Role, User
from mekong.projects import services
from mekong.projects.models import Framework, Programme, Project, RateType
from tests.conftest import PASSWORD, Personas, World


@dataclass
class Portfolio:
    programme: Programme
    mm_project: Project
    la_project: Project


@pytest.fixture
def portfolio(world: World, personas: Personas) -> Portfolio:
    framework = Framework.objects.create(code="EAPRI", name="East Asia Poverty Reduction")
    programme = Programme.objects.create(
        framework=framework, code="EA-PILOT", title="Demonstration cooperation"
    )
    mm = services.project_create(
        user=None,
        programme=programme,
        code="MM-01",
        title="Myanmar villages",
        countries=[world.myanmar],
        currency="CNY",
        focus_areas=["infrastructure"],
        sectors={"43040": Decimal("60"), "14030": Decimal("40")},
        villages=[world.mm_published, world.mm_hidden],
        participants=[(world.iprcy, "implementer"), (world.mm_drd, "counterpart")],
    )
    la = services.project_create(
        user=None,
        programme=programme,
        code="LA-01",
        title="Lao villages",
        countries=[world.laos],
        currency="CNY",
        focus_areas=["livelihood"],
        villages=[world.la_published],
    )
    # Rates (synthetic, round numbers chosen so the expected conversions are exact by hand).
    for base, quote, rate_type, on, rate in [
        ("USD", "CNY", RateType.OFFICIAL, date(2019, 1, 1), Decimal("6.8")),
        ("USD", "MMK", RateType.OFFICIAL, date(2019, 1, 1), Decimal("1500")),
        ("USD", "MMK", RateType.MARKET, date(2019, 1, 1), Decimal("1600")),
        ("USD", "LAK", RateType.OFFICIAL, date(2019, 1, 1), Decimal("8500")),
    ]:
        services.exchange_rate_record(
            user=None, base=base, quote=quote, rate_type=rate_type, on=on, rate=rate
        )
    return Portfolio(programme=programme, mm_project=mm, la_project=la)


@pytest.fixture
def joint_office_partner(world: World, portfolio: Portfolio) -> User:
    """A Myanmar member of the Myanmar project's joint office (signs for the partner side)."""
    from mekong.partners.services import person_create
    from mekong.projects.models import Side

    person = person_create(user=None, organisation=world.mm_drd, name_latin="Myo Min")
    services.joint_office_set_up(
        user=None,
        project=portfolio.mm_project,
        location="Lewe",
        members=[(person, Side.PARTNER, "Coordinator")],
    )
    user = User.objects.create_user(
        username="myo", password=PASSWORD, role=Role.JOINT_OFFICE, person=person
    )
    user.scope_countries.set([world.myanmar])
    return user
