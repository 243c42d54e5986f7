"""Looking up one's demands by mobile phone, as government portals do, for a citizen who lost the
query code: a one-time code is texted to the phone, and typing it back proves the phone is in
their hand. Whoever passes may then read, rate or reopen that phone's demands for a while.

Nothing here tells whether a phone has demands to someone who cannot read its texts: a code is
texted to any mobile number asked for (which is what hides it), the answer and the work done are
the same either way, and the demands are looked up only once the code has been checked.

The code is kept as a keyed hash only and goes straight to the gateway (`CITIZEN_MESSAGE_SENDER`):
not to the outbox, where bodies are kept; not to a task's arguments, which a broker keeps; not to
the log (the senders leave out the text of a message whose reference marks a one-time code)."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from config.errors import TooMany, ValidationFailed
from demands.citizen_messages import ONE_TIME_CODE_REFERENCE, sender
from demands.models import PhoneCode
from demands.phones import mobile_number, phone_hash

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=10)
MAX_FAILED_CHECKS = 5  # the fifth wrong try ends the code
CODES_PER_PHONE = 3  # in any hour: a phone cannot be flooded with texts, nor its codes guessed at
PHONE_WINDOW = timedelta(hours=1)
KEPT_FOR = timedelta(days=1)  # then rows of old codes are deleted: they count for nothing more
# How long a checked code opens the phone's demands in that browser session.
ACCESS_LIFETIME = timedelta(minutes=30)

CODE_TEXT = gettext_noop(
    "您的查询验证码为%(code)s，%(minutes)s分钟内有效。如非本人操作请忽略；工作人员不会向您索要验证码。"
)
NOT_A_MOBILE = gettext_noop("请填写11位手机号码。座机收不到短信验证码，请凭受理编号和查询码查询，或拨打12345热线。")


def _code_hash(key: str, code: str) -> str:
    # Keyed: six digits hashed plainly would be read back from a copy of the table in a second.
    return hmac.new(settings.SECRET_KEY.encode(), f"code:{key}:{code}".encode(), hashlib.sha256).hexdigest()


def phone_code_send(*, phone: str, now: datetime | None = None) -> PhoneCode:
    """Text a new one-time code to a mobile phone, whether or not it has demands. The newest code
    is the only good one. Refuses a number that cannot take a text, a phone sent
    CODES_PER_PHONE codes in the last hour, and reports a gateway that failed (the code is then
    void); none of these depends on the phone's demands."""
    moment = now or timezone.now()
    mobile = mobile_number(phone)
    if mobile is None:
        raise ValidationFailed(_(NOT_A_MOBILE), extra={"fields": {"phone": _(NOT_A_MOBILE)}})
    key = phone_hash(mobile)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    with transaction.atomic():
        PhoneCode.objects.filter(created_at__lt=moment - KEPT_FOR).delete()
        earlier = PhoneCode.objects.select_for_update().filter(phone_hash=key, created_at__gt=moment - PHONE_WINDOW)
        # The lock makes two requests at once for the same phone count one after the other.
        if len(earlier) >= CODES_PER_PHONE:
            raise TooMany(_("这个号码的验证码请求过于频繁，请一小时后再试；急事请拨打12345热线。"))
        earlier.filter(expires_at__gt=moment).update(expires_at=moment)
        row = PhoneCode.objects.create(
            phone_hash=key, code_hash=_code_hash(key, code), created_at=moment, expires_at=moment + CODE_LIFETIME
        )
    text = _(CODE_TEXT) % {"code": code, "minutes": int(CODE_LIFETIME.total_seconds() // 60)}
    try:
        # The gateway is called after the commit: no row lock is held across the network.
        sender().send(
            mobile, f"{settings.CITIZEN_MESSAGE_SIGNATURE}{text}", reference=f"{ONE_TIME_CODE_REFERENCE}{row.pk}"
        )
    except Exception as failure:  # gateway, network or configuration: the citizen may try again
        PhoneCode.objects.filter(pk=row.pk).update(expires_at=moment)
        logger.warning("One-time code %s not sent: %s", row.pk, type(failure).__name__)
        raise ValidationFailed(_("验证码短信发送失败，请稍后再试；急事请拨打12345热线。")) from None
    return row


def phone_code_check(*, phone: str, code: str, now: datetime | None = None) -> str | None:
    """The mobile number, if `code` is the newest code texted to it, not expired, not used and not
    tried wrongly MAX_FAILED_CHECKS times; else None (the caller says the same whatever was wrong).
    A right code is used up; a wrong one counts against the code."""
    moment = now or timezone.now()
    mobile = mobile_number(phone)
    given = "".join(code.split())
    if mobile is None or not given:
        return None
    key = phone_hash(mobile)
    with transaction.atomic():
        row = (
            PhoneCode.objects.select_for_update()
            .filter(phone_hash=key, used_at__isnull=True, expires_at__gt=moment, failed_checks__lt=MAX_FAILED_CHECKS)
            .order_by("-created_at", "-pk")
            .first()
        )
        if row is None:
            return None
        if not hmac.compare_digest(row.code_hash, _code_hash(key, given)):
            PhoneCode.objects.filter(pk=row.pk).update(failed_checks=F("failed_checks") + 1)
            return None
        PhoneCode.objects.filter(pk=row.pk).update(used_at=moment)
    return mobile
