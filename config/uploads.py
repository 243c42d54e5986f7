"""Limits on what one request may upload, applied while the body streams in.

Django reads a multipart body through its upload handlers before any view or form sees it, so
a form's check comes after the bytes are already in memory or on disk. The handler here runs
first: it counts a request's files and their bytes as they arrive, and drops every file past
either limit, so an oversized submission is never stored. It leaves the reason on the request
(`upload_refusal`), and the form that asked for the files shows it."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest
from django.utils.translation import gettext as _


def too_many_files_message() -> str:
    return _("一次最多上传 %(count)s 个附件。") % {"count": settings.ATTACHMENTS_PER_SUBMISSION}


def too_large_message() -> str:
    return _("附件合计不能超过 %(mb)s MB。") % {"mb": megabytes(settings.ATTACHMENTS_TOTAL_MAX_BYTES)}


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


def request_max_bytes() -> int:
    """The largest body a request can have and still be within the limits: the files, the form
    fields Django will hold in memory, and room for the multipart headers of every part. A
    longer Content-Length is refused before its body is read (config.middleware)."""
    return settings.ATTACHMENTS_TOTAL_MAX_BYTES + (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) + 1024 * 1024


def upload_refusal(request: HttpRequest) -> str:
    """Why files of this request were dropped while it was read ("" when none were)."""
    return getattr(request, "upload_refusal", "")


class UploadLimitHandler(FileUploadHandler):
    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.files = 0
        self.bytes = 0

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.files += 1
        if self.files > settings.ATTACHMENTS_PER_SUBMISSION:
            self._refuse(too_many_files_message())
        if self.bytes > settings.ATTACHMENTS_TOTAL_MAX_BYTES:
            self._refuse(too_large_message())

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.bytes += len(raw_data)
        if self.bytes > settings.ATTACHMENTS_TOTAL_MAX_BYTES:
            self._refuse(too_large_message())
        return raw_data  # the next handler (memory or temporary file) keeps it

    def file_complete(self, file_size: int) -> None:
        return None

    def _refuse(self, message: str) -> None:
        # The first reason stands: once over the size, the later files are refused for it too.
        if self.request is not None and not upload_refusal(self.request):
            self.request.upload_refusal = message  # type: ignore[attr-defined]
        raise SkipFile
