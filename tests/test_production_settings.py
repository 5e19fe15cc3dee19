"""Production settings: refuse to start without a secret, and pass Django's deployment checks."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def manage(*args, **env):
    clean = {k: v for k, v in os.environ.items()
             if k not in ("DJANGO_SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE",
                          "DJANGO_ALLOW_ASYNC_UNSAFE")}  # the browser tests set that one
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.production", **env})


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = manage("check", DJANGO_SECRET_KEY="k" * 60)
    assert result.returncode != 0 and "ALLOWED_HOSTS must be set" in result.stderr


def test_the_deployment_checks_find_nothing_to_warn_about():
    result = manage("check", "--deploy", "--fail-level", "WARNING",
                    DJANGO_SECRET_KEY="a-long-random-looking-secret-" + "x7Qp" * 10, ALLOWED_HOSTS="example.org")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout
