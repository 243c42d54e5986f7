"""An appeal's evidence (证明材料): taken by the page and the API alike, with the checks a citizen's
attachment gets (its bytes decide its type, its size is bounded), and downloadable by whoever sees
the appeal, so the auditor rules with it in hand."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from assessment.appeals import appeal_window, period_of
from assessment.models import Appeal
from demands.services import demand_submit
from departments.models import Role
from dispatch.services import demand_route
from tests.citizens import STALL
from tests.factories import make_user
from tests.staff import logged_in, open_lead
from tests.uploads import PDF, PDF_HTML_POLYGLOT, PNG

REASON = "该摊点位于物业管理区域内，不属本局职责范围。"


@pytest.fixture
def case(district):
    """A stall demand the city management bureau (CGJ) got today."""
    demand = demand_submit(**STALL, citizen_name="甲", citizen_phone="13800000000").demand
    demand_route(demand_id=demand.pk)
    return open_lead(demand)


@pytest.fixture
def head(district):
    return make_user("cgj_head", Role.HEAD, district.departments["CGJ"])


@pytest.fixture(autouse=True)
def in_the_window(case):
    opens, _closes = appeal_window(period_of(case))
    with mock.patch("django.utils.timezone.now", return_value=opens + timedelta(hours=1)):
        yield


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def submit(client: APIClient, case, evidence: SimpleUploadedFile | None = None):
    body: dict[str, object] = {"assignment_id": case.pk, "reason": REASON}
    if evidence is not None:
        body["evidence"] = evidence
    return client.post(reverse("api-appeal-submit"), body, format="multipart")


def test_the_api_takes_evidence_and_the_auditor_downloads_it_as_what_it_is(district, case, head):
    made = submit(api_as(head), case, SimpleUploadedFile("permit.pdf", PDF, content_type="application/pdf"))
    assert made.status_code == 201, made.json()
    url = made.json()["evidence_url"]
    assert url == reverse("appeal-evidence", args=[made.json()["id"]])

    download = logged_in(district.users["auditor"]).get(url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF
    # The appeal list in the API and on the page lead to it as well.
    listed = api_as(district.users["auditor"]).get(reverse("api-appeals")).json()
    assert [row["evidence_url"] for row in listed["results"]] == [url]
    assert f'href="{url}"' in logged_in(district.users["auditor"]).get(reverse("appeals")).content.decode()


def test_an_appeal_without_evidence_has_none_to_download(district, case, head):
    made = submit(api_as(head), case)
    assert made.status_code == 201 and made.json()["evidence_url"] is None
    missing = logged_in(district.users["auditor"]).get(reverse("appeal-evidence", args=[made.json()["id"]]))
    assert missing.status_code == 404


def test_only_those_who_see_the_appeal_download_its_evidence(district, case, head):
    made = submit(api_as(head), case, SimpleUploadedFile("site.png", PNG, content_type="image/png"))
    url = made.json()["evidence_url"]
    assert logged_in(head).get(url).status_code == 200
    other_head = make_user("zjj_head", Role.HEAD, district.departments["ZJJ"])
    assert logged_in(other_head).get(url).status_code == 404
    assert logged_in(district.users["cgj"]).get(url).status_code == 403


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("letter.pdf", PDF_HTML_POLYGLOT, "文件开头含有网页代码，不是正常的 PDF。"),
        ("notes.txt", "不属本局职责".encode(), "只接受 JPG、PNG、WEBP 图片或 PDF。"),
    ],
)
def test_the_api_refuses_evidence_that_is_not_an_accepted_file_with_the_reason(
    district, case, head, name, content, reason
):
    refused = submit(api_as(head), case, SimpleUploadedFile(name, content, content_type="application/pdf"))
    assert refused.status_code == 400
    assert refused.json()["fields"]["evidence"] == f"附件「{name}」无法接受：{reason}"
    assert Appeal.objects.count() == 0


def test_the_api_refuses_evidence_over_the_size_limit(district, case, head, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("scan.png", PNG + b"\x00" * (1024 * 1024), content_type="image/png")
    refused = submit(api_as(head), case, big)
    assert refused.status_code == 400
    assert refused.json()["fields"]["evidence"] == "附件「scan.png」超过 1 MB。"
    assert Appeal.objects.count() == 0


def test_evidence_dropped_while_the_request_was_read_refuses_the_appeal(district, case, head, settings):
    # Past the request's total, the upload handler drops the file before any view sees it: the
    # appeal is refused with that reason rather than taken without its evidence.
    settings.ATTACHMENTS_TOTAL_MAX_BYTES = 1024 * 1024
    big = PNG + b"\x00" * (1100 * 1024)
    refused = submit(api_as(head), case, SimpleUploadedFile("scan.png", big, content_type="image/png"))
    assert refused.status_code == 400
    assert refused.json()["fields"]["evidence"] == "附件合计不能超过 1 MB。"

    page = logged_in(head)
    shown = page.post(
        reverse("appeal-new"),
        {"assignment": case.pk, "reason": REASON, "evidence": SimpleUploadedFile("scan.png", big)},
        follow=True,
    )
    assert "附件合计不能超过 1 MB。" in shown.content.decode()
    assert Appeal.objects.count() == 0


def test_the_page_refuses_a_file_that_is_not_an_accepted_type_and_keeps_a_good_one(district, case, head):
    page = logged_in(head)
    refused = page.post(
        reverse("appeal-new"),
        {"assignment": case.pk, "reason": REASON, "evidence": SimpleUploadedFile("letter.pdf", PDF_HTML_POLYGLOT)},
        follow=True,
    )
    assert "文件开头含有网页代码，不是正常的 PDF。" in refused.content.decode()
    assert Appeal.objects.count() == 0

    page.post(
        reverse("appeal-new"),
        {"assignment": case.pk, "reason": REASON, "evidence": SimpleUploadedFile("site.png", PNG)},
    )
    appeal = Appeal.objects.get()
    download = page.get(reverse("appeal-evidence", args=[appeal.pk]))
    assert download["Content-Type"] == "image/png" and b"".join(download.streaming_content) == PNG
