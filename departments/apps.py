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
        self._clear_place_cache_on_change()

    def _clear_place_cache_on_change(self) -> None:
        # Places and the departments to pick from are cached per process (departments.selectors);
        # a changed outline, alias or department counts at once in this process, and within
        # minutes in the others.
        from django.db.models.signals import post_delete, post_save

        from departments.models import AddressAlias, Community, Department, Street
        from departments.selectors import clear_department_cache, clear_place_cache

        def clear(**kwargs: object) -> None:
            clear_place_cache()
            clear_department_cache()

        for model in (Street, Community, AddressAlias, Department):
            post_save.connect(clear, sender=model, weak=False, dispatch_uid=f"departments.places.{model.__name__}.save")
            post_delete.connect(
                clear, sender=model, weak=False, dispatch_uid=f"departments.places.{model.__name__}.delete"
            )
