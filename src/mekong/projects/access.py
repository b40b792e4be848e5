"""Who sees and changes projects, built on the scope rules of partners.access."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from mekong.core.errors import PermissionDenied
from mekong.partners.access import country_ids_in_scope, role_of
from mekong.partners.models import Role, User
from mekong.projects.models import JointOfficeMember, Project, Side

# Roles that run projects: create them, move the cycle, record money and deliveries.
PROJECT_EDITORS = frozenset({Role.ADMINISTRATOR, Role.PROGRAMME_OFFICER, Role.JOINT_OFFICE})
# Roles that may approve a work plan on behalf of a side. Administrators run the platform;
# they do not sign for either government.
APPROVERS = frozenset({Role.PROGRAMME_OFFICER, Role.JOINT_OFFICE, Role.COUNTERPART})
# Roles that may record exchange rates (finance reference data).
RATE_KEEPERS = frozenset({Role.ADMINISTRATOR, Role.PROGRAMME_OFFICER, Role.ME_OFFICER})


def projects_visible_to(user: object) -> QuerySet[Project]:
    """Projects with at least one country in the user's scope; none for the public (yet)."""
    projects = Project.objects.select_related("programme", "programme__framework")
    if role_of(user) is None:
        return projects.none()
    ids = country_ids_in_scope(user)
    if ids is None:
        return projects
    return projects.filter(countries__id__in=ids).distinct()


def in_scope(user: object, project: Project) -> bool:
    ids = country_ids_in_scope(user)
    if ids is None:
        return True
    return project.countries.filter(id__in=ids).exists()


def require_can_edit_project(user: object, project: Project) -> None:
    if role_of(user) not in PROJECT_EDITORS or not in_scope(user, project):
        raise PermissionDenied(
            _("You may not change project %(code)s: it is outside your role or scope.")
            % {"code": project.code}
        )


def can_edit_project(user: object, project: Project) -> bool:
    try:
        require_can_edit_project(user, project)
    except PermissionDenied:
        return False
    return True


def _fixed_side(user: object) -> Side | None:
    role = role_of(user)
    if role == Role.COUNTERPART:
        return Side.PARTNER
    if role == Role.PROGRAMME_OFFICER:
        return Side.CHINESE
    return None


def side_in_village(user: object, village_id: int) -> Side | None:
    """The side the user signs for on decisions about a village (a household's exit): fixed
    by role, or, for a joint-office member, the side recorded in the office of a project
    that works in that village."""
    side = _fixed_side(user)
    if side is not None or role_of(user) != Role.JOINT_OFFICE:
        return side
    if not isinstance(user, User) or not user.person_id:
        return None
    membership = JointOfficeMember.objects.filter(
        office__project__villages__id=village_id, person_id=user.person_id
    ).first()
    return Side(membership.side) if membership is not None else None


def side_of(user: object, project: Project) -> Side | None:
    """Which side of this project's joint office the user signs for, if any.

    Counterpart officials sign for the partner side and programme officers of the provincial
    centre for the Chinese side; a joint-office member signs for the side recorded in this
    project's office, and not at all if they are not a member of it.
    """
    role = role_of(user)
    if role == Role.COUNTERPART:
        return Side.PARTNER
    if role == Role.PROGRAMME_OFFICER:
        return Side.CHINESE
    if role == Role.JOINT_OFFICE and isinstance(user, User) and user.person_id:
        membership = JointOfficeMember.objects.filter(
            office__project=project, person_id=user.person_id
        ).first()
        return Side(membership.side) if membership is not None else None
    return None


def require_can_approve(user: object, project: Project) -> Side:
    side = side_of(user, project)
    if role_of(user) not in APPROVERS or side is None or not in_scope(user, project):
        raise PermissionDenied(
            _(
                "You may not approve plans of project %(code)s: you do not sign for either "
                "side of its joint office, or it is outside your scope."
            )
            % {"code": project.code}
        )
    return side


def can_keep_rates(user: object) -> bool:
    return role_of(user) in RATE_KEEPERS


def require_can_keep_rates(user: object) -> None:
    if not can_keep_rates(user):
        raise PermissionDenied(_("Your role may not record exchange rates."))
