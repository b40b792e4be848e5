"""WSGI entry point (gunicorn mekong.wsgi). Refuses to start on an insecure configuration."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mekong.settings")
application = get_wsgi_application()

from mekong.core.checks import assert_safe_to_serve  # noqa: E402  (needs configured settings)

assert_safe_to_serve()
