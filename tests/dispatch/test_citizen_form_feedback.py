"""The citizen form says what is wrong with each field in words, marks the field, and counts
what a limited field holds."""

from __future__ import annotations

import re

from django.test import Client

from demands.models import Demand
from tests.citizens import FORM


def _summary(page: str) -> str:
    return page.split('id="error-summary"')[1].split("</div>")[0]


def _tag(page: str, field_id: str) -> str:
    return re.search(rf"<(?:input|textarea|select)[^>]*\bid=\"{field_id}\"[^>]*>", page).group(0)


def test_each_missing_field_is_named_in_words(district):
    page = Client().post("/", {"consent": "on"}).content.decode()
    summary = _summary(page)
    for message in ("请填写标题。", "请填写诉求内容。", "请填写姓名。", "请填写联系电话。"):
        assert message in summary
    assert "该字段是必填项" not in page and "This field is required" not in page
    # Each line of the summary is the field's own sentence, not "标题：请填写标题。".
    assert "标题：" not in summary
    assert Demand.objects.count() == 0


def test_a_wrong_field_is_marked_and_its_message_described(district):
    page = Client().post("/", {**FORM, "title": "", "citizen_phone": "12ab"}).content.decode()
    title = _tag(page, "id_title")
    assert 'aria-invalid="true"' in title
    # The field points at its message, and the message is there under that id.
    described = re.search(r'aria-describedby="([^"]*)"', title).group(1).split()
    assert "id_title_error" in described and 'id="id_title_error"' in page
    assert 'aria-invalid="true"' in _tag(page, "id_citizen_phone")
    assert "aria-invalid" not in _tag(page, "id_content")  # a right field is left alone


def test_the_summary_takes_the_focus_and_limited_fields_get_a_counter(district):
    page = Client().post("/", {**FORM, "title": ""}).content.decode()
    assert 'id="error-summary"' in page and 'tabindex="-1"' in page
    assert "js/forms.js" in page
    title, content = _tag(page, "id_title"), _tag(page, "id_content")
    assert 'maxlength="200"' in title and "data-counter=" in title
    assert 'maxlength="10000"' in content and "data-counter=" in content


def test_the_messages_speak_english_too(district):
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    summary = _summary(client.post("/", {"consent": "on"}).content.decode())
    assert "Please enter a title." in summary and "Please describe your request." in summary
    assert "Please enter your phone number." in summary and "This field is required" not in summary
