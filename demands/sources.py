"""Registering source systems and knowing them by their key (demands.models.sources).

A key is shown once, when it is issued; only its first characters and its hash are kept, so a
leaked database gives no working key. Issuing a new key ends the old one at once."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import ValidationFailed
from demands.models import KEY_PREFIX_LENGTH, Channel, SourceSystem

# Channels a source system may submit under: staff's own channels (the hotline's calls, letters,
# visits) are entered by intake operators, not by systems.
SYSTEM_CHANNELS = (Channel.API, Channel.APP, Channel.MINI_PROGRAM, Channel.CITY_PLATFORM)


@dataclass(frozen=True)
class IssuedKey:
    system: SourceSystem
    key: str  # shown once


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _new_key() -> tuple[str, str]:
    prefix = secrets.token_hex(KEY_PREFIX_LENGTH // 2)
    return prefix, f"{prefix}.{secrets.token_urlsafe(32)}"


def source_system_register(*, name: str, channel: str = Channel.API, hands_down: bool = False) -> IssuedKey:
    name = name.strip()
    errors = {}
    if not name:
        errors["name"] = _("请填写来源系统名称。")
    elif len(name) > SourceSystem._meta.get_field("name").max_length:  # type: ignore[operator]
        errors["name"] = _("名称不能超过64字。")
    elif SourceSystem.objects.filter(name=name).exists():
        errors["name"] = _("已有同名的来源系统。")
    if channel not in SYSTEM_CHANNELS:
        errors["channel"] = _("来源系统的渠道只能是系统对接、移动应用、小程序或市12345平台转办。")
    if errors:
        raise ValidationFailed("；".join(errors.values()), extra={"fields": errors})
    prefix, key = _new_key()
    system = SourceSystem.objects.create(
        name=name,
        channel=channel,
        hands_down=hands_down or channel == Channel.CITY_PLATFORM,
        key_prefix=prefix,
        key_hash=_hash(key),
        key_issued_at=timezone.now(),
    )
    return IssuedKey(system=system, key=key)


def source_system_new_key(*, system_id: int) -> IssuedKey:
    """A new key for the system; the one it had stops working now."""
    with transaction.atomic():
        system = SourceSystem.objects.select_for_update().get(pk=system_id)
        system.key_prefix, key = _new_key()
        system.key_hash = _hash(key)
        system.key_issued_at = timezone.now()
        system.save(update_fields=["key_prefix", "key_hash", "key_issued_at"])
    return IssuedKey(system=system, key=key)


def source_system_for_key(key: str) -> SourceSystem | None:
    """The active system holding `key`, or None. Its last use is recorded (at most once a minute)."""
    prefix = key[:KEY_PREFIX_LENGTH]
    system = SourceSystem.objects.filter(key_prefix=prefix, is_active=True).first()
    if system is None or not hmac.compare_digest(system.key_hash, _hash(key)):
        return None
    now = timezone.now()
    if system.last_used_at is None or (now - system.last_used_at).total_seconds() > 60:
        SourceSystem.objects.filter(pk=system.pk).update(last_used_at=now)
    return system
