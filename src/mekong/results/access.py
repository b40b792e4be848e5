"""Who sees and changes results frameworks, built on the project scope rules.

A project's framework is visible to whoever sees the project; a programme's framework to
whoever sees at least one of its projects. What each role may change is decided in
results.services with the helpers below.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from mekong.core.errors import NotFound, PermissionDenied
from mekong.partners.access import country_ids_in_scope, role_of
from mekong.partners.models import Role
from mekong.projects.access import projects_visible_to
from mekong.results.models import ResultsFramework

# Roles that build frameworks, set targets and lock periods.
FRAMEWORK_EDITORS = frozenset(
    {Role.ADMINISTRATOR, Role.PROGRAMME_OFFICER, Role.JOINT_OFFICE, Role.ME_OFFICER}
)


def frameworks_visible_to(user: object) -> QuerySet[ResultsFramework]:
    frameworks = ResultsFramework.objects.select_related("project", "programme")
    if role_of(user) is None:
        return frameworks.none()
    if country_ids_in_scope(user) is None:
        return frameworks
    projects = projects_visible_to(user)
    return frameworks.filter(
        Q(project__in=projects) | Q(programme__projects__in=projects)
    ).distinct()


def framework_for(user: object, framework_id: int) -> ResultsFramework:
    """The framework if the user may see it; NotFound otherwise (out of scope looks missing)."""
    found = frameworks_visible_to(user).filter(id=framework_id).first()
    if found is None:
        raise NotFound(_("No results framework %(id)s.") % {"id": framework_id})
    return found


def covers_whole_scope(user: object, framework: ResultsFramework) -> bool:
    """Whether every country the framework reports on is in the user's scope. Programme
    frameworks span countries, so only users who see all of them may change one."""
    ids = country_ids_in_scope(user)
    if ids is None:
        return True
    countries: set[int | None]
    if framework.project is not None:
        countries = set(framework.project.countries.values_list("id", flat=True))
    elif framework.programme is not None:
        countries = set(framework.programme.projects.values_list("countries__id", flat=True))
    else:
        countries = set()
    countries.discard(None)
    return bool(countries) and countries <= ids


def require_can_edit_framework(user: object, framework: ResultsFramework) -> None:
    if role_of(user) not in FRAMEWORK_EDITORS or not covers_whole_scope(user, framework):
        raise PermissionDenied(
            _(
                "You may not change the results framework “%(title)s”: it is outside your "
                "role or scope."
            )
            % {"title": framework.title}
        )
