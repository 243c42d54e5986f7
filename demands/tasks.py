"""Thin tasks: they take ids and call one service."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from demands.audit_chain import checkpoint_write
from demands.citizen_messages import citizen_message_send, citizen_messages_resend
from demands.retention import anonymise_due_demands


@shared_task(
    name="demands.send_citizen_message",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=30,
    time_limit=60,
)
def send_citizen_message(message_id: int) -> str:
    message = citizen_message_send(message_id=message_id)
    return message.status if message else "nothing to do"


@shared_task(name="demands.resend_citizen_messages", soft_time_limit=60, time_limit=90)
def resend_citizen_messages() -> int:
    return citizen_messages_resend()


@shared_task(name="demands.audit_checkpoint", soft_time_limit=600, time_limit=660)
def audit_checkpoint() -> int:
    """The daily signed record of the audit chains' heads (demands.audit_chain)."""
    return checkpoint_write().pk


@shared_task(name="demands.anonymise_closed_demands", soft_time_limit=1800, time_limit=1860)
def anonymise_closed_demands() -> int:
    """Remove the personal data of demands closed longer ago than the retention period."""
    return anonymise_due_demands()
