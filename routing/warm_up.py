"""Load what routing needs before the first citizen arrives.

The first demand after a restart used to wait 12–22 s inside its request while the list's index
was built, the learned model read from the database and the segmenter's dictionary loaded. Web
workers (config/wsgi.py), Celery worker processes (routing/tasks.py) and `run_platform` call
`warm_up` as they start, so that cost is paid before they take work."""

from __future__ import annotations

import logging
import time

from django.db import DatabaseError

from responsibility_lists.selectors import version_in_force
from routing import learned
from routing.router import route

log = logging.getLogger(__name__)

# Routed once and thrown away: any text does, as long as it goes through every stage.
SAMPLE_TITLE = "小区门口的路灯不亮"
SAMPLE_CONTENT = "小区门口的路灯坏了好几天，晚上出行不安全。"


def warm_up() -> float | None:
    """Route a sample demand under the version in force with the active model; return how long it
    took in seconds, or None where the database cannot be read yet (not migrated, not reachable):
    then the first demand loads them, as before."""
    started = time.perf_counter()
    try:
        version = version_in_force()
        route(
            title=SAMPLE_TITLE, content=SAMPLE_CONTENT, location_text="", version=version, model=learned.active_model()
        )
    except DatabaseError as error:
        log.warning("Routing not loaded ahead (%s); the first demand will load it.", error.__class__.__name__)
        return None
    elapsed = time.perf_counter() - started
    log.info("Routing loaded in %.1f s: the first demand is routed without waiting for it.", elapsed)
    return elapsed
