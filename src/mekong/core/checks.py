"""Start-up guards: the server must not run in production on the development secret key."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import ImproperlyConfigured

from mekong.settings import DEFAULT_SECRET_KEY

INSECURE_KEY_MESSAGE = (
    "MEKONG_SECRET_KEY is not set while MEKONG_DEBUG is off. Set MEKONG_SECRET_KEY to a long "
    "random value (python -c 'import secrets; print(secrets.token_urlsafe(50))')."
)


def secret_key_is_insecure() -> bool:
    return not settings.DEBUG and settings.SECRET_KEY == DEFAULT_SECRET_KEY


def assert_safe_to_serve() -> None:
    """Called by the WSGI/ASGI entry points before they hand out an application."""
    if secret_key_is_insecure():
        raise ImproperlyConfigured(INSECURE_KEY_MESSAGE)


@register()
def check_secret_key(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    # runserver, migrate and check all run this, so `mekong runserver` refuses too.
    if secret_key_is_insecure():
        return [Error(INSECURE_KEY_MESSAGE, id="mekong.E001")]
    return []
