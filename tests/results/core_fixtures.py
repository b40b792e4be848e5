"""People for the approval steps beside the personas of tests/conftest.py.

- ``me_officer``: M&E officer, all countries (verifies, step 1).
- ``admin``: administrator (unlocks periods).
- ``outsider_jo``: joint-office member who is in no project's office (signs for no side).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from mekong.partners.models import Role, User
from tests.conftest import PASSWORD, World


@dataclass
class Staff:
    me_officer: User
    admin: User
    outsider_jo: User


@pytest.fixture(name="staff")
def staff_fixture(world: World) -> Staff:
    me = User.objects.create_user(
        username="chen.jing", password=PASSWORD, role=Role.ME_OFFICER, scope_all_countries=True
    )
    admin = User.objects.create_user(
        username="root",
        password=PASSWORD,
        role=Role.ADMINISTRATOR,
        is_staff=True,
        is_superuser=True,
    )
    outsider = User.objects.create_user(username="zhang", password=PASSWORD, role=Role.JOINT_OFFICE)
    outsider.scope_countries.set([world.myanmar])
    return Staff(me_officer=me, admin=admin, outsider_jo=outsider)
