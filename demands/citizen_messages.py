"""Text messages to citizens at the moments they wait for: the demand was taken in, the
department has a question, it was answered, merged into another, or refused.

An outbox: each message is a row written with the event it tells of, in the same transaction, so
no crash or broker outage loses one. After the commit a task sends it through the gateway
(`CITIZEN_MESSAGE_SENDER`); one that could not be sent is tried again by the reconciler, up to
MAX_ATTEMPTS, and then marked failed, and the people who should phone the citizen are notified.

A message never holds the query code: the platform keeps only its hash, and a copy in clear in
the outbox would undo that. Messages are written in the language the citizen submitted in."""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.request
from datetime import timedelta
from functools import cache
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext, gettext_noop

from config.queue import enqueue_on_commit
from demands.models import CitizenMessage, Demand, DemandEvent, MessageStatus
from demands.privacy import mask_phone
from demands.workflow import Action, Status

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
SEND_TASK = "demands.send_citizen_message"
UNSENT_TASK = "dispatch.notify_unsent_message"  # someone is asked to phone instead
MOBILE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")  # landlines cannot take a text message

TOLD: dict[str, str] = {
    Action.SUBMIT: gettext_noop("您的诉求已受理，受理编号%(number)s。请凭受理编号和查询码查询办理进度。"),
    Action.ASK_CITIZEN: gettext_noop("承办部门需要您补充诉求%(number)s的信息，请凭受理编号和查询码查看问题并回复。"),
    Action.REPLY: gettext_noop("您的诉求%(number)s已答复，请凭受理编号和查询码查看答复并评价。"),
    Action.MERGE: gettext_noop("您的诉求%(number)s与诉求%(original)s反映同一问题，已合并办理，答复后将通知您。"),
    Action.REJECT: gettext_noop("您的诉求%(number)s不予受理，请凭受理编号和查询码查看原因。"),
}
MERGED_INTO_ANSWERED = gettext_noop(
    "您的诉求%(number)s与已答复的诉求%(original)s反映同一问题，已合并，请凭受理编号和查询码查看答复。"
)
ORIGINAL_ANSWERED = gettext_noop(
    "与您的诉求%(number)s合并办理的诉求%(original)s已答复，请凭您的受理编号和查询码查看答复。"
)


def tell(event: DemandEvent) -> list[CitizenMessage]:
    """Queue the messages an event calls for (most call for none): to its demand's citizen, and
    when a demand is answered, to every citizen whose demand was merged into it; only to those who
    did not decline text messages. Call inside the transaction that wrote the event."""
    template = TOLD.get(event.action)
    if template is None:
        return []
    demand = event.demand
    original = demand.duplicate_of
    if event.action == Action.MERGE and original is not None and original.status in (Status.REPLIED, Status.CLOSED):
        template = MERGED_INTO_ANSWERED
    values = {"number": demand.tracking_number, "original": original.tracking_number if original else ""}
    letters = [(demand, _in_their_language(demand, template, values))] if demand.wants_text_messages else []
    if event.action == Action.REPLY:
        merged = demand.duplicates.filter(status=Status.MERGED, wants_text_messages=True).order_by("pk")
        letters += [
            (
                d,
                _in_their_language(
                    d, ORIGINAL_ANSWERED, {"number": d.tracking_number, "original": demand.tracking_number}
                ),
            )
            for d in merged
        ]
    messages = CitizenMessage.objects.bulk_create(
        [
            CitizenMessage(demand=to, event=event, kind=event.action, body=body, created_at=event.created_at)
            for to, body in letters
        ]
    )
    for message in messages:
        enqueue_on_commit(SEND_TASK, message.pk)
    return messages


def _in_their_language(demand: Demand, template: str, values: dict[str, str]) -> str:
    # The outbox keeps the words as sent: a record of what the citizen was told.
    with translation.override(demand.citizen_language or settings.LANGUAGE_CODE):
        return gettext(template) % values


class SendFailed(Exception):
    pass


class Sender(Protocol):
    def send(self, phone: str, text: str, *, reference: str) -> None:
        """Hand the message to the gateway, or raise SendFailed."""


class LogSender:
    """The embedded default: the message goes to the log (number masked), not to a phone."""

    def send(self, phone: str, text: str, *, reference: str) -> None:
        logger.info("Text message %s to %s: %s", reference, mask_phone(phone), text)


class WebhookSender:
    """POSTs {"to", "text", "reference"} as JSON to `CITIZEN_MESSAGE_WEBHOOK_URL` (an SMS gateway,
    or a small adapter in front of a vendor's), with `CITIZEN_MESSAGE_WEBHOOK_TOKEN` as a bearer
    token. Any answer but 2xx is a failure. Sending is at least once: a gateway that may see a
    message twice (a worker lost after sending) can drop repeats by their reference."""

    def __init__(self) -> None:
        self.url = settings.CITIZEN_MESSAGE_WEBHOOK_URL
        self.token = settings.CITIZEN_MESSAGE_WEBHOOK_TOKEN

    def send(self, phone: str, text: str, *, reference: str) -> None:
        payload = json.dumps({"to": phone, "text": text, "reference": reference}, ensure_ascii=False).encode()
        request = urllib.request.Request(self.url, data=payload, method="POST")
        request.add_header("Content-Type", "application/json; charset=utf-8")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
        except urllib.error.HTTPError as error:
            raise SendFailed(f"HTTP {error.code} {error.reason}") from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise SendFailed(str(getattr(error, "reason", error))) from error


@cache
def _sender_class(path: str) -> type:
    return import_string(path)


def sender() -> Sender:
    return _sender_class(settings.CITIZEN_MESSAGE_SENDER)()


def mobile_number(phone: str) -> str | None:
    found = MOBILE.match(re.sub(r"[\s-]", "", phone))
    return found.group(1) if found else None


def citizen_message_send(*, message_id: int) -> CitizenMessage | None:
    """Send one pending message; None when it is not pending (sent meanwhile, or being sent by
    another worker)."""
    with transaction.atomic():
        message = (
            CitizenMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=MessageStatus.PENDING)
            .first()
        )
        if message is None:
            return None
        phone = mobile_number(Demand.objects.values_list("citizen_phone", flat=True).get(pk=message.demand_id))
        if phone is None:
            message.status = MessageStatus.SKIPPED
            message.save(update_fields=["status"])
            return message
        message.attempts += 1
        try:
            sender().send(phone, f"{settings.CITIZEN_MESSAGE_SIGNATURE}{message.body}", reference=str(message.pk))
        except SendFailed as error:
            logger.warning("Text message %s not sent (attempt %s): %s", message.pk, message.attempts, error)
            message.last_error = str(error)[:255]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = MessageStatus.FAILED
                enqueue_on_commit(UNSENT_TASK, message.pk)
        else:
            message.status, message.sent_at, message.last_error = MessageStatus.SENT, timezone.now(), ""
        message.save(update_fields=["status", "attempts", "last_error", "sent_at"])
        return message


def citizen_messages_resend(*, older_than_seconds: int = 120, batch: int = 500) -> int:
    """Try again the messages still pending a while after they were written (a gateway that was
    down, a broker that lost the task). Returns how many were tried."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    pending = CitizenMessage.objects.filter(status=MessageStatus.PENDING, created_at__lte=cutoff)
    ids = list(pending.order_by("created_at", "pk").values_list("pk", flat=True)[:batch])
    for message_id in ids:
        citizen_message_send(message_id=message_id)
    return len(ids)
