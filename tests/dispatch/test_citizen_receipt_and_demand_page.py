"""The receipt says when to expect an answer; the demand page shows the place the citizen gave and
their photos, to them only."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from dispatch.services.deadlines import deadlines_for
from tests.citizens import post_demand
from tests.uploads import PDF, PNG


def test_the_receipt_gives_the_matters_time_limit_once_routed(district, django_capture_on_commit_callbacks):
    citizen = Client()
    demand = post_demand(citizen, django_capture_on_commit_callbacks)
    assert demand.matter is not None and demand.due_at is not None  # routed at once (eager)
    page = citizen.get("/submitted/").content.decode()
    expected = page.split('id="answer-expected"')[1].split("</p>")[0]
    assert timezone.localtime(demand.due_at).strftime("%Y-%m-%d %H:%M") in expected
    assert demand.matter.name in expected and "10 个工作日" in expected


def test_before_a_department_has_it_the_receipt_forecasts_the_default_limit(
    district, django_capture_on_commit_callbacks, settings
):
    settings.DEFAULT_HANDLING_DAYS = 7
    citizen = Client()
    demand = post_demand(
        citizen, django_capture_on_commit_callbacks, title="想咨询一件事", content="想咨询一件事情怎么办理"
    )
    assert demand.due_at is None  # with a person in triage
    page = citizen.get("/submitted/").content.decode()
    expected = page.split('id="answer-expected"')[1].split("</p>")[0]
    forecast = deadlines_for(start=demand.submitted_at, matter=None, urgency=demand.urgency).handle
    assert "一般在 7 个工作日内答复" in expected
    assert timezone.localtime(forecast).strftime("%Y-%m-%d %H:%M") in expected


def test_the_demand_page_shows_the_place_and_the_photos_to_the_citizen_only(
    district, django_capture_on_commit_callbacks
):
    citizen = Client()
    photo = SimpleUploadedFile("site.png", PNG, content_type="image/png")
    # The browser's claim of a type is not what the file is served as.
    claimed_html = SimpleUploadedFile("page.png", PNG, content_type="text/html")
    letter = SimpleUploadedFile("letter.pdf", PDF, content_type="application/pdf")
    demand = post_demand(
        citizen,
        django_capture_on_commit_callbacks,
        community=str(district.communities["六和社区"].pk),
        attachments=[photo, claimed_html, letter],
    )
    page = citizen.get(f"/track/{demand.tracking_number}/").content.decode()
    place = page.split('id="place"')[1].split("</dd>")[0]
    assert "坪山街道六和城" in place and "六和社区" in place
    by_name = {a.original_name: a for a in demand.attachments.all()}
    photo_url = f"/track/{demand.tracking_number}/attachments/{by_name['site.png'].pk}/"
    pdf_url = f"/track/{demand.tracking_number}/attachments/{by_name['letter.pdf'].pk}/"
    assert f'<img src="{photo_url}" alt="site.png"' in page
    assert f'<img src="{pdf_url}"' not in page and f'href="{pdf_url}"' in page

    shown = citizen.get(photo_url)
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    assert "attachment" not in shown.get("Content-Disposition", "")
    assert b"".join(shown.streaming_content) == PNG
    sniffed = citizen.get(f"/track/{demand.tracking_number}/attachments/{by_name['page.png'].pk}/")
    assert sniffed["Content-Type"] == "image/png"
    downloaded = citizen.get(pdf_url)
    assert downloaded["Content-Type"] == "application/pdf" and downloaded["Content-Disposition"].startswith(
        "attachment"
    )

    # Nobody else: not a stranger, not another citizen's demand's number.
    assert Client().get(photo_url).status_code == 404
    other = post_demand(Client(), django_capture_on_commit_callbacks, repeat="new")
    assert citizen.get(f"/track/{other.tracking_number}/attachments/{by_name['site.png'].pk}/").status_code == 404


def test_a_place_not_given_is_not_shown(district, django_capture_on_commit_callbacks):
    citizen = Client()
    demand = post_demand(citizen, django_capture_on_commit_callbacks, location_text="")
    page = citizen.get(f"/track/{demand.tracking_number}/").content.decode()
    assert 'id="place"' not in page and 'id="attachments"' not in page


def test_the_receipt_speaks_english(district, django_capture_on_commit_callbacks):
    citizen = Client()
    citizen.post("/i18n/setlang/", {"language": "en", "next": "/"})
    post_demand(citizen, django_capture_on_commit_callbacks)
    page = citizen.get("/submitted/").content.decode()
    assert "Expect an answer by <strong>" in page and "within 10 working days" in page
