"""What the platform tells browsers: a Content-Security-Policy that runs no inline script, and
`no-store` on every page, file and API answer (they carry citizens' details and cases), while the
static files stay cacheable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from rest_framework.test import APIClient

from demands.models import Demand
from tests.citizens import FORM
from tests.staff import logged_in
from tests.uploads import PNG

TEMPLATES = Path(settings.BASE_DIR) / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part}


@pytest.fixture
def submitted(district, django_capture_on_commit_callbacks) -> tuple[Client, Demand]:
    citizen = Client()
    photo = SimpleUploadedFile("site.png", PNG, content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True):
        citizen.post("/", {**FORM, "attachments": photo}, follow=True)
    return citizen, Demand.objects.get()


def test_no_template_has_an_inline_script_or_event_handler():
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not INLINE_SCRIPT.search(text), template
        assert not INLINE_HANDLER.search(text), template


def test_pages_run_only_the_sites_own_scripts(district):
    for response in (Client().get("/"), logged_in(district.users["dispatcher"]).get("/desk/")):
        directives = _directives(response)
        assert directives["script-src"] == ["'self'"]
        assert directives["style-src"] == ["'self'"]
        assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]
        assert not INLINE_SCRIPT.search(response.content.decode())


def test_the_admin_works_under_the_policy(district, admin_client):
    page = admin_client.get("/admin/auth/user/add/")
    assert page.status_code == 200
    assert _directives(page)["script-src"] == ["'self'"]
    assert not INLINE_SCRIPT.search(page.content.decode())


def test_the_api_docs_load_their_script_from_the_site_and_only_they_allow_inline_styles(db):
    page = Client().get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert not INLINE_SCRIPT.search(html)
    directives = _directives(page)
    assert directives["script-src"] == ["'self'"] and "'unsafe-inline'" in directives["style-src"]
    script = Client().get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_pages_files_and_api_answers_with_personal_data_are_not_stored(district, submitted):
    citizen, demand = submitted
    attachment = demand.attachments.get()
    api = APIClient()
    api.force_authenticate(district.users["dispatcher"])
    dispatcher = logged_in(district.users["dispatcher"])
    auditor = logged_in(district.users["auditor"])
    answers = {
        "tracking page": citizen.get(f"/track/{demand.tracking_number}/"),
        "citizen attachment": citizen.get(f"/track/{demand.tracking_number}/attachments/{attachment.pk}/"),
        "desk case": dispatcher.get(f"/desk/demands/{demand.tracking_number}/"),
        "staff attachment": dispatcher.get(f"/attachments/{attachment.pk}/"),
        "export": auditor.get("/audit/export/demands.csv"),
        "api case": api.get(f"/api/v1/demands/{demand.tracking_number}/"),
        "submit form": Client().get("/"),
    }
    for name, response in answers.items():
        assert response.status_code == 200, name
        assert "no-store" in response["Cache-Control"], name


@override_settings(
    MIDDLEWARE=[settings.MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *settings.MIDDLEWARE[1:]],
    WHITENOISE_USE_FINDERS=True,
    WHITENOISE_AUTOREFRESH=True,
)
def test_static_files_stay_cacheable(db):
    # As production serves them: WhiteNoise answers before the no-store middleware.
    response = Client().get("/static/js/poll.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "max-age" in response["Cache-Control"]
