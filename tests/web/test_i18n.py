"""Every user-facing string is translatable; Chinese complete, Burmese for the main screens."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from django.utils import translation

from tests.conftest import PASSWORD, Personas, World, client_for

LOCALE = Path(__file__).resolve().parents[2] / "src" / "mekong" / "locale"


def _catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


def test_chinese_catalogue_is_complete() -> None:
    catalogue = _catalogue("zh_Hans")
    missing = [e.msgid for e in catalogue if not e.translated() and not e.obsolete]
    assert missing == []
    assert len(catalogue.translated_entries()) > 150


def test_burmese_catalogue_covers_the_main_screens() -> None:
    catalogue = _catalogue("my")
    translated = {e.msgid for e in catalogue.translated_entries()}
    for msgid in (
        "Villages",
        "Map of programme villages",
        "Sign in",
        "Households",
        "Population",
        "Organisations",
        "Overview",
        "Country",
    ):
        assert msgid in translated, msgid


def test_switching_to_chinese_translates_the_pages(personas: Personas, world: World) -> None:
    client = client_for(personas.officer)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    body = client.get("/villages/").content.decode()
    with translation.override("zh-hans"):
        assert translation.gettext("Villages") in body
        assert translation.gettext("Villages") != "Villages"
    assert 'lang="zh-hans"' in body


@pytest.mark.parametrize("language", ["my", "lo", "km", "th", "vi"])
def test_language_switcher_offers_every_programme_language(world: World, language: str) -> None:
    body = client_for(None).get("/").content.decode()
    assert f'value="{language}"' in body


def test_country_names_follow_the_interface_language(world: World) -> None:
    with translation.override("zh-hans"):
        assert world.myanmar.display_name == "缅甸"
    with translation.override("en"):
        assert world.myanmar.display_name == "Myanmar"


def test_sign_in_switches_to_the_users_preferred_language(personas: Personas, world: World) -> None:
    from django.conf import settings

    personas.mm_counterpart.preferred_language = "my"
    personas.mm_counterpart.save()
    response = client_for(None).post(
        "/accounts/login/", {"username": "thida", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "my"


def test_not_found_page_uses_the_site_layout(world: World) -> None:
    response = client_for(None).get("/villages/999999/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Not found" in body
    assert 'id="language-select"' in body


def test_catalogues_hold_every_string_of_the_source(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Extract the strings afresh (makemessages on a copy of the package) and require each one
    to be in the Chinese and Burmese catalogues, translated: a string added to a template or a
    view without updating the catalogues fails here."""
    import os
    import shutil
    import subprocess
    import sys

    from tests.conftest import IN_CI

    if shutil.which("xgettext") is None:
        if IN_CI:
            pytest.fail("xgettext not found (apt-get install gettext)")
        pytest.skip("xgettext not found (GNU gettext)")
    package = Path(__file__).resolve().parents[2] / "src" / "mekong"
    copy = tmp_path / "mekong"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("vendor", "__pycache__", "*.mo"))
    env = {
        **os.environ,
        "PYTHONPATH": str(tmp_path),
        "MEKONG_DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "mekong.settings",
        "MEKONG_VAR_DIR": str(tmp_path / "var"),
    }
    env.pop("MEKONG_DATABASE_URL", None)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "zh_Hans",
            "-l",
            "my",
            "--no-location",
            "--ignore",
            "static/vendor/*",
        ],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    for language in ("zh_Hans", "my"):
        fresh = polib.pofile(str(copy / "locale" / language / "LC_MESSAGES" / "django.po"))
        shipped = {e.msgid for e in _catalogue(language).translated_entries()}
        missing = sorted(e.msgid for e in fresh if not e.obsolete and e.msgid not in shipped)
        assert missing == [], f"{language}: {len(missing)} untranslated, e.g. {missing[:5]}"
