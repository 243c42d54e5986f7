"""How the platform's connections to PostgreSQL are set up."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.postgres


def test_connections_run_without_jit(db):
    # Compiling a page's short queries cost more than it saved (docs/scaling.md); DATABASE_JIT=true
    # turns it back on.
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
