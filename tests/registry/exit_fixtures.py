"""Rows for the exit and relapse tests, built with the model constructors (no classifier).

Amounts are synthetic round numbers in MMK per person per year, chosen so each expected
value can be checked by hand: the line is 1,000, the relapse watch line 1.5 × 1,000 = 1,500.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from mekong.geo.models import Village
from mekong.partners.models import Role, User
from mekong.partners.services import person_create
from mekong.registry.exits import exit_policy_create
from mekong.registry.models import (
    Classification,
    ExitPolicy,
    Household,
    HouseholdObservation,
    HouseholdStatus,
    PovertyScheme,
    RoundKind,
    SchemeKind,
    SurveyRound,
)
from tests.conftest import PASSWORD, World

LINE_MMK = Decimal("1000")


@dataclass
class ExitWorld:
    scheme: PovertyScheme
    policy: ExitPolicy
    r2023: SurveyRound
    r2024: SurveyRound
    la_round: SurveyRound


def build_exit_world(world: World) -> ExitWorld:
    scheme = PovertyScheme.objects.create(
        code="MM-NL",
        name="Myanmar national line (synthetic)",
        kind=SchemeKind.MONETARY,
        country=world.myanmar,
        # Constant prices (every year's index 100) keep the line at LINE_MMK in every round.
        config={
            "period": "year",
            "line": str(LINE_MMK),
            "currency": "MMK",
            "price_year": 2020,
            "deflator": {str(year): "100" for year in range(2015, 2031)},
        },
        valid_from=date(2020, 1, 1),
    )
    policy = exit_policy_create(
        user=None,
        country=world.myanmar,
        name="Myanmar exits 2020",
        scheme=scheme,
        valid_from=date(2020, 1, 1),
        notice_days=7,
        visit_required=True,
    )
    r2023 = SurveyRound.objects.create(
        code="MM-2023",
        kind=RoundKind.ANNUAL_UPDATE,
        country=world.myanmar,
        started_on=date(2023, 1, 10),
    )
    r2024 = SurveyRound.objects.create(
        code="MM-2024",
        kind=RoundKind.ANNUAL_UPDATE,
        country=world.myanmar,
        started_on=date(2024, 1, 10),
    )
    la_round = SurveyRound.objects.create(
        code="LA-2024",
        kind=RoundKind.ANNUAL_UPDATE,
        country=world.laos,
        started_on=date(2024, 2, 1),
    )
    return ExitWorld(scheme=scheme, policy=policy, r2023=r2023, r2024=r2024, la_round=la_round)


def household(
    village: Village, code: str, *, status: HouseholdStatus = HouseholdStatus.ACTIVE
) -> Household:
    return Household.objects.create(
        village=village,
        external_id=code,
        head_name_latin=f"Head of {code}",
        registered_on=date(2014, 6, 1),
        status=status,
    )


def observe(
    hh: Household,
    survey_round: SurveyRound,
    *,
    per_capita: int | str,
    size: int = 2,
    shocks: list[str] | None = None,
    currency: str = "MMK",
) -> HouseholdObservation:
    """An observation whose per-capita net income is exactly ``per_capita`` (all wages)."""
    return HouseholdObservation.objects.create(
        household=hh,
        survey_round=survey_round,
        observed_on=survey_round.started_on,
        size=size,
        currency=currency,
        income_wages=Decimal(str(per_capita)) * size,
        shocks=shocks or [],
    )


def classify(
    hh: Household, survey_round: SurveyRound, scheme: PovertyScheme, *, poor: bool
) -> Classification:
    return Classification.objects.create(
        household=hh,
        survey_round=survey_round,
        scheme=scheme,
        poor=poor,
        level="poor" if poor else "non_poor",
    )


def joint_office_user(world: World, username: str, *, partner: bool) -> User:
    """A member of the joint office of a project working in the Myanmar village, signing for
    the partner (Myanmar) or the Chinese side as recorded in that office."""
    from mekong.projects import services as project_services
    from mekong.projects.models import Framework, JointOfficeMember, Programme, Project, Side

    organisation = world.mm_drd if partner else world.iprcy
    person = person_create(user=None, organisation=organisation, name_latin=username.title())
    project = Project.objects.filter(code="MM-EXIT-OFFICE").first()
    if project is None:
        framework, _ = Framework.objects.get_or_create(code="EAPRI", defaults={"name": "EA"})
        programme, _ = Programme.objects.get_or_create(
            code="EA-PILOT", defaults={"framework": framework, "title": "Pilot"}
        )
        project = project_services.project_create(
            user=None,
            programme=programme,
            code="MM-EXIT-OFFICE",
            title="Myanmar villages",
            countries=[world.myanmar],
            currency="CNY",
            villages=[world.mm_published],
        )
        project_services.joint_office_set_up(
            user=None, project=project, location="Lewe", members=[]
        )
    JointOfficeMember.objects.create(
        office=project.joint_office,
        person=person,
        side=Side.PARTNER if partner else Side.CHINESE,
    )
    user = User.objects.create_user(
        username=username, password=PASSWORD, role=Role.JOINT_OFFICE, person=person
    )
    user.scope_countries.set([world.myanmar])
    return user


def me_officer(world: World, username: str = "analyst") -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, role=Role.ME_OFFICER)
    user.scope_countries.set([world.myanmar])
    return user
