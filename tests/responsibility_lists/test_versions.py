"""The list as law at a point in time: drafts, immutable published versions, effective dating,
round trips through spreadsheets, and the diff."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from config.errors import IllegalTransition, ValidationFailed
from responsibility_lists.diff import diff_versions
from responsibility_lists.list_io import read_xlsx, rows_of, write_csv, write_xlsx
from responsibility_lists.models import Category, EditAction, FrozenVersionError, ListEdit, ListVersion, Matter
from responsibility_lists.selectors import version_in_force
from responsibility_lists.services import (
    matter_remove,
    matter_save,
    version_create_draft,
    version_import,
    version_publish,
    versions_retire_superseded,
)


def test_no_path_changes_a_published_version(district):
    matter = district.matters["stall"]
    matter.name = "改名"
    with pytest.raises(FrozenVersionError):
        matter.save()
    with pytest.raises(FrozenVersionError):
        matter.delete()
    with pytest.raises(FrozenVersionError):
        Matter.objects.filter(pk=matter.pk).update(name="批量改名")
    with pytest.raises(FrozenVersionError):
        Category.objects.filter(version=district.version).delete()
    # Below the ORM: the database refuses raw SQL too.
    for sql in (
        "UPDATE responsibility_lists_matter SET name = 'x' WHERE id = %s",
        "DELETE FROM responsibility_lists_matter_assisting_departments WHERE matter_id = %s",
    ):
        with pytest.raises(Exception, match="published"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [district.matters["noise"].pk])
    with pytest.raises(Exception, match="published"), transaction.atomic():
        Matter.objects.bulk_create([Matter(**_copy_fields(district.matters["stall"]), code="PS-0101-099")])
    with pytest.raises(Exception, match="published"), transaction.atomic():
        ListVersion.objects.filter(pk=district.version.pk).update(title="改写历史")
    with pytest.raises(Exception, match="published"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM responsibility_lists_listversion WHERE id = %s", [district.version.pk])
    assert Matter.objects.get(pk=matter.pk).name == "占道经营查处"


def _copy_fields(matter: Matter) -> dict:
    return {
        f.attname: getattr(matter, f.attname) for f in Matter._meta.concrete_fields if f.attname not in ("id", "code")
    }


def test_services_refuse_to_edit_a_published_version(district):
    with pytest.raises(IllegalTransition, match="已发布"):
        matter_save(
            version_id=district.version.pk, actor=district.users["maintainer"], code="PS-0101-001",
            category_id=district.matters["stall"].category_id, name="改名",
        )  # fmt: skip
    with pytest.raises(IllegalTransition):
        version_publish(version_id=district.version.pk, actor=district.users["maintainer"])


def test_draft_copies_the_version_in_force_and_edits_are_recorded(district):
    maintainer = district.users["maintainer"]
    draft = version_create_draft(actor=maintainer)
    assert draft.based_on == district.version
    assert diff_versions(district.version, draft).is_empty
    stall = Matter.objects.get(version=draft, code="PS-0101-001")
    matter_save(
        version_id=draft.pk, actor=maintainer, code=stall.code, category_id=stall.category_id,
        keywords=[*stall.keywords, "夜市"], assisting_ids=[district.departments["PSJD"].pk],
        handle_days_normal=Decimal(7),
    )  # fmt: skip
    edit = ListEdit.objects.filter(version=draft, action=EditAction.CHANGE).get()
    assert edit.actor == maintainer and edit.matter_code == stall.code
    assert edit.changes["handle_days_normal"] == ["10", "7"]
    assert edit.changes["assisting_departments"] == [[], ["坪山区坪山街道办事处"]]
    matter_remove(matter_id=Matter.objects.get(version=draft, code="PS-0101-002").pk, actor=maintainer)
    diff = diff_versions(district.version, draft)
    assert [row["事项编码"] for row in diff.removed] == ["PS-0101-002"]
    changed = {c.field: (c.old, c.new) for c in diff.changed[0].changes}
    assert changed["办理时限"] == ("10/3/1", "7/3/1")
    assert changed["关键词"] == ("占道经营、流动摊贩、摆摊、小贩", "占道经营、流动摊贩、摆摊、小贩、夜市")
    assert changed["协办部门"] == ("", "坪山区坪山街道办事处")
    # The published version is untouched by all of it.
    assert Matter.objects.filter(version=district.version).count() == 3


def test_bad_edit_changes_nothing(district):
    maintainer = district.users["maintainer"]
    draft = version_create_draft(actor=maintainer)
    stall = Matter.objects.get(version=draft, code="PS-0101-001")
    with pytest.raises(ValidationFailed):
        matter_save(
            version_id=draft.pk, actor=maintainer, code=stall.code, category_id=stall.category_id,
            lead_department=None, lead_is_territorial=False,
        )  # fmt: skip
    stall.refresh_from_db()
    assert stall.lead_department == district.departments["CGJ"]
    assert not ListEdit.objects.filter(action=EditAction.CHANGE).exists()


def test_effective_dating_switches_versions_at_the_instant(district):
    maintainer = district.users["maintainer"]
    draft = version_create_draft(actor=maintainer)
    start = timezone.now() + timedelta(days=2)
    version_publish(version_id=draft.pk, actor=maintainer, effective_from=start)
    assert version_in_force() == district.version
    assert version_in_force(start - timedelta(microseconds=1)) == district.version
    assert version_in_force(start) == draft
    assert versions_retire_superseded() == 0
    district.version.refresh_from_db()
    assert district.version.status == "published"
    assert versions_retire_superseded(at=start) == 1
    district.version.refresh_from_db()
    assert district.version.status == "retired"
    assert versions_retire_superseded(at=start) == 0  # idempotent


def test_publishing_into_the_past_is_refused(district):
    draft = version_create_draft(actor=district.users["maintainer"])
    with pytest.raises(ValidationFailed):
        version_publish(
            version_id=draft.pk, actor=district.users["maintainer"], effective_from=timezone.now() - timedelta(days=1)
        )


def test_the_next_demand_is_routed_under_the_new_version(district, submit):
    maintainer = district.users["maintainer"]
    draft = version_create_draft(actor=maintainer)
    noise = Matter.objects.get(version=draft, code="PS-0201-001")
    matter_save(
        version_id=draft.pk, actor=maintainer, code=noise.code, category_id=noise.category_id,
        lead_department=district.departments["SHJ"],
    )  # fmt: skip
    old = submit().demand
    version_publish(version_id=draft.pk, actor=maintainer)
    new = submit().demand
    assert (old.list_version, old.lead_department) == (district.version, district.departments["ZJJ"])
    assert (new.list_version, new.lead_department) == (draft, district.departments["SHJ"])


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_export_import_round_trip_is_exact(district, kind):
    rows = rows_of(district.version)
    if kind == "csv":
        text = io.StringIO()
        write_csv(rows, text)
        import csv

        read_back = list(csv.DictReader(io.StringIO(text.getvalue().lstrip("\ufeff"))))
    else:
        data = io.BytesIO()
        write_xlsx(rows, data)
        data.seek(0)
        read_back = read_xlsx(data)
    draft = version_import(rows=read_back, actor=district.users["maintainer"], title="往返")
    assert diff_versions(district.version, draft).is_empty
    assert rows_of(draft) == rows


def test_import_with_a_bad_row_imports_nothing(district):
    rows = rows_of(district.version)
    rows[1]["主责部门"] = "不存在的局"
    before = ListVersion.objects.count()
    with pytest.raises(ValidationFailed) as error:
        version_import(rows=rows, actor=district.users["maintainer"], title="坏")
    assert error.value.extra["rows"] == ["第3行：主责部门「不存在的局」不存在"]
    assert ListVersion.objects.count() == before


def test_only_maintainers_edit(district):
    from config.errors import NotAllowed

    with pytest.raises(NotAllowed):
        version_create_draft(actor=district.users["dispatcher"])


def test_unique_codes_within_a_version(district):
    draft = version_create_draft(actor=district.users["maintainer"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Matter.objects.create(**_copy_fields(Matter.objects.get(version=draft, code="PS-0101-001")), code="PS-0101-002")
