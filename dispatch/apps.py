from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "dispatch"
    verbose_name = _("分拨与办理")

    def ready(self) -> None:
        # Register the tasks in every process (web, worker, beat), so that other apps can enqueue
        # them by name before a worker ever asked Celery to autodiscover.
        from dispatch import tasks  # noqa: F401

        # The webhooks' outbox is written with each event, in its transaction, whichever service
        # wrote it (dispatch/webhooks.py).
        post_save.connect(_outbox, sender="demands.DemandEvent", dispatch_uid="webhook-outbox")


def _outbox(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        from dispatch.webhooks import record

        record(instance)
