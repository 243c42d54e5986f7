from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DepartmentsConfig(AppConfig):
    name = "departments"
    verbose_name = _("组织与属地")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from departments import tokens
        from departments.login_guard import count_failed_login

        user_login_failed.connect(count_failed_login, dispatch_uid="departments.login_guard.failed")
        tokens.connect_signals()
