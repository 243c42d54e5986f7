"""`Idempotency-Key` on the API's creates: a client that sends a create again with the same key
(after a timeout, a dropped connection) gets the first answer again and nothing is created twice.

The same key with another body is refused (422); while the first request with a key is still
being handled, a retry is told so (409) rather than run beside it. Keys are per client (a source
system, a signed-in user, or else the address) and kept IDEMPOTENCY_KEY_HOURS; a server error
keeps nothing, so the retry runs afresh. The first request claims its key by inserting the
record in a transaction of its own, so two at once cannot both run: the unique (client, key)
lets one in."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.response import Response

from config.throttle import client_address
from demands.models import SourceSystem
from dispatch.models import IdempotencyRecord

HEADER = "Idempotency-Key"
KEY_MAX_LENGTH = 255
# A first request still "in progress" after this long died without an answer (a killed worker):
# its key is free again.
ABANDONED_AFTER = timedelta(minutes=5)


class _Replay(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


def _refusal(status: int, code: str, detail: str) -> _Replay:
    return _Replay(Response({"code": code, "detail": detail}, status=status))


def client_of(request) -> str:
    if isinstance(request.auth, SourceSystem):
        return f"system:{request.auth.pk}"
    if request.user is not None and request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"address:{client_address(request._request)}"


def fingerprint(request) -> str:
    """The request as parsed (path and fields; a file by its name, size and content hash): the
    same body sent as JSON again, or with its keys in another order, is the same request."""

    def plain(value: Any) -> Any:
        if isinstance(value, UploadedFile):
            digest = hashlib.sha256()
            for chunk in value.chunks():
                digest.update(chunk)
            value.seek(0)
            return {"file": value.name, "size": value.size, "sha256": digest.hexdigest()}
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        return value

    data = request.data
    body = {key: plain(data.getlist(key)) for key in data} if hasattr(data, "getlist") else plain(data)
    text = json.dumps([request.path, body], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _claim(client: str, key: str, request_hash: str) -> IdempotencyRecord:
    """The new record for the key, or raise the answer a retry gets."""
    now = timezone.now()
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    client=client, key=key, request_hash=request_hash, created_at=now
                )
        except IntegrityError:
            pass
        earlier = IdempotencyRecord.objects.filter(client=client, key=key).first()
        if earlier is None:
            continue  # let go between the insert and the read: try again
        expired = earlier.created_at < now - timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
        abandoned = earlier.status_code is None and earlier.created_at < now - ABANDONED_AFTER
        if expired or abandoned:
            IdempotencyRecord.objects.filter(pk=earlier.pk, created_at=earlier.created_at).delete()
            continue
        if earlier.request_hash != request_hash:
            raise _refusal(
                422, "idempotency_key_reused", _("该 Idempotency-Key 已用于另一个请求；新的请求请换一个新的键。")
            )
        if earlier.status_code is None:
            raise _refusal(
                409, "idempotency_key_in_progress", _("使用该 Idempotency-Key 的请求仍在处理中，请稍后重试。")
            )
        replay = Response(json.loads(earlier.response_body or "null"), status=earlier.status_code)
        replay["Idempotent-Replayed"] = "true"
        raise _Replay(replay)
    raise _refusal(409, "idempotency_key_in_progress", _("使用该 Idempotency-Key 的请求仍在处理中，请稍后重试。"))


class IdempotentCreate:
    """For API views whose POST creates: a POST with an Idempotency-Key is answered once."""

    _idempotency: IdempotencyRecord | None = None
    idempotent_creates = True  # read by config.api_schema: the header is in the schema

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        key = request.headers.get(HEADER, "")
        if request.method != "POST" or not key:
            return
        if len(key) > KEY_MAX_LENGTH or not key.isprintable() or not key.strip():
            raise _refusal(400, "invalid", _("Idempotency-Key 须为1到255个可见字符。"))
        self._idempotency = _claim(client_of(request), key, fingerprint(request))

    def handle_exception(self, exc):
        if isinstance(exc, _Replay):
            return exc.response
        try:
            return super().handle_exception(exc)  # type: ignore[misc]
        except Exception:
            self._let_go()
            raise

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        record, self._idempotency = self._idempotency, None
        if record is None:
            return response
        if response.status_code >= 500 or response.status_code == 429:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
        else:
            IdempotencyRecord.objects.filter(pk=record.pk).update(
                status_code=response.status_code,
                response_body=json.dumps(getattr(response, "data", None), ensure_ascii=False, cls=DjangoJSONEncoder),
            )
        return response

    def _let_go(self) -> None:
        record, self._idempotency = self._idempotency, None
        if record is not None:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
