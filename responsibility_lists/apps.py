from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponsibilityListsConfig(AppConfig):
    name = "responsibility_lists"
    verbose_name = _("职责清单")

    def ready(self) -> None:
        from responsibility_lists import tasks  # noqa: F401  (registered for the beat schedule)
