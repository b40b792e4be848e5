"""One error hierarchy for domain rules, mapped to HTTP statuses in one place.

Services raise these; ``mekong.api`` and the web views translate them (400/403/404/409)
with the message, which must tell a person what to do.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the request. ``status`` is the HTTP status to answer."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    status = 400


class NotFound(DomainError):
    """Missing, or outside the user's scope for reading: the two are indistinguishable."""

    status = 404


class PermissionDenied(DomainError):
    """The user may not change this (outside their scope or beyond their role)."""

    status = 403


class Conflict(DomainError):
    status = 409
