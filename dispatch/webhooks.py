"""Telling other systems of demands' changes (webhooks): the city's 12345 platform hears back on
the cases it handed down, any subscribed system follows every demand.

The outbox: when a demand moves to a status a subscriber follows, its delivery row is written in
the same transaction as the event (so a change and its notice commit or vanish together), with the
next number of that subscriber's sequence. The sending runs after commit and again from the
periodic retry: each subscriber's deliveries go out one at a time in sequence order, and the first
that fails stops the run and waits (WEBHOOK_RETRY_BASE_SECONDS, doubling up to
WEBHOOK_RETRY_MAX_SECONDS) so that nothing overtakes it. A receiver down for a while gets every
change afterwards, in order. Deliveries are at least once: a receiver may see one again (after a
timeout on its side) and tells by `id` and `sequence`.

Each POST carries `X-Webhook-Timestamp` and `X-Webhook-Signature: v1=<hex HMAC-SHA256 of
"<timestamp>.<body>" with the subscription's secret>`, so the receiver knows it is ours and recent.
The body names the demand, its status, its number at the source and its deadline, never the
citizen; the reply's text goes only to the source system that sent the demand."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from config.queue import enqueue_on_commit
from demands.models import Demand, DemandEvent
from demands.workflow import Status
from dispatch.models import DeliveryStatus, WebhookDelivery, WebhookKind, WebhookSubscription

KIND_OF_STATUS = {
    Status.DISPATCHED: WebhookKind.DISPATCHED,
    Status.REPLIED: WebhookKind.REPLIED,
    Status.CLOSED: WebhookKind.CLOSED,
    Status.REJECTED: WebhookKind.RETURNED,
    Status.REOPENED: WebhookKind.REOPENED,
}


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"v1={mac.hexdigest()}"


def record(event: DemandEvent) -> None:
    """Write the deliveries of `event` for every subscriber that follows it, in the event's own
    transaction; the sending is queued for after the commit. Called for each new event."""
    kind = KIND_OF_STATUS.get(event.to_status)  # type: ignore[call-overload]
    if kind is None or event.from_status == event.to_status:
        return
    active = WebhookSubscription.objects.filter(is_active=True)
    # Every status change passes here: with no subscriber (most districts), one query and done.
    if not active.exists():
        return
    demand = Demand.objects.select_related("lead_department").get(pk=event.demand_id)
    subscribers = active.filter(Q(source_system__isnull=True) | Q(source_system_id=demand.source_system_id))
    # Each subscriber's sequence is taken under its row's lock, held to the event's commit: the
    # numbers follow the order in which the changes commit.
    with transaction.atomic():
        for subscription in subscribers.select_for_update():
            if subscription.kinds and kind not in subscription.kinds:
                continue
            WebhookSubscription.objects.filter(pk=subscription.pk).update(last_sequence=F("last_sequence") + 1)
            subscription.refresh_from_db(fields=["last_sequence"])
            WebhookDelivery.objects.create(
                subscription=subscription,
                event=event,
                sequence=subscription.last_sequence,
                kind=kind,
                payload=_payload(event, demand, kind, own=subscription.source_system_id is not None),
                next_attempt_at=event.created_at,
                created_at=event.created_at,
            )
            enqueue_on_commit("dispatch.deliver_webhooks", subscription.pk)


def _payload(event: DemandEvent, demand: Demand, kind: str, *, own: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": kind,
        "occurred_at": event.created_at,
        "demand": {
            "tracking_number": demand.tracking_number,
            "status": event.to_status,
            "source_reference": demand.source_reference or None,
            "lead_department": demand.lead_department.name if demand.lead_department else None,
            "due_at": demand.due_at,
        },
        "reason": event.reason if event.is_public else "",
    }
    if own and kind == WebhookKind.REPLIED:
        # The platform that handed the case down answers its citizen with our reply.
        reply = demand.replies.filter(is_contribution=False).order_by("-created_at").first()
        body["reply"] = reply.body if reply else ""
    return json.loads(json.dumps(body, cls=DjangoJSONEncoder))


def deliver_pending(subscription_id: int, *, limit: int | None = None) -> int:
    """Send the subscription's due deliveries in sequence order; stop at the first the receiver
    does not take, and set when to try it again. Another run already sending for the subscription
    makes this one return at once (the row lock). How many were delivered."""
    delivered = 0
    with transaction.atomic():
        subscription = (
            WebhookSubscription.objects.select_for_update(skip_locked=True)
            .filter(pk=subscription_id, is_active=True)
            .first()
        )
        if subscription is None:
            return 0
        pending = subscription.deliveries.filter(status=DeliveryStatus.PENDING).order_by("sequence")
        for delivery in pending[: limit or settings.WEBHOOK_BATCH]:
            now = timezone.now()
            if delivery.next_attempt_at > now:
                break  # the earliest is still waiting: nothing may overtake it
            status, error = _post(subscription, delivery)
            delivery.attempts += 1
            delivery.last_status_code, delivery.last_error = status, error[:255]
            if status is not None and 200 <= status < 300:
                delivery.status, delivery.delivered_at = DeliveryStatus.DELIVERED, now
                delivery.save()
                delivered += 1
                continue
            delivery.next_attempt_at = now + _wait(delivery.attempts)
            delivery.save()
            break
    return delivered


def _wait(attempts: int) -> timedelta:
    seconds = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** min(attempts - 1, 20)
    return timedelta(seconds=min(seconds, settings.WEBHOOK_RETRY_MAX_SECONDS))


def _post(subscription: WebhookSubscription, delivery: WebhookDelivery) -> tuple[int | None, str]:
    message = {"id": delivery.pk, "sequence": delivery.sequence, **delivery.payload}
    body = json.dumps(message, ensure_ascii=False).encode()
    timestamp = int(time.time())
    request = urllib.request.Request(
        subscription.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "minsheng-webhooks/1",
            "X-Webhook-Id": str(delivery.pk),
            "X-Webhook-Sequence": str(delivery.sequence),
            "X-Webhook-Timestamp": str(timestamp),
            "X-Webhook-Signature": sign(subscription.secret, timestamp, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as answer:
            return answer.status, ""
    except urllib.error.HTTPError as error:
        return error.code, f"HTTP {error.code}"
    except (urllib.error.URLError, OSError) as error:
        return None, str(getattr(error, "reason", error))


def due_subscriptions() -> list[int]:
    """The subscriptions whose first waiting delivery's time has come (the later ones wait
    behind it): for the periodic retry."""
    pending = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING)
    now = timezone.now()
    due = []
    for subscription_id in sorted(set(pending.values_list("subscription_id", flat=True))):
        first = pending.filter(subscription_id=subscription_id).order_by("sequence").values("next_attempt_at")[:1]
        if first and first[0]["next_attempt_at"] <= now:
            due.append(subscription_id)
    return due


def replay(delivery_ids: list[int]) -> int:
    """Send deliveries again (from the admin): delivered ones become pending now. Order holds: a
    replayed delivery goes out before later pending ones of its subscription."""
    now = timezone.now()
    changed = WebhookDelivery.objects.filter(pk__in=delivery_ids).update(
        status=DeliveryStatus.PENDING, next_attempt_at=now, delivered_at=None
    )
    for subscription_id in set(
        WebhookDelivery.objects.filter(pk__in=delivery_ids).values_list("subscription_id", flat=True)
    ):
        enqueue_on_commit("dispatch.deliver_webhooks", subscription_id)
    return changed
