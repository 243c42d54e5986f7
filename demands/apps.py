from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandsConfig(AppConfig):
    name = "demands"
    verbose_name = _("民生诉求")

    def ready(self) -> None:
        # Register the tasks in every process, so that services can enqueue them by name.
        from demands import tasks  # noqa: F401
