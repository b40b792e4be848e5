"""The demo programme is realistic (DOMAIN.md §7 ranges), labelled synthetic and repeatable."""

from __future__ import annotations

import contextlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from mekong.demo.generator import build_demo
from mekong.geo.models import Village


class _Rollback(Exception):
    pass


def _build_and_read(seed: int) -> list[tuple[str, str, int | None]]:
    rows: list[tuple[str, str, int | None]] = []
    with contextlib.suppress(_Rollback), transaction.atomic():
        build_demo(seed=seed, households_per_village=4)
        rows = list(
            Village.objects.order_by("code").values_list("code", "name_latin", "households")
        )
        raise _Rollback  # leave the database empty for the next build
    return rows


@pytest.mark.django_db
def test_same_seed_gives_same_programme_and_another_seed_differs() -> None:
    first = _build_and_read(5)
    assert first == _build_and_read(5)
    assert first != _build_and_read(6)


@pytest.mark.django_db
def test_demo_command_refuses_a_full_database_unless_if_empty() -> None:
    call_command("demo", "--seed", "1", "--households-per-village", "4", stdout=StringIO())
    count = Village.objects.count()
    with pytest.raises(CommandError, match="already has data"):
        call_command("demo", "--seed", "1", stdout=StringIO())
    call_command("demo", "--seed", "1", "--if-empty", stdout=StringIO())
    assert Village.objects.count() == count
