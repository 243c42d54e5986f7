"""Periodic work in process, for the embedded default where no beat or worker runs.

It reads the same CELERY_BEAT_SCHEDULE the production beat uses, so the two cannot drift apart,
and runs each task in this process (Celery's `apply`) at its interval."""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections

logger = logging.getLogger(__name__)


class InProcessScheduler(threading.Thread):
    def __init__(self, tick_seconds: float = 5.0) -> None:
        super().__init__(name="in-process-beat", daemon=True)
        self.tick_seconds = tick_seconds
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()

    def run(self) -> None:
        from config.celery import app

        entries = {
            name: (entry["task"], _seconds(entry["schedule"])) for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
        }
        next_run = dict.fromkeys(entries, time.monotonic())
        logger.info("In-process scheduler started: %s", ", ".join(sorted(entries)))
        while not self._stop_event.is_set():
            now = time.monotonic()
            for name, (task_name, interval) in entries.items():
                if now < next_run[name]:
                    continue
                next_run[name] = now + interval
                try:
                    close_old_connections()
                    app.tasks[task_name].apply()
                except Exception:
                    logger.exception("Periodic task %s failed; it runs again at its next interval.", task_name)
                finally:
                    close_old_connections()
            self._stop_event.wait(self.tick_seconds)


def _seconds(schedule: object) -> float:
    if isinstance(schedule, timedelta):
        return schedule.total_seconds()
    if isinstance(schedule, int | float):
        return float(schedule)
    run_every = getattr(schedule, "run_every", None)
    if isinstance(run_every, timedelta):
        return run_every.total_seconds()
    raise ValueError(f"Cannot run schedule {schedule!r} in process; use an interval.")
