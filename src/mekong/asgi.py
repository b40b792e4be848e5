"""ASGI entry point (uvicorn mekong.asgi:application). Refuses an insecure configuration."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mekong.settings")
application = get_asgi_application()

from mekong.core.checks import assert_safe_to_serve  # noqa: E402  (needs configured settings)

assert_safe_to_serve()
