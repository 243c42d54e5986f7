"""Past the retention period a closed demand's citizen goes (name, phone, address, attachments,
text-message bodies, phone codes) and the case stays for staff pages and figures; a dry run says
how much would go and changes nothing."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from demands.models import Attachment, CitizenMessage, Demand, PhoneCode
from demands.phone_access import phone_hash
from demands.services import demand_rate
from demands.workflow import Action, Status
from tests.citizens import STALL
from tests.staff import answered, logged_in
from tests.uploads import PNG

PHONE = "13812345678"


def _answered_and_rated(district, demand) -> Demand:
    answered(district, demand, by="cgj")
    return demand_rate(demand=demand, rating=4)


@pytest.fixture
def cases(district, submit):
    """An old closed demand with everything personal, a recently closed one and an open one."""
    old = submit(
        **STALL, citizen_name="王小明", citizen_phone=PHONE, citizen_address="坪山街道六和城3栋501",
        attachments=[SimpleUploadedFile("身份证.png", PNG, content_type="image/png")],
    ).demand  # fmt: skip
    old = _answered_and_rated(district, old)
    recent = _answered_and_rated(district, submit(**STALL, citizen_name="李四", citizen_phone="13900001111").demand)
    open_one = submit(citizen_name="赵五", citizen_phone="13700002222").demand
    long_ago = timezone.now() - timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS + 1)
    Demand.objects.filter(pk=old.pk).update(closed_at=long_ago)
    now = timezone.now()
    PhoneCode.objects.create(phone_hash=phone_hash(PHONE), code_hash="x", created_at=now, expires_at=now)
    return {"old": old, "recent": recent, "open": open_one}


def _command(*args: str) -> str:
    out = io.StringIO()
    call_command("anonymise_closed_demands", *args, stdout=out)
    return out.getvalue()


def test_a_dry_run_says_what_would_go_and_changes_nothing(cases):
    old = cases["old"]
    output = _command("--dry-run")
    assert "诉求 1 件" in output and "试运行" in output
    assert "附件（文件一并删除）: 1" in output and "手机验证码记录: 1" in output
    assert "短信正文: " in output and "短信正文: 0" not in output
    assert "王小明" not in output and PHONE not in output and "身份证" not in output
    old.refresh_from_db()
    assert old.citizen_name == "王小明" and old.anonymised_at is None
    assert Attachment.objects.filter(demand=old).exists() and PhoneCode.objects.exists()


def test_the_old_demand_loses_its_citizen_and_keeps_its_case(cases, district):
    old = cases["old"]
    stored = Attachment.objects.get(demand=old).file
    storage, name = stored.storage, stored.name
    assert storage.exists(name)
    with_commit = _command()
    assert "已匿名化 1 件诉求" in with_commit

    old.refresh_from_db()
    assert (old.citizen_name, old.citizen_phone, old.citizen_address) == ("", "", "")
    assert old.anonymised_at is not None and not old.wants_text_messages
    assert old.title == STALL["title"] and old.status == Status.CLOSED and old.rating == 4
    assert old.location_text and old.submitted_at and old.closed_at
    assert not Attachment.objects.filter(demand=old).exists()
    assert not CitizenMessage.objects.filter(demand=old).exclude(body="").exists()
    assert not PhoneCode.objects.exists()
    event = old.events.get(action=Action.ANONYMISE)
    assert not event.is_public and "王小明" not in str(event.data) and event.data["removed"]["attachments"] == 1

    for other in (cases["recent"], cases["open"]):
        other.refresh_from_db()
        assert other.citizen_name and other.anonymised_at is None
    assert _command("--dry-run").count("诉求 0 件") == 1  # done once, not again


def test_anonymised_demands_still_show_to_staff_and_in_the_figures(cases, district, django_capture_on_commit_callbacks):
    old = cases["old"]
    with django_capture_on_commit_callbacks(execute=True):
        _command()
    dispatcher = logged_in(district.users["dispatcher"])
    page = dispatcher.get(f"/desk/demands/{old.tracking_number}/").content.decode()
    assert "<dd>已匿名</dd>" in page and 'id="content">坪山大道' in page and "王小明" not in page

    auditor = logged_in(district.users["auditor"])
    export = b"".join(auditor.get("/audit/export/demands.csv").streaming_content).decode("utf-8-sig")
    row = next(line for line in export.splitlines() if line.startswith(old.tracking_number))
    assert row.endswith("已匿名") and "已办结" in row


def test_files_go_only_once_the_removal_commits(cases, django_capture_on_commit_callbacks):
    stored = Attachment.objects.get(demand=cases["old"]).file
    storage, name = stored.storage, stored.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _command()
    assert storage.exists(name)
    for callback in callbacks:
        callback()
    assert not storage.exists(name)


def test_the_audit_trail_stays_intact_and_the_task_is_scheduled(cases):
    _command()
    call_command("verify_audit_log", stdout=io.StringIO())
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"demands.anonymise_closed_demands", "demands.audit_checkpoint"} <= tasks
