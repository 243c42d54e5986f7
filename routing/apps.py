from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "routing"
    verbose_name = _("智能路由")

    def ready(self) -> None:
        # Register the tasks in every process (web, worker, beat), so that other apps can enqueue
        # them by name before a worker ever asked Celery to autodiscover.
        from routing import tasks  # noqa: F401
