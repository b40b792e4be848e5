"""Settings for Mekong Bridge, read only from environment variables (see .env.example).

The defaults give a zero-setup development and demo instance on an embedded SQLite file
under ``var/``. Production sets ``MEKONG_DATABASE_URL``, ``MEKONG_SECRET_KEY`` and
``MEKONG_ALLOWED_HOSTS``; with debug off the server refuses the default secret key.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from mekong.core.env import env_bool, env_int, env_list, env_str

# Lets ModelAdmin[Model], QuerySet[Model] and friends be subscripted at run time.
django_stubs_ext.monkeypatch()

PACKAGE_DIR = Path(__file__).resolve().parent
# In a source checkout this is the repository root; var/ holds the SQLite file and uploads.
PROJECT_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(env_str("MEKONG_VAR_DIR", str(PROJECT_DIR / "var")))

DEFAULT_SECRET_KEY = "insecure-development-key-do-not-use-in-production"
SECRET_KEY = env_str("MEKONG_SECRET_KEY", DEFAULT_SECRET_KEY)
DEBUG = env_bool("MEKONG_DEBUG", False)
ALLOWED_HOSTS = env_list("MEKONG_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("MEKONG_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # django-ninja's own Swagger UI files: without the app, /api/docs loads them from a
    # CDN, and the page stays blank in an office without internet access.
    "ninja",
    "simple_history",
    "mekong.core",
    "mekong.geo",
    "mekong.partners",
    "mekong.projects",
    "mekong.registry",
    "mekong.results",
    "mekong.reports",
    "mekong.exchange",
    "mekong.web",
    "mekong.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "mekong.core.middleware.RejectNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records who made each change kept in a history table (finance, approvals, registry).
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "mekong.urls"
WSGI_APPLICATION = "mekong.wsgi.application"
ASGI_APPLICATION = "mekong.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mekong.web.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("MEKONG_DATABASE_URL", f"sqlite:///{VAR_DIR / 'mekong.sqlite3'}"),
        conn_max_age=env_int("MEKONG_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default lives under var/; create it so `mekong migrate` works first time.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the demo server read while a long import writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "partners.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("zh-hans", _("Simplified Chinese")),
    ("my", _("Burmese")),
    ("lo", _("Lao")),
    ("km", _("Khmer")),
    ("th", _("Thai")),
    ("vi", _("Vietnamese")),
]
# Django knows every language here except Lao; teach it Lao's name so the switcher can list it.
LANG_INFO.setdefault("lo", {"bidi": False, "code": "lo", "name": "Lao", "name_local": "ລາວ"})
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
FORMAT_MODULE_PATH = ["mekong.formats"]
USE_TZ = True
TIME_ZONE = env_str("MEKONG_TIME_ZONE", "Asia/Shanghai")

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("MEKONG_STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEKONG_MEDIA_ROOT", str(VAR_DIR / "media")))
WHITENOISE_USE_FINDERS = DEBUG

SESSION_COOKIE_SECURE = env_bool("MEKONG_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("MEKONG_BEHIND_TLS_PROXY", False) else None
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("MEKONG_LOG_LEVEL", "INFO")},
}

NINJA_PAGINATION_PER_PAGE = 50
MEKONG_PAGE_SIZE = 25

# Conversions use the latest rate on or before the value date, at most this many days old.
MEKONG_FX_MAX_AGE_DAYS = env_int("MEKONG_FX_MAX_AGE_DAYS", 31)

# DHIS2 exports: country ISO3 (or project/programme code) → org unit UID of the receiving
# DHIS2, e.g. "MMR=ImspTQPwCqd,LAO=O6uvpzGd5pu" (see mekong.exchange.indicators).
DHIS2_ORG_UNITS = env_str("MEKONG_DHIS2_ORG_UNITS", "")


def _cache(url: str) -> dict[str, object]:
    """``locmem://`` (one process), ``redis://host:port/db`` (shared), ``dummy://`` (off)."""
    if url.startswith(("redis://", "rediss://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if url.startswith("dummy://"):
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    if url.startswith("locmem://"):
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": url[9:]}
    raise ImproperlyConfigured(
        f"MEKONG_CACHE_URL must start with locmem://, redis:// or dummy://; got {url!r}"
    )


# Dashboards cache their data; production shares one Redis between web processes.
CACHES = {"default": _cache(env_str("MEKONG_CACHE_URL", "locmem://"))}
MEKONG_DASHBOARD_CACHE_SECONDS = env_int("MEKONG_DASHBOARD_CACHE_SECONDS", 600)
