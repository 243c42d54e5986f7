from departments.access import roles_of


def staff_roles(request):
    """The signed-in person's roles, so the navigation shows only their own pages."""
    return {"staff_roles": roles_of(getattr(request, "user", None))}
