"""The benchmarks' common start: Django on a database of their own, with the sample district."""

from __future__ import annotations

import os
import tempfile


def sample_district(database_url: str = "", **environment: str) -> None:
    """Set Django up on `database_url` (else DATABASE_URL where set, else a throwaway SQLite
    file), quiet and with DEBUG off, then migrate it and load the sample district into it.
    `environment` sets further variables first (a broker, say)."""
    empty_database(database_url, **environment)
    from django.core.management import call_command

    call_command("load_sample_district", verbosity=0)


def empty_database(database_url: str = "", **environment: str) -> None:
    """As sample_district, without the sample district: a migrated, empty database."""
    os.environ["DATABASE_URL"] = (
        database_url or os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DEBUG"] = "false"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.update(environment)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
