"""Enqueue background work by task name once the current transaction commits.

Tasks are named, not imported, so that an app low in the import order can queue work whose task
lives above it. Looking the task up in the Celery app (instead of `send_task`) keeps the embedded
default working: there the task runs in process, right after the commit that made its input
visible."""

from django.db import transaction


def enqueue_on_commit(task_name: str, *args: object) -> None:
    def send() -> None:
        from config.celery import app

        app.tasks[task_name].delay(*args)

    transaction.on_commit(send)
