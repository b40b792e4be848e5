from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from mekong.partners.models import ApiToken, User
from mekong.partners.services import api_token_create


class Command(BaseCommand):
    help = "Create, list or revoke API bearer tokens for scripts."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="issue a token for USERNAME (shown once)")
        create.add_argument("username")
        create.add_argument("--name", default="script", help="what the token is for")
        listing = sub.add_parser("list", help="list tokens (prefixes only)")
        listing.add_argument("username", nargs="?")
        revoke = sub.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("prefix")
        revoke.add_argument("--user", help="the owner, when two tokens share a prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            user = User.objects.filter(username=options["username"], is_active=True).first()
            if user is None:
                raise CommandError(
                    _("No active user named %(name)s.") % {"name": options["username"]}
                )
            token, raw = api_token_create(user=user, name=options["name"])
            self.stdout.write(raw)
            self.stderr.write(
                _(
                    "Token %(prefix)s… for %(user)s. Send it as “Authorization: Bearer <token>”; "
                    "it is not shown again."
                )
                % {"prefix": token.prefix, "user": user.username}
            )
        elif action == "list":
            tokens = ApiToken.objects.select_related("user").order_by("created_at")
            if options["username"]:
                tokens = tokens.filter(user__username=options["username"])
            for token in tokens:
                state = _("revoked") if token.revoked_at else _("active")
                self.stdout.write(
                    f"{token.prefix}\t{token.user.username}\t{token.name}\t{state}\t"
                    f"{token.last_used_at or '-'}"
                )
        else:
            tokens = ApiToken.objects.filter(prefix=options["prefix"], revoked_at__isnull=True)
            if options["user"]:
                tokens = tokens.filter(user__username=options["user"])
            found = list(tokens)
            if not found:
                raise CommandError(
                    _("No active token with prefix %(prefix)s.") % {"prefix": options["prefix"]}
                )
            if len(found) > 1:
                raise CommandError(
                    _(
                        "%(count)s active tokens share prefix %(prefix)s; "
                        "name the owner with --user."
                    )
                    % {"count": len(found), "prefix": options["prefix"]}
                )
            ApiToken.objects.filter(id=found[0].id).update(revoked_at=timezone.now())
            self.stdout.write(_("Revoked."))
