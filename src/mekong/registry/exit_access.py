"""Who may move an exit case, verify exits and follow up relapse alerts.

Built on registry.access (households are seen through their village's country) and the
side rule of projects.access: an exit binds only when both sides of the joint office signed.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from mekong.core.errors import PermissionDenied
from mekong.partners.access import country_ids_in_scope, role_of
from mekong.partners.models import Role, User
from mekong.projects.access import APPROVERS, side_in_village
from mekong.registry.access import REGISTRY_EDITORS
from mekong.registry.models import Household

# Record the field steps: proposal, visit, appraisal, notice, objections as they come in.
EXIT_CASE_WORKERS = REGISTRY_EDITORS | {Role.PROGRAMME_OFFICER}
# Decide on objections and withdraw cases: officials, not enumerators.
EXIT_DECIDERS = frozenset(
    {Role.ADMINISTRATOR, Role.PROGRAMME_OFFICER, Role.COUNTERPART, Role.JOINT_OFFICE}
)
# Draw samples and record findings of the independent check.
VERIFIERS = frozenset({Role.ADMINISTRATOR, Role.PROGRAMME_OFFICER, Role.ME_OFFICER})
# Run the relapse scan (an analysis over a whole round).
RELAPSE_SCANNERS = frozenset({Role.ADMINISTRATOR, Role.PROGRAMME_OFFICER, Role.ME_OFFICER})
# Record follow-ups of an alert: whoever visits the family, and the officials.
FOLLOW_UP_WORKERS = REGISTRY_EDITORS | {Role.PROGRAMME_OFFICER}


def in_country_scope(user: object, country_id: int) -> bool:
    ids = country_ids_in_scope(user)
    return ids is None or country_id in ids


def _require(roles: frozenset[Role], user: object, country_id: int, message: str) -> User:
    if role_of(user) not in roles or not in_country_scope(user, country_id):
        raise PermissionDenied(message)
    assert isinstance(user, User)  # role_of admits signed-in users only
    return user


def require_exit_worker(user: object, household: Household) -> User:
    return _require(
        EXIT_CASE_WORKERS,
        user,
        household.village.country_id,
        _("You may not work on the exit of household %(id)s: it is outside your role or scope.")
        % {"id": household.external_id},
    )


def require_exit_decider(user: object, household: Household) -> User:
    return _require(
        EXIT_DECIDERS,
        user,
        household.village.country_id,
        _("You may not decide on the exit of household %(id)s: it is outside your role or scope.")
        % {"id": household.external_id},
    )


def require_exit_approver(user: object, household: Household) -> tuple[User, str]:
    """The user and the side ("chinese" or "partner") they sign for."""
    side = side_in_village(user, household.village_id)
    member = _require(
        APPROVERS,
        user,
        household.village.country_id,
        _("You may not approve the exit of household %(id)s: it is outside your role or scope.")
        % {"id": household.external_id},
    )
    if side is None:
        raise PermissionDenied(
            _("Your account signs for neither side of a joint office working in this village.")
        )
    return member, str(side.value)


def require_verifier(user: object, country_id: int) -> User:
    return _require(
        VERIFIERS,
        user,
        country_id,
        _("You may not run exit verification there: it is outside your role or scope."),
    )


def require_relapse_scanner(user: object, country_id: int) -> User:
    return _require(
        RELAPSE_SCANNERS,
        user,
        country_id,
        _("You may not scan for relapse there: it is outside your role or scope."),
    )


def require_follow_up_worker(user: object, household: Household) -> User:
    return _require(
        FOLLOW_UP_WORKERS,
        user,
        household.village.country_id,
        _("You may not follow up alerts of household %(id)s: it is outside your role or scope.")
        % {"id": household.external_id},
    )
