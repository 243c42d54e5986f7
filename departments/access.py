"""Who may do what. Services ask these questions before they act; views use them to pick pages."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.models import AnonymousUser, User

from departments.models import Department, Membership, Role

AnyUser = User | AnonymousUser


def _memberships(user: User) -> list[tuple[int, str]]:
    """The user's (department, role) pairs, read once per user object: a page asks who may do
    what half a dozen times, and the object lives as long as its request (or task)."""
    cached = getattr(user, "_membership_cache", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).values_list("department_id", "role"))
        user._membership_cache = cached  # type: ignore[attr-defined]
    return cached


def roles_of(user: AnyUser | None) -> set[str]:
    if user is None or not user.is_authenticated:
        return set()
    roles = {role for _department, role in _memberships(cast(User, user))}
    if getattr(user, "is_superuser", False):
        roles.add(Role.ADMIN)
    return roles


def has_role(user: AnyUser | None, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def department_ids_for(user: AnyUser | None, *roles: str) -> set[int]:
    """The departments whose cases this user works on in one of `roles`."""
    if user is None or not user.is_authenticated:
        return set()
    return {department for department, role in _memberships(cast(User, user)) if role in roles}


def works_in(user: AnyUser | None, department: Department, *roles: str) -> bool:
    return department.pk in department_ids_for(user, *roles)


DEPARTMENT_ROLES = (Role.HANDLER, Role.HEAD)
DISPATCH_ROLES = (Role.DISPATCH_OFFICER, Role.ADMIN)
# Roles that may read every demand in the district (with citizen details masked).
READ_ALL_ROLES = (Role.DISPATCH_OFFICER, Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN, Role.INTAKE_OPERATOR)
