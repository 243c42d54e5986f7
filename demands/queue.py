"""Enqueue background work by task name once the current transaction commits.

demands sits below dispatch, so it names dispatch's tasks rather than importing them. Looking the
task up in the Celery app (instead of `send_task`) keeps the embedded default working: there the
task runs in process, right after the commit that made its input visible."""

from django.db import transaction


def enqueue_on_commit(task_name: str, *args: object) -> None:
    def send() -> None:
        from config.celery import app

        app.tasks[task_name].delay(*args)

    transaction.on_commit(send)
