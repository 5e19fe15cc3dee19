"""Production: everything secret or host-specific comes from the environment.

DJANGO_SECRET_KEY is required; ALLOWED_HOSTS is a comma-separated list; DATABASE_URL picks
the database (see base.py).
"""
import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403

DEBUG = False
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production.")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production (comma-separated).")

def _flag(name: str, default: bool) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in ("1", "true", "yes", "on")


# HTTPS. Behind a TLS-terminating proxy that sets X-Forwarded-Proto, set DJANGO_BEHIND_PROXY=1.
# `make run` serves plain HTTP on 127.0.0.1 and turns the redirect off; HSTS is only ever sent
# on HTTPS responses.
SECURE_SSL_REDIRECT = _flag("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
if _flag("DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

# Cached pages check the corpus revision at most once a second per process (reader/caching.py).
CORPUS_REVISION_TTL = 1.0

# Static files straight from gunicorn, hashed and compressed (collectstatic fills STATIC_ROOT).
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "reader.staticfiles.StaticFilesStorage"},  # whitenoise's, URLs kept
}
