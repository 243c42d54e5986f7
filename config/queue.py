"""Enqueue background work by task name once the current transaction commits.

Tasks are named, not imported, so that an app low in the import order can queue work whose task
lives above it. Looking the task up in the Celery app (instead of `send_task`) keeps the embedded
default working: there the task runs in process, right after the commit that made its input
visible.

A broker that cannot be reached does not fail the request: what was committed stays committed,
and the periodic reconciler finds the work left undone once the broker is back."""

import logging
from collections.abc import Callable
from typing import Any

from celery import shared_task
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task_name: str, *args: object) -> None:
    def send() -> None:
        from config.celery import app

        task = app.tasks[task_name]
        if app.conf.task_always_eager:
            task.delay(*args)
            return
        try:
            task.delay(*args)
        except Exception:  # kombu raises several kinds when the broker is away
            logger.warning("Could not queue %s%r; the reconciler will pick it up.", task_name, args, exc_info=True)

    transaction.on_commit(send)


def task_also_named(old_name: str, *, name: str, **options: Any) -> Callable[[Callable[..., Any]], Any]:
    """`shared_task(name=…)`, and the same function registered under the name it had before its
    app was split from dispatch: a message an older release queued (or a beat still running that
    release's schedule) names the old task, and a worker of this release must still run it."""

    def register(function: Callable[..., Any]) -> Any:
        shared_task(name=old_name, **options)(function)
        return shared_task(name=name, **options)(function)

    return register
