"""Who may do what. Services ask these questions before they act; views use them to pick pages."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

from departments.models import Department, Membership, Role

AnyUser = User | AnonymousUser


def roles_of(user: AnyUser | None) -> set[str]:
    if user is None or not user.is_authenticated:
        return set()
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        cached = set(Membership.objects.filter(user=user).values_list("role", flat=True))
        if getattr(user, "is_superuser", False):
            cached.add(Role.ADMIN)
        user._role_cache = cached  # type: ignore[attr-defined]
    return cached


def has_role(user: AnyUser | None, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def department_ids_for(user: AnyUser | None, *roles: str) -> set[int]:
    """The departments whose cases this user works on in one of `roles`."""
    if user is None or not user.is_authenticated:
        return set()
    return set(Membership.objects.filter(user=user, role__in=roles).values_list("department_id", flat=True))


def works_in(user: AnyUser | None, department: Department, *roles: str) -> bool:
    return department.pk in department_ids_for(user, *roles)


DEPARTMENT_ROLES = (Role.HANDLER, Role.HEAD)
DISPATCH_ROLES = (Role.DISPATCH_OFFICER, Role.ADMIN)
# Roles that may read every demand in the district (with citizen details masked).
READ_ALL_ROLES = (Role.DISPATCH_OFFICER, Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN, Role.INTAKE_OPERATOR)
