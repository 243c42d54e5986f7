from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "dispatch"
    verbose_name = _("分拨与办理")

    def ready(self) -> None:
        # Register the tasks in every process (web, worker, beat), so that other apps can enqueue
        # them by name before a worker ever asked Celery to autodiscover.
        from dispatch import tasks  # noqa: F401
