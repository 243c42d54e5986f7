from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponsibilityListsConfig(AppConfig):
    name = "responsibility_lists"
    verbose_name = _("职责清单")
