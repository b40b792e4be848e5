"""`mekong token` issues, lists and revokes bearer tokens."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from mekong.partners.models import ApiToken
from tests.conftest import Personas, client_for


def test_create_list_revoke(personas: Personas) -> None:
    out = StringIO()
    call_command("token", "create", "thida", "--name", "export", stdout=out, stderr=StringIO())
    raw = out.getvalue().strip()
    assert raw.startswith("mkb_")
    client = client_for(None)
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    token = ApiToken.objects.get()
    assert token.digest != raw  # only the hash is stored
    assert int(token.prefix, 16) >= 0  # hex: never mistaken for a command-line option
    listing = StringIO()
    call_command("token", "list", stdout=listing)
    assert token.prefix in listing.getvalue()
    assert raw not in listing.getvalue()
    call_command("token", "revoke", token.prefix, stdout=StringIO())
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_ambiguous_prefix_needs_the_owner(personas: Personas) -> None:
    for user in (personas.officer, personas.mm_counterpart):
        ApiToken.objects.create(user=user, name="x", prefix="samepfx1", digest=user.username)
    with pytest.raises(CommandError, match="share prefix"):
        call_command("token", "revoke", "samepfx1", stdout=StringIO())
    call_command("token", "revoke", "samepfx1", "--user", "thida", stdout=StringIO())
    assert ApiToken.objects.filter(revoked_at__isnull=True).get().user == personas.officer


def test_unknown_user_is_named(personas: Personas) -> None:
    with pytest.raises(CommandError, match="No active user named nobody"):
        call_command("token", "create", "nobody", stdout=StringIO(), stderr=StringIO())
