"""The list maintainer's journey on the pages: draft, edit, diff, import, export, publish."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from responsibility_lists.list_io import read_xlsx, rows_of, write_csv
from responsibility_lists.models import ImportJob, ListEdit, ListVersion, Matter
from tests.staff import logged_in


@pytest.fixture
def maintainer(district) -> Client:
    return logged_in(district.users["maintainer"])


def _edit_form(matter: Matter, **changes) -> dict:
    data = {
        "name": matter.name,
        "category": matter.category_id,
        "description": matter.description,
        "keywords": "、".join(matter.keywords),
        "exclusions": "、".join(matter.exclusions),
        "lead": "属地" if matter.lead_is_territorial else str(matter.lead_department_id),
        "assisting": [d.pk for d in matter.assisting_departments.all()],
        "legal_basis": matter.legal_basis,
        "guidance": matter.guidance,
        **{f: str(getattr(matter, f)) for f in (
            "sign_hours_normal", "sign_hours_urgent", "sign_hours_critical",
            "handle_days_normal", "handle_days_urgent", "handle_days_critical",
        )},
    }  # fmt: skip
    data.update(changes)
    return data


def test_draft_edit_diff_publish(district, maintainer):
    page = maintainer.post("/list/versions/new-draft/", follow=True)
    draft = ListVersion.objects.get(status="draft")
    assert page.request["PATH_INFO"] == f"/list/v{draft.number}/"
    stall = Matter.objects.get(version=draft, code="PS-0101-001")
    response = maintainer.post(
        f"/list/v{draft.number}/matters/{stall.code}/",
        _edit_form(stall, keywords="占道经营、流动摊贩、摆摊、小贩、夜市", lead=str(district.departments["PSJD"].pk)),
        follow=True,
    )
    assert "已保存" in response.content.decode()
    stall.refresh_from_db()
    assert stall.lead_department == district.departments["PSJD"] and "夜市" in stall.keywords
    diff = maintainer.get(f"/list/diff/?a=1&b={draft.number}")
    text = diff.content.decode()
    assert "坪山区坪山街道办事处" in text and "夜市" in text
    assert diff.context["diff"].changed[0].code == "PS-0101-001"
    maintainer.post(f"/list/v{draft.number}/publish/", {"effective_from": ""})
    draft.refresh_from_db()
    assert draft.status == "published"
    # Published: the edit form is gone and posting is refused.
    assert maintainer.post(f"/list/v{draft.number}/matters/{stall.code}/", _edit_form(stall)).status_code == 403


def test_add_and_remove_a_matter(district, maintainer):
    maintainer.post("/list/versions/new-draft/")
    draft = ListVersion.objects.get(status="draft")
    stall = Matter.objects.get(version=draft, code="PS-0101-001")
    form = _edit_form(stall, code="PS-0101-050", name="乱贴小广告", keywords="小广告、牛皮癣")
    maintainer.post(f"/list/v{draft.number}/matters/new/", form)
    assert Matter.objects.filter(version=draft, code="PS-0101-050").exists()
    duplicate = maintainer.post(f"/list/v{draft.number}/matters/new/", form)
    assert "已有该编码" in duplicate.content.decode()
    maintainer.post(f"/list/v{draft.number}/matters/PS-0101-050/delete/", {"reason": "与占道经营合并"})
    assert not Matter.objects.filter(version=draft, code="PS-0101-050").exists()
    assert list(ListEdit.objects.filter(version=draft).values_list("action", flat=True)[:2]) == ["remove", "add"]


def test_import_from_the_page_shows_progress_and_result(district, maintainer, django_capture_on_commit_callbacks):
    text = io.StringIO()
    write_csv(rows_of(district.version), text)
    upload = SimpleUploadedFile("清单.csv", text.getvalue().encode("utf-8"), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = maintainer.post("/list/import/", {"file": upload, "title": "页面导入"})
    job = ImportJob.objects.get()
    assert response["Location"] == f"/list/import/{job.pk}/"
    status = maintainer.get(f"/list/import/{job.pk}/", HTTP_ACCEPT="application/json").json()
    assert status["status"] == "done" and status["percent"] == 100 and status["total"] == 3
    assert ListVersion.objects.get(number=status["version"]).title == "页面导入"


def test_import_of_a_bad_file_names_the_rows(district, maintainer, django_capture_on_commit_callbacks):
    rows = rows_of(district.version)
    rows[0]["签收时限"] = "很快"
    text = io.StringIO()
    write_csv(rows, text)
    upload = SimpleUploadedFile("bad.csv", text.getvalue().encode("utf-8"), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        maintainer.post("/list/import/", {"file": upload})
    job = ImportJob.objects.get()
    assert job.status == "failed"
    page = maintainer.get(f"/list/import/{job.pk}/").content.decode()
    assert "第2行" in page and "签收时限" in page
    assert ListVersion.objects.count() == 1


def test_export_from_the_page(district, maintainer):
    response = maintainer.get("/list/v1/export.xlsx")
    assert response.status_code == 200
    rows = read_xlsx(io.BytesIO(response.content))
    assert [r["事项编码"] for r in rows] == ["PS-0101-001", "PS-0101-002", "PS-0201-001"]
    assert maintainer.get("/list/v1/export.csv").content.decode("utf-8-sig").startswith("大类,小类,事项编码")


def test_others_read_but_do_not_edit(district):
    dispatcher = logged_in(district.users["dispatcher"])
    assert dispatcher.get("/list/").status_code == 302
    assert "占道经营查处" in dispatcher.get("/list/v1/").content.decode()
    assert dispatcher.post("/list/versions/new-draft/").status_code == 403
    assert dispatcher.post("/list/import/").status_code == 403
    assert Client().get("/list/v1/").status_code == 302  # to the login page


def test_the_assisting_picker_filters_and_names_the_current_choice(district, maintainer):
    """Seventy departments in a list six rows high: the picker has the dispatch form's filter box,
    and says under it which departments are chosen now, wherever the list is scrolled."""
    maintainer.post("/list/versions/new-draft/")
    draft = ListVersion.objects.get(status="draft")
    stall = Matter.objects.get(version=draft, code="PS-0101-001")
    d = district.departments
    maintainer.post(
        f"/list/v{draft.number}/matters/{stall.code}/",
        _edit_form(stall, assisting=[d["SHJ"].pk, d["PSJD"].pk]),
    )
    page = maintainer.get(f"/list/v{draft.number}/matters/{stall.code}/").content.decode()
    select = re.search(r'<select[^>]*name="assisting"[^>]*>', page)
    assert select is not None and 'data-filter="输入名称筛选"' in select.group(0)
    chosen = re.search(r'<p class="picker-chosen help" id="id_assisting_chosen"[^>]*>([^<]*)</p>', page)
    assert chosen is not None
    names = chosen.group(1).removeprefix("已选：").split("、")
    assert sorted(names) == sorted([d["PSJD"].name, d["SHJ"].name])
    # A matter with none says so.
    maintainer.post(f"/list/v{draft.number}/matters/{stall.code}/", _edit_form(stall, assisting=[]))
    page = maintainer.get(f"/list/v{draft.number}/matters/{stall.code}/").content.decode()
    assert '<p class="picker-chosen help" id="id_assisting_chosen"' in page and ">已选：未选</p>" in page
