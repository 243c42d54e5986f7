from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("考核与统计")

    def ready(self) -> None:
        # Register the tasks in every process (web, worker, beat), so that other apps can enqueue
        # them by name before a worker ever asked Celery to autodiscover.
        from assessment import tasks  # noqa: F401
