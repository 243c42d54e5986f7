"""Thin tasks: they take ids, return early when the work is done, and call one service."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from demands.models import Demand
from demands.services import demand_auto_close
from demands.workflow import Status
from dispatch.models import IdempotencyRecord
from dispatch.services import demand_route, unsent_messages

logger = logging.getLogger(__name__)


@shared_task(
    name="dispatch.route_demand",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=30,
    time_limit=60,
)
def route_demand(demand_id: int) -> str:
    demand = demand_route(demand_id=demand_id)
    return demand.status if demand else "skipped"


@shared_task(name="dispatch.reconcile_unrouted", soft_time_limit=120, time_limit=180)
def reconcile_unrouted() -> int:
    """Route again what was left in "submitted": a lost message, a worker that died, a broker that
    was down when the demand came in. Routing is idempotent, so a demand routed meanwhile is skipped."""
    cutoff = timezone.now() - settings.RECONCILE_AFTER
    ids = list(
        Demand.objects.filter(status=Status.SUBMITTED, submitted_at__lte=cutoff)
        .order_by("submitted_at")
        .values_list("pk", flat=True)[:500]
    )
    for demand_id in ids:
        try:
            demand_route(demand_id=demand_id)
        except Exception:
            # One bad demand must not stop the others; it stays "submitted" for the next pass.
            logger.exception("Reconciler could not route demand %s", demand_id)
    return len(ids)


@shared_task(name="dispatch.auto_close_replied", soft_time_limit=300, time_limit=360)
def auto_close_replied() -> int:
    cutoff = timezone.now() - timedelta(days=settings.AUTO_CLOSE_AFTER_DAYS)
    ids = Demand.objects.filter(status=Status.REPLIED, replied_at__lte=cutoff).values_list("pk", flat=True)
    return sum(1 for demand_id in ids.iterator() if demand_auto_close(demand_id=demand_id))


@shared_task(name="dispatch.sweep_deadlines", soft_time_limit=240, time_limit=300)
def sweep_deadlines() -> dict:
    """Run the clock again where a wait for the citizen lapsed, then take every due rung of the
    escalation ladder (sign late, warn, overdue, supervise, escalate)."""
    from dispatch.services.citizen_info import info_requests_lapse
    from dispatch.services.escalation import sweep_deadlines as sweep

    lapsed = info_requests_lapse()
    return {"info_requests_lapsed": lapsed, **sweep()}


@shared_task(
    name="dispatch.email_notifications",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=120,
    time_limit=180,
)
def email_notifications(notification_ids: list[int]) -> int:
    """Email the given notices to recipients with an address; each is emailed at most once."""
    from django.core.mail import send_mail

    from dispatch.models import Notification

    sent = 0
    for notice in Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related("user"):
        if not notice.user.email:
            continue
        # Claim before sending: a retry after a crash may skip one email, never send it twice.
        if Notification.objects.filter(pk=notice.pk, emailed_at__isnull=True).update(emailed_at=timezone.now()):
            send_mail("民生诉求提醒", notice.message, None, [notice.user.email])
            sent += 1
    return sent


@shared_task(name="dispatch.notify_ladder_events", soft_time_limit=600, time_limit=660)
def notify_ladder_events(first_id: int, last_id: int) -> int:
    from dispatch.services.escalation import notify_ladder_events as notify

    return notify(first_id=first_id, last_id=last_id)


@shared_task(
    name="dispatch.notify_unsent_message", autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5
)
def notify_unsent_message(message_id: int) -> int:
    return unsent_messages.notify_unsent_message(message_id=message_id)


@shared_task(name="dispatch.warn_uncovered_calendar", soft_time_limit=60, time_limit=90)
def warn_uncovered_calendar() -> int:
    from dispatch.services.calendar_notices import calendar_fallback_notify

    return calendar_fallback_notify(today=timezone.localdate())


@shared_task(name="dispatch.purge_idempotency_records", soft_time_limit=120, time_limit=180)
def purge_idempotency_records() -> int:
    """Forget the API's Idempotency-Keys older than IDEMPOTENCY_KEY_HOURS (dispatch/api/idempotency.py)."""
    cutoff = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
    deleted, _counts = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


@shared_task(name="dispatch.deliver_webhooks", soft_time_limit=300, time_limit=360)
def deliver_webhooks(subscription_id: int) -> int:
    """Send one subscription's due webhook deliveries, in order (dispatch/webhooks.py)."""
    from dispatch.webhooks import deliver_pending

    return deliver_pending(subscription_id)


@shared_task(name="dispatch.retry_webhooks", soft_time_limit=120, time_limit=180)
def retry_webhooks() -> int:
    """Queue the sending for every subscription whose next delivery is due: the retries, and any
    sending whose queueing was lost with the broker."""
    from dispatch.webhooks import due_subscriptions

    due = due_subscriptions()
    for subscription_id in due:
        deliver_webhooks.delay(subscription_id)
    return len(due)


@shared_task(name="dispatch.refresh_page_figures", soft_time_limit=240, time_limit=300, expires=60)
def refresh_page_figures() -> int:
    """Count again the figures the desk and the inboxes read from the cache at city scale."""
    from dispatch import recent_figures

    return recent_figures.refresh()
