"""Admin building blocks shared by the apps."""

from __future__ import annotations

from simple_history.admin import SimpleHistoryAdmin


class ReadOnlyAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    """For records that change only through their services (money, approvals, exit decisions,
    imports), which enforce the rules; the admin shows them and their history."""

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
