"""Thin tasks: they take ids, return early when the work is done, and call one service."""

from __future__ import annotations

from celery.signals import worker_process_init

from config.queue import task_also_named
from routing.warm_up import warm_up


@worker_process_init.connect
def _load_routing(**_kwargs) -> None:
    # Each worker process routes its first demand with the router and model already loaded.
    warm_up()


@task_also_named("dispatch.train_router", name="routing.train_router", soft_time_limit=1800, time_limit=1900)
def train_router() -> str:
    """Retrain the learned router on all known history (imports and answered demands)."""
    from routing.training import train_and_activate

    model = train_and_activate(note="periodic", assessed=True)
    return model.version if model else "not enough history"


# A preview of 20,000 demands takes under a minute; the limit leaves room for a slow machine and
# stays under the broker's visibility timeout (CELERY_VISIBILITY_TIMEOUT, an hour), so a running
# preview is not handed to a second worker.
@task_also_named("dispatch.run_impact_preview", name="routing.run_impact_preview", soft_time_limit=900, time_limit=960)
def run_impact_preview(preview_id: int) -> str:
    from routing.impact_runs import impact_preview_run

    preview = impact_preview_run(preview_id=preview_id)
    return preview.status if preview else "skipped"
