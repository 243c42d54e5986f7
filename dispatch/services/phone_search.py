"""The desk's search by a caller's phone number: limited per person and recorded.

A masked number (139****5678) leaves 10,000 candidates; each search by a full number tells
whether it is a caller's. So each is counted against PHONE_SEARCHES_PER_HOUR, in the database
(every web process sees the same count), and recorded as a `PhoneSearch`, found or not."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import TooMany
from demands.models import Demand, PhoneSearch
from demands.phones import phone_hash
from dispatch.selectors import find_demands

WINDOW = timedelta(hours=1)


def phone_search(*, user: User, query: str, limit: int, now: datetime | None = None) -> list[Demand]:
    """The demands `find_demands` finds for a phone-number query, once the person's hourly
    allowance is checked; the search is recorded either way. Raises TooMany past the limit
    (the refusal is recorded too, and runs no search)."""
    moment = now or timezone.now()
    key = phone_hash(query)
    with transaction.atomic():
        # One person's searches one at a time: two at once cannot both take the last one left.
        list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
        done = PhoneSearch.objects.filter(user=user, refused=False, created_at__gt=moment - WINDOW).count()
        refused = done >= settings.PHONE_SEARCHES_PER_HOUR
        found = [] if refused else find_demands(user, query, limit=limit, by_phone=True)
        PhoneSearch.objects.create(
            user=user,
            phone_hash=key,
            found=sum(1 for demand in found if demand.citizen_phone_hash == key),
            refused=refused,
            created_at=moment,
        )
    if refused:
        raise TooMany(
            _("每小时最多按电话号码查找%(limit)s次，已达上限，请稍后再试。按受理编号、标题或地点查找不受此限。")
            % {"limit": settings.PHONE_SEARCHES_PER_HOUR}
        )
    return found
