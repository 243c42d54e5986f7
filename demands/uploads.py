"""What an uploaded file really is. The browser's content type and the file name are the sender's
claims; the stored type comes from the bytes, read by the libraries that open those formats, so a
file is kept (and later served) only as a type it actually parses as."""

from __future__ import annotations

import logging
import struct
from dataclasses import dataclass

from django.core.files import File
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError

PDF = "application/pdf"
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
IMAGE_TYPES = frozenset(IMAGE_FORMATS.values())

# What a browser's HTML sniffer looks for near the start of a file. A PDF carrying any of them
# in its head is a polyglot made to be rendered as a page, not a letter a citizen scanned.
HTML_MARKERS = (b"<!doctype", b"<html", b"<head", b"<body", b"<script", b"<iframe", b"<svg", b"<img", b"<a ")
HEAD_BYTES = 1024

# pypdf reports every repair it makes to a damaged file as a warning; the verdict is what counts.
logging.getLogger("pypdf").setLevel(logging.ERROR)


@dataclass(frozen=True)
class Detected:
    content_type: str | None  # one of the accepted types, or None when refused
    reason: str = ""  # why it was refused, for the person who sent it


def detect_type(upload: File) -> Detected:
    """The accepted type (JPEG, PNG, WEBP or PDF) the file's bytes parse as, or the reason it is
    none of them. Leaves the file at its start."""
    try:
        upload.seek(0)
        head = upload.read(HEAD_BYTES)
        upload.seek(0)
        if head.startswith(b"%PDF-"):
            return _pdf(upload, head)
        return _image(upload)
    finally:
        upload.seek(0)


def _pdf(upload: File, head: bytes) -> Detected:
    lowered = head.lower()
    if any(marker in lowered for marker in HTML_MARKERS):
        return Detected(None, _("文件开头含有网页代码，不是正常的 PDF。"))
    try:
        pages = len(PdfReader(upload, strict=False).pages)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError):
        # pypdf meets damaged files with many kinds of error; each means the same to the sender.
        pages = 0
    if pages < 1:
        return Detected(None, _("PDF 文件已损坏或没有页面，无法打开。"))
    return Detected(PDF)


def _image(upload: File) -> Detected:
    try:
        with Image.open(upload) as image:
            kind = IMAGE_FORMATS.get(image.format or "")
            if kind is None:
                return Detected(None, _("只接受 JPG、PNG、WEBP 图片或 PDF。"))
            # verify() reads the whole file's structure (checksums, chunk order) without decoding it.
            image.verify()
    except UnidentifiedImageError:
        return Detected(None, _("只接受 JPG、PNG、WEBP 图片或 PDF。"))
    except Image.DecompressionBombError:
        return Detected(None, _("图片尺寸过大。"))
    except (OSError, SyntaxError, ValueError, struct.error, EOFError):  # Pillow's ways of saying damaged
        return Detected(None, _("图片文件已损坏，无法打开。"))
    return Detected(kind)
