from departments.access import roles_of
from dispatch.models import Notification


def staff_roles(request):
    """The signed-in person's roles, so the navigation shows only their own pages, and how many
    notices they have not read."""
    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    return {"staff_roles": roles_of(user), "unread_notifications": unread}
