"""Values too long or too large for their columns are refused with a clear reason, not written.

SQLite stores any length, so these would pass locally and fail on PostgreSQL (CI runs them on
both): each input below is refused before the database sees it, or fits the column."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from config.errors import ValidationFailed
from demands.models import DemandEvent
from responsibility_lists.list_io import create_draft_from_rows, write_csv
from responsibility_lists.models import ImportJob, ListVersion
from tests.list_rows import row
from tests.staff import logged_in


@pytest.fixture
def maintainer(district):
    return logged_in(district.users["maintainer"])


def test_a_list_row_too_long_or_a_limit_too_large_is_a_row_error(district):
    before = ListVersion.objects.count()
    rows = [
        row(大类="城" * 101),
        row(事项编码="PS-0101-010", 事项名称="名" * 201),
        row(事项编码="PS-0101-011", 办理时限="10000/5000/1"),
    ]
    with pytest.raises(ValidationFailed) as error:
        create_draft_from_rows(rows, title="太长")
    messages = error.value.extra["rows"]
    assert "第2行：「大类」不能超过100个字" in messages[0]
    assert "第3行：「事项名称」不能超过200个字" in messages[1]
    assert "第4行：办理时限" in messages[2] and "须小于10000" in messages[2]
    assert ListVersion.objects.count() == before


def test_an_import_that_fails_unexpectedly_is_marked_failed(
    district, maintainer, django_capture_on_commit_callbacks, monkeypatch
):
    from responsibility_lists import services

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_import_rows", broken)
    text = io.StringIO()
    write_csv([row()], text)
    upload = SimpleUploadedFile("清单.csv", text.getvalue().encode("utf-8"), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        maintainer.post("/list/import/", {"file": upload, "title": "导入"})
    job = ImportJob.objects.get()
    assert job.status == "failed" and job.finished_at is not None
    assert "导入出错，未创建草稿" in maintainer.get(f"/list/import/{job.pk}/").content.decode()


def test_drafts_of_drafts_are_marked_once_and_fit_their_title(district):
    from responsibility_lists.services import version_create_draft

    maintainer_user = district.users["maintainer"]
    long = version_create_draft(actor=maintainer_user, based_on_id=district.version.pk, title="清" * 200)
    first = version_create_draft(actor=maintainer_user, based_on_id=long.pk)
    second = version_create_draft(actor=maintainer_user, based_on_id=first.pk)
    assert first.title == "清" * 194 + "（修订草稿）"
    assert second.title == first.title


def test_a_long_username_fits_the_event_record(district):
    from django.contrib.auth.models import User

    from demands.services import demand_submit, demand_transition
    from demands.workflow import Action

    longest = User._meta.get_field("username").max_length
    assert DemandEvent._meta.get_field("actor_label").max_length >= longest
    user = User.objects.create_user(username="u" * longest)
    demand = demand_submit(title="想咨询一件事", content="问一下孩子户口的事情应该去哪里办理", citizen_name="周九",
                           citizen_phone="13500000000").demand  # fmt: skip
    demand_transition(demand_id=demand.pk, action=Action.SEND_TO_TRIAGE, actor=user)
    assert demand.events.get(action=Action.SEND_TO_TRIAGE).actor_label == user.username


def test_a_history_label_too_long_for_a_department_name_is_a_row_error(district):
    from routing.history import HistoryColumns, history_import

    rows = [{"content": "路边摊贩占道经营", "department": "局" * 129}]
    with pytest.raises(ValidationFailed) as error:
        history_import(rows, HistoryColumns(), create_missing_departments=True)
    assert "超过128个字" in error.value.extra["rows"][0]


def test_an_amendment_limit_too_large_is_refused(district):
    from responsibility_lists.amendments import amendment_file
    from responsibility_lists.models import AmendmentKind

    with pytest.raises(ValidationFailed, match="新时限须小于10000"):
        amendment_file(
            actor=district.users["dispatcher"], version_id=district.version.pk, matter_code="PS-0101-001",
            kind=AmendmentKind.CHANGE_LIMIT, limit_field="handle_days_normal", limit_value=Decimal("10000"),
            reason="办理时限写得太长了",
        )  # fmt: skip


def test_keyword_search_finds_keywords_not_the_json_around_them(district, maintainer):
    matter = district.version.matters.exclude(keywords=[]).order_by("code").first()
    keyword = matter.keywords[0]
    page = maintainer.get(f"/list/v{district.version.number}/", {"q": keyword}).content.decode()
    assert matter.code in page
    every = district.version.matters.count()
    page = maintainer.get(f"/list/v{district.version.number}/", {"q": '", "'}).content.decode()
    assert sum(m.code in page for m in district.version.matters.all()) < every
