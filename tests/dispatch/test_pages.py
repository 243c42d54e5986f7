"""What every reader's pages share: the language chosen (not guessed) and the switch, the error pages,
the admin that lists every model and changes no answer, the API docs and the favicon."""

from __future__ import annotations

import pytest
from django.test import Client

from dispatch.models import Assignment
from tests.staff import logged_in


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_missing_and_forbidden_pages_speak_the_readers_language(district, settings, language):
    settings.DEBUG = False
    client = logged_in(district.users["auditor"])
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    missing = client.get("/no-such-page/")
    forbidden = client.get("/desk/")
    assert (missing.status_code, forbidden.status_code) == (404, 403)
    words = {
        "zh-hans": ("找不到这个页面", "您没有查看这个页面的权限"),
        "en": ("Page not found", "You may not open this page"),
    }
    assert words[language][0] in missing.content.decode()
    assert words[language][1] in forbidden.content.decode() and "auditor" in forbidden.content.decode()


def test_the_error_page_renders_without_a_request():
    from django.template.loader import render_to_string

    # Django renders 500.html with no request and no context processors: it must stand alone.
    page = render_to_string("500.html")
    assert "系统暂时出错" in page and "12345" in page


def test_english_switch(district):
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert client.get("/").status_code == 200


def test_language_is_chosen_not_guessed(district):
    client = Client()
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page["Content-Language"] == "zh-hans"
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert client.get("/")["Content-Language"] == "en"


def test_admin_lists_every_model(district, admin_client):
    from django.apps import apps
    from django.contrib import admin

    for app in ("departments", "responsibility_lists", "demands", "dispatch"):
        for model in apps.get_app_config(app).get_models():
            assert admin.site.is_registered(model), model
            url = f"/admin/{app}/{model._meta.model_name}/"
            assert admin_client.get(url).status_code == 200, url


def test_admin_shows_answers_and_attachments_but_never_changes_them(district, submit, admin_client):
    from demands.models import Reply
    from dispatch.services import assignment_contribute

    demand = submit().demand
    assist = Assignment.objects.get(demand=demand, role="assist")
    assignment_contribute(assignment_id=assist.pk, actor=district.users["shj"], body="已对工地夜间施工噪声监测，超标。")
    reply = Reply.objects.get(demand=demand)
    page = admin_client.get(f"/admin/demands/reply/{reply.pk}/change/")
    assert page.status_code == 200 and "已对工地夜间施工噪声监测" in page.content.decode()
    # Flipping is_contribution would show the citizen a department's internal part as the answer.
    admin_client.post(f"/admin/demands/reply/{reply.pk}/change/", {"is_contribution": ""})
    assert admin_client.post(f"/admin/demands/reply/{reply.pk}/delete/", {"post": "yes"}).status_code == 403
    reply.refresh_from_db()
    assert reply.is_contribution
    assert admin_client.get("/admin/demands/attachment/add/").status_code == 403


def test_api_docs_speak_the_readers_language(db):
    client = Client()
    chinese = client.get("/api/schema/?format=json").json()["info"]
    assert chinese["title"] == "坪山区民生诉求服务平台 API" and "分拨" in chinese["description"]
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/api/schema/?format=json").json()["info"]
    assert english["title"] == "Pingshan District Public Request Service Platform API"
    assert english["description"].startswith("Submit and follow citizens' requests")


def test_the_browsers_favicon_request_finds_the_icon(db):
    answer = Client().get("/favicon.ico")
    assert answer.status_code == 301 and answer["Location"].endswith("/img/favicon.svg")
