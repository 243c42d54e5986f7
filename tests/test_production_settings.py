"""Production settings refuse to start on a guess about who stands in front of them."""

from __future__ import annotations

import os
import subprocess
import sys

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "x" * 50,
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/unused",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "PERSONAL_DATA_KEYS": "Pq3ADmgTqZeYjYRoWSRo0GEnXAZ6fRrwuPwQiPUQYfU=",
}


def _settings(**extra: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("TRUSTED_PROXIES", "DJANGO_SETTINGS_MODULE", "PERSONAL_DATA_KEYS", "PHONE_HASH_KEY")
    }
    code = (
        "import django; django.setup(); from django.conf import settings; print(settings.REST_FRAMEWORK['NUM_PROXIES'])"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env={**env, **PRODUCTION, **extra}, capture_output=True, text=True, check=False
    )


def test_production_needs_to_be_told_how_many_proxies_are_in_front():
    refused = _settings()
    assert refused.returncode != 0 and "Set TRUSTED_PROXIES" in refused.stderr
    assert _settings(TRUSTED_PROXIES="1").stdout.strip() == "1"
    assert _settings(TRUSTED_PROXIES="0").stdout.strip() == "0"


def test_production_needs_the_personal_data_keys_and_refuses_a_malformed_one():
    missing = _settings(TRUSTED_PROXIES="0", PERSONAL_DATA_KEYS="")
    assert missing.returncode != 0 and "Set PERSONAL_DATA_KEYS" in missing.stderr
    malformed = _settings(TRUSTED_PROXIES="0", PERSONAL_DATA_KEYS=f"{PRODUCTION['PERSONAL_DATA_KEYS']},not-a-key")
    assert malformed.returncode != 0 and "PERSONAL_DATA_KEYS: key 2 is not a Fernet key" in malformed.stderr


# What README.md's Production section says to set; the SECURE_* variables keep their defaults.
DOCUMENTED = {**PRODUCTION, "TRUSTED_PROXIES": "1", "ALLOWED_HOSTS": "minsheng.example.gov.cn"}


def _run(args: list[str], **extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "DJANGO_", "DEBUG"))}
    env.pop("TRUSTED_PROXIES", None)
    return subprocess.run(
        [sys.executable, *args], env={**env, **DOCUMENTED, **extra}, capture_output=True, text=True, check=False
    )


def test_check_deploy_is_clean_with_the_documented_settings():
    # A real-looking key: check --deploy warns about a short or repetitive one.
    key = "kq8VdZ3mP0xW7rT2yB5nH9cL4sJ6gF1aE3uQ8iO0pR2tY5wK7zX9vN4bM6hG1jD"
    checked = _run(["manage.py", "check", "--deploy"], SECRET_KEY=key)
    assert checked.returncode == 0, checked.stderr
    assert "WARNINGS" not in checked.stderr + checked.stdout
    assert "no issues" in checked.stdout


def test_hsts_for_a_year_with_subdomains_unless_told_otherwise():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT)"
    )
    assert _run(["-c", code]).stdout.split() == ["31536000", "True", "True"]
    told = _run(["-c", code], SECURE_HSTS_SECONDS="600", SECURE_HSTS_INCLUDE_SUBDOMAINS="false")
    assert told.stdout.split() == ["600", "False", "True"]
