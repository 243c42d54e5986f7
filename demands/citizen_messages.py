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
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from functools import cache
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from config.errors import ValidationFailed
from config.queue import enqueue_on_commit
from demands.merges import merged_into, original_of
from demands.models import CitizenMessage, Demand, DemandEvent, MessageStatus
from demands.phones import mobile_number
from demands.privacy import mask_phone
from demands.workflow import ANSWERED_STATUSES, Action

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
RETRY_AFTER = timedelta(minutes=2)  # after an attempt, before another may be made
SEND_TASK = "demands.send_citizen_message"
UNSENT_TASK = "dispatch.notify_unsent_message"  # someone is asked to phone instead
LOG_SENDER = "demands.citizen_messages.LogSender"

TOLD: dict[str, str] = {
    # Where to look it up, and how without the query code: the citizen may lose the receipt.
    Action.SUBMIT: gettext_noop(
        "您的诉求已受理，受理编号%(number)s。查询进度：%(where)s，凭受理编号和查询码，或凭本手机号接收验证码查询。"
    ),
    Action.ASK_CITIZEN: gettext_noop("承办部门需要您补充诉求%(number)s的信息，请凭受理编号和查询码查看问题并回复。"),
    Action.REPLY: gettext_noop("您的诉求%(number)s已答复，请凭受理编号和查询码查看答复并评价。"),
    # A direct answer is an answer like any other to the citizen.
    Action.DIRECT_ANSWER: gettext_noop("您的诉求%(number)s已答复，请凭受理编号和查询码查看答复并评价。"),
    Action.MERGE: gettext_noop("您的诉求%(number)s与诉求%(original)s反映同一问题，已合并办理，答复后将通知您。"),
    Action.REJECT: gettext_noop("您的诉求%(number)s不予受理，请凭受理编号和查询码查看原因。"),
    # Told to the phone on file, so its owner learns of a follow-up someone else made.
    Action.FOLLOW_UP: gettext_noop(
        "已收到对您的诉求%(number)s的催办，我们会督促承办部门尽快办理。如非您本人反映，请拨打12345告诉我们。"
    ),
}
MERGED_INTO_ANSWERED = gettext_noop(
    "您的诉求%(number)s与已答复的诉求%(original)s反映同一问题，已合并，请凭受理编号和查询码查看答复。"
)
ORIGINAL_ANSWERED = gettext_noop(
    "与您的诉求%(number)s合并办理的诉求%(original)s已答复，请凭您的受理编号和查询码查看答复。"
)
ORIGINAL_REJECTED = gettext_noop(
    "与您的诉求%(number)s合并办理的诉求%(original)s不予受理，请凭您的受理编号和查询码查看原因。"
)
# When a demand is answered or refused, so are the demands merged into it.
FOLLOWED_BY_MERGED: dict[str, str] = {
    Action.REPLY: ORIGINAL_ANSWERED,
    Action.DIRECT_ANSWER: ORIGINAL_ANSWERED,
    Action.REJECT: ORIGINAL_REJECTED,
}


def tell(event: DemandEvent) -> list[CitizenMessage]:
    """Write the messages an event calls for (most call for none): to its demand's citizen, and
    when a demand is answered or refused, to every citizen whose demand was merged into it. A
    citizen who declined text messages gets a row marked so, and nothing is sent. Call inside the
    transaction that wrote the event."""
    template = TOLD.get(event.action)
    if template is None:
        return []
    demand = event.demand
    direct = demand.duplicate_of
    values: dict[str, str | Promise] = {
        "number": demand.tracking_number,
        "original": direct.tracking_number if direct else "",
        "where": where_to_track(),
    }
    original = original_of(demand) if event.action == Action.MERGE else None
    if original is not None and original.status in ANSWERED_STATUSES:
        template = MERGED_INTO_ANSWERED
    letters = [(demand, template, values)]
    if event.action in FOLLOWED_BY_MERGED:
        follow = FOLLOWED_BY_MERGED[event.action]
        letters += [
            (d, follow, {"number": d.tracking_number, "original": demand.tracking_number}) for d in merged_into(demand)
        ]
    messages = CitizenMessage.objects.bulk_create(
        [
            CitizenMessage(
                demand=to,
                event=event,
                kind=event.action,
                body=_in_their_language(to, text, params),
                status=MessageStatus.PENDING if to.wants_text_messages else MessageStatus.DECLINED,
                created_at=event.created_at,
            )
            for to, text, params in letters
        ]
    )
    for message in messages:
        if message.status == MessageStatus.PENDING:
            enqueue_on_commit(SEND_TASK, message.pk)
        elif needs_a_call(message):
            enqueue_on_commit(UNSENT_TASK, message.pk)
    return messages


# Said in the citizen's language when the platform's public address is not configured.
TRACK_PAGE = gettext_lazy("本平台「查询进度」页面")


def where_to_track() -> str | Promise:
    """The tracking page's address (`CITIZEN_PORTAL_URL` + /track/), or its name without one."""
    base = settings.CITIZEN_PORTAL_URL.rstrip("/")
    return f"{base}{reverse('citizen-track')}" if base else TRACK_PAGE


# Someone must phone the citizen instead when a message failed, or when it carried a
# department's question and could not be texted at all (a landline, or texts declined): the
# citizen would otherwise never learn there is a question to answer. The rule is read on one
# message (needs_a_call) and as a query (NEEDS_A_CALL, for the resend's recovery), from these.
UNTEXTABLE = (MessageStatus.SKIPPED, MessageStatus.DECLINED)
NEEDS_A_CALL = Q(status=MessageStatus.FAILED) | Q(kind=Action.ASK_CITIZEN, status__in=UNTEXTABLE)


