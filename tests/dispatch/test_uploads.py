"""Attachments: how many and how much one submission may carry, and what a file is stored and
served as (what its bytes are, never what the sender's browser claimed)."""

from __future__ import annotations

import html

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from demands.models import Attachment, Demand
from tests.citizens import FORM
from tests.staff import logged_in
from tests.uploads import JPEG, PDF, PDF_HTML_POLYGLOT, PNG, WEBP, image_bytes

INTAKE = {**FORM, "channel": "hotline"}


def _files(count: int, content: bytes = PNG, name: str = "photo{}.png", kind: str = "image/png"):
    return [SimpleUploadedFile(name.format(i), content, content_type=kind) for i in range(count)]


def _page(response) -> str:
    return html.unescape(response.content.decode())


def test_the_citizen_form_takes_five_files_and_refuses_a_sixth(district, django_capture_on_commit_callbacks):
    refused = Client().post("/", {**FORM, "attachments": _files(6)})
    assert refused.status_code == 200
    assert "一次最多上传 5 个附件。" in _page(refused)
    assert Demand.objects.count() == 0 and Attachment.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        accepted = Client().post("/", {**FORM, "attachments": _files(5)})
    assert accepted.status_code == 302
    assert Demand.objects.get().attachments.count() == 5


def test_files_past_the_total_size_are_dropped_while_the_request_is_read(district, settings):
    settings.ATTACHMENTS_TOTAL_MAX_BYTES = 1024 * 1024
    big = PNG + b"\x00" * (400 * 1024)
    refused = Client().post("/", {**FORM, "attachments": _files(3, big)})
    assert "附件合计不能超过 1 MB。" in _page(refused)
    assert Demand.objects.count() == 0 and Attachment.objects.count() == 0


def test_a_body_longer_than_the_limits_allow_is_refused_unread(district):
    # The client says 119 MB are coming; the answer comes before a byte of it is read.
    response = Client().post("/", FORM, CONTENT_LENGTH=str(119 * 1024 * 1024))
    assert response.status_code == 413
    assert "附件合计不能超过 20 MB" in _page(response)
    api = Client().post("/api/v1/citizen/demands/", {}, CONTENT_LENGTH=str(119 * 1024 * 1024))
    assert api.status_code == 413 and "20 MB" in api.json()["detail"]
    assert Demand.objects.count() == 0


def test_many_file_parts_to_the_api_are_a_bad_request(district):
    response = Client().post(
        "/api/v1/citizen/demands/",
        {**{k: v for k, v in FORM.items() if k != "consent"}, "attachments": _files(20)},
    )
    assert response.status_code == 400
    assert Demand.objects.count() == 0


def test_a_pdf_that_is_a_web_page_is_refused_with_the_reason(district):
    polyglot = SimpleUploadedFile("letter.pdf", PDF_HTML_POLYGLOT, content_type="text/html")
    refused = Client().post("/", {**FORM, "attachments": [polyglot]})
    assert "附件「letter.pdf」无法接受：文件开头含有网页代码，不是正常的 PDF。" in _page(refused)
    assert Demand.objects.count() == 0


def test_files_that_only_start_like_an_accepted_type_are_refused(district):
    for name, content, reason in (
        ("cut.png", PNG[:20], "图片文件已损坏，无法打开。"),
        ("fake.pdf", b"%PDF-1.7\nnot really a document\n", "PDF 文件已损坏或没有页面，无法打开。"),
        ("page.png", b"<html><script>alert(1)</script></html>", "只接受 JPG、PNG、WEBP 图片或 PDF。"),
        ("anim.gif", image_bytes("GIF"), "只接受 JPG、PNG、WEBP 图片或 PDF。"),
    ):
        refused = Client().post("/", {**FORM, "attachments": [SimpleUploadedFile(name, content, "image/png")]})
        page = _page(refused)
        assert f"附件「{name}」无法接受：{reason}" in page, name
    assert Demand.objects.count() == 0


def test_the_stored_type_is_what_the_bytes_are(district, django_capture_on_commit_callbacks):
    claimed = [
        SimpleUploadedFile("a.png", JPEG, content_type="image/png"),
        SimpleUploadedFile("b.html", PNG, content_type="text/html"),
        SimpleUploadedFile("c.jpg", WEBP, content_type="image/jpeg"),
        SimpleUploadedFile("d.txt", PDF, content_type="text/html"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/", {**FORM, "attachments": claimed})
    stored = dict(Demand.objects.get().attachments.values_list("original_name", "content_type"))
    assert stored == {"a.png": "image/jpeg", "b.html": "image/png", "c.jpg": "image/webp", "d.txt": "application/pdf"}


def test_files_are_served_as_stored_with_nosniff_and_only_images_inline(district, django_capture_on_commit_callbacks):
    citizen = Client()
    files = [
        SimpleUploadedFile("photo.png", PNG, content_type="text/html"),
        SimpleUploadedFile("letter.pdf", PDF, content_type="text/html"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        citizen.post("/", {**FORM, "attachments": files})
    demand = Demand.objects.get()
    by_name = {a.original_name: a for a in demand.attachments.all()}
    staff = logged_in(district.users["dispatcher"])
    for name, kind in (("photo.png", "image/png"), ("letter.pdf", "application/pdf")):
        attachment = by_name[name]
        own = citizen.get(f"/track/{demand.tracking_number}/attachments/{attachment.pk}/")
        desk = staff.get(f"/attachments/{attachment.pk}/")
        for response in (own, desk):
            assert response.status_code == 200
            assert response["Content-Type"] == kind
            assert response["X-Content-Type-Options"] == "nosniff"
        assert own.get("Content-Disposition", "").startswith("attachment") == (kind == "application/pdf")
        assert desk["Content-Disposition"].startswith("attachment")


def test_a_row_stored_with_the_browsers_claim_is_served_as_bytes_to_save(district, submit):
    # Rows from before types were checked kept whatever the browser said.
    demand = submit().demand
    attachment = Attachment.objects.create(
        demand=demand,
        file=SimpleUploadedFile("page.pdf", PDF_HTML_POLYGLOT),
        original_name="page.pdf",
        content_type="text/html",
        size=len(PDF_HTML_POLYGLOT),
    )
    response = logged_in(district.users["dispatcher"]).get(f"/attachments/{attachment.pk}/")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_intake_form_has_the_same_limits(district):
    operator = logged_in(district.users["intake"])
    too_many = operator.post("/intake/", {**INTAKE, "attachments": _files(6)})
    assert "一次最多上传 5 个附件。" in _page(too_many)
    polyglot = SimpleUploadedFile("letter.pdf", PDF_HTML_POLYGLOT, content_type="application/pdf")
    refused = operator.post("/intake/", {**INTAKE, "attachments": [polyglot]})
    assert "文件开头含有网页代码" in _page(refused)
    assert Demand.objects.count() == 0


def test_the_form_says_the_limits_before_anything_is_sent(district):
    page = _page(Client().get("/"))
    assert "最多 5 个 JPG、PNG、WEBP 图片或 PDF，每个不超过 10 MB，合计不超过 20 MB。" in page
    assert 'data-max-files="5"' in page and f'data-max-bytes="{20 * 1024 * 1024}"' in page
