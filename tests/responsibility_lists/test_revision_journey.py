"""The revision journey of the sample list on the pages alone: export, edit in a spreadsheet,
import as a draft, diff, preview, publish — and the next demand is routed under the new version."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from demands.models import Demand
from responsibility_lists.models import ListVersion
from tests.staff import logged_in


@pytest.mark.django_db
def test_sample_list_revision_from_the_pages(django_capture_on_commit_callbacks):
    from django.contrib.auth.models import User

    call_command("load_sample_district", verbosity=0)
    maintainer = logged_in(User.objects.get(username="maintainer"))

    exported = maintainer.get("/list/v1/export.xlsx")
    workbook = load_workbook(io.BytesIO(exported.content))
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    code, lead = header.index("事项编码"), header.index("主责部门")
    for row in sheet.iter_rows(min_row=2):
        if row[code].value == "PS-0201-001":  # construction noise at night
            assert row[lead].value == "坪山区住房和建设局"
            row[lead].value = "深圳市生态环境局坪山管理局"
    edited = io.BytesIO()
    workbook.save(edited)

    upload = SimpleUploadedFile("职责清单-修订.xlsx", edited.getvalue())
    with django_capture_on_commit_callbacks(execute=True):
        maintainer.post("/list/import/", {"file": upload, "title": "2027年修订"})
    draft = ListVersion.objects.get(title="2027年修订")
    assert draft.status == "draft" and draft.matters.count() == 346

    diff = maintainer.get(f"/list/diff/?a=1&b={draft.number}").context["diff"]
    assert [c.code for c in diff.changed] == ["PS-0201-001"] and not diff.added and not diff.removed

    citizen = Client()
    form = {
        "title": "工地半夜施工", "content": "隔壁工地每天晚上十一点后还在施工，噪音很大，吵得睡不着",
        "location_text": "坪山街道六和城", "urgency": "normal", "citizen_name": "王五",
        "citizen_phone": "13800000000", "consent": "on",
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        citizen.post("/", form)
    with django_capture_on_commit_callbacks(execute=True):
        maintainer.post(f"/list/v{draft.number}/impact/", {"months": 3})
    impact = maintainer.get(f"/list/v{draft.number}/impact/").context["report"]
    assert [(r.before, r.after) for r in impact.moved] == [("坪山区住房和建设局", "深圳市生态环境局坪山管理局")]

    maintainer.post(f"/list/v{draft.number}/publish/", {"effective_from": ""})
    with django_capture_on_commit_callbacks(execute=True):
        citizen.post("/", {**form, "repeat": "new"})  # the same report again, sent as new when told so
    before, after = Demand.objects.order_by("submitted_at")
    assert (before.list_version.number, before.lead_department.name) == (1, "坪山区住房和建设局")
    assert (after.list_version, after.lead_department.name) == (draft, "深圳市生态环境局坪山管理局")
    assert ListVersion.objects.get(number=1).status == "retired"
