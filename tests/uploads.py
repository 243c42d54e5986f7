"""Real files of each accepted type, made with the same libraries that check them."""

from __future__ import annotations

import io

from PIL import Image
from pypdf import PdfWriter


def image_bytes(kind: str = "PNG", size: tuple[int, int] = (4, 4)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, format=kind)
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG")
WEBP = image_bytes("WEBP")
PDF = pdf_bytes()
# Starts like a PDF, and is a web page to any browser that guesses the type from the bytes.
PDF_HTML_POLYGLOT = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n"