def needs_a_call(message: CitizenMessage) -> bool:
    return message.status == MessageStatus.FAILED or (
        message.kind == Action.ASK_CITIZEN and message.status in UNTEXTABLE
    )


def _in_their_language(demand: Demand, template: str, values: dict[str, str | Promise]) -> str:
    # The outbox keeps the words as sent: a record of what the citizen was told.
    with translation.override(demand.citizen_language or settings.LANGUAGE_CODE):
        return gettext(template) % values


class SendFailed(Exception):
    pass


# The reference of a message that carries a one-time code (demands.phone_access): its text opens
# the phone's demands, so a sender must not log or keep it.
ONE_TIME_CODE_REFERENCE = "code-"


class Sender(Protocol):
    def send(self, phone: str, text: str, *, reference: str) -> None:
        """Hand the message to the gateway, or raise SendFailed. A message whose reference starts
        with ONE_TIME_CODE_REFERENCE holds a one-time code: never log or keep its text."""


class LogSender:
    """The embedded default: the message goes to the log (number masked), not to a phone. A
    one-time code is left out: whoever reads the log could open that phone's demands with it."""

    def send(self, phone: str, text: str, *, reference: str) -> None:
        if reference.startswith(ONE_TIME_CODE_REFERENCE):
            text = "(one-time code, not logged)"
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
        if not self.url:
            raise SendFailed("CITIZEN_MESSAGE_WEBHOOK_URL is not set")
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


def texted_number(demand: Demand) -> str | None:
    """The mobile number the demand's citizen is texted at; None when they declined texts or gave
    no mobile number."""
    return mobile_number(demand.citizen_phone) if demand.wants_text_messages else None


def citizen_message_send(*, message_id: int, now: datetime | None = None) -> CitizenMessage | None:
    """Try to send one pending message; None when there is nothing to do (sent meanwhile, being
    sent by another worker, or tried less than RETRY_AFTER ago)."""
    moment = now or timezone.now()
    with transaction.atomic():
        message = (
            CitizenMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=MessageStatus.PENDING)
            .filter(Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lte=moment - RETRY_AFTER))
            .first()
        )
        if message is None:
            return None
        phone = mobile_number(Demand.objects.values_list("citizen_phone", flat=True).get(pk=message.demand_id))
        if phone is None:
            message.status = MessageStatus.SKIPPED
            message.save(update_fields=["status"])
            if needs_a_call(message):
                enqueue_on_commit(UNSENT_TASK, message.pk)
            return message
        # The claim is committed before the gateway is called (see last_attempt_at).
        message.attempts += 1
        message.last_attempt_at = moment
        message.save(update_fields=["attempts", "last_attempt_at"])
    error = ""
    try:
        sender().send(phone, f"{settings.CITIZEN_MESSAGE_SIGNATURE}{message.body}", reference=str(message.pk))
    except Exception as failure:  # whatever went wrong (gateway, network, configuration) is a failed attempt
        error = (str(failure) or type(failure).__name__)[:255]
        logger.warning("Text message %s not sent (attempt %s): %s", message.pk, message.attempts, error)
    with transaction.atomic():
        if not error:
            message.status, message.sent_at, message.last_error = MessageStatus.SENT, timezone.now(), ""
        else:
            message.last_error = error
            if message.attempts >= MAX_ATTEMPTS:
                message.status = MessageStatus.FAILED
                enqueue_on_commit(UNSENT_TASK, message.pk)
        message.save(update_fields=["status", "sent_at", "last_error"])
    return message


def citizen_messages_resend(*, now: datetime | None = None, batch: int = 500) -> int:
    """Queue again the messages still pending a while after their last try (a gateway that was
    down, a task lost with its broker or worker), and the calls to ask for whose notice was lost.
    Returns how many messages were queued; each is sent by its own task."""
    cutoff = (now or timezone.now()) - RETRY_AFTER
    due = CitizenMessage.objects.filter(status=MessageStatus.PENDING).filter(
        Q(last_attempt_at__lte=cutoff) | Q(last_attempt_at__isnull=True, created_at__lte=cutoff)
    )
    ids = list(due.order_by("created_at", "pk").values_list("pk", flat=True)[:batch])
    for message_id in ids:
        enqueue_on_commit(SEND_TASK, message_id)
    unanswered = CitizenMessage.objects.filter(NEEDS_A_CALL, followed_up_at__isnull=True, created_at__lte=cutoff)
    for message_id in unanswered.values_list("pk", flat=True)[:batch]:
        enqueue_on_commit(UNSENT_TASK, message_id)
    return len(ids)


def citizen_texts_wanted(*, demand: Demand, wanted: bool) -> Demand:
    """The citizen's choice about text messages, changed after submitting: stopping also holds
    back what is still waiting to be sent. Texts are not promised to a number that cannot take them."""
    if wanted and mobile_number(demand.citizen_phone) is None:
        raise ValidationFailed(gettext("您留的不是手机号码，收不到短信；办理进展请在本页查询。"))
    with transaction.atomic():
        Demand.objects.filter(pk=demand.pk).update(wants_text_messages=wanted)
        if not wanted:
            demand.text_messages.filter(status=MessageStatus.PENDING).update(status=MessageStatus.DECLINED)
    demand.wants_text_messages = wanted
    return demand
