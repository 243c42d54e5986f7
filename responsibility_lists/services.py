"""Writes on the responsibility list: drafts, edits of a draft, publishing and retiring.

Only drafts change. Publishing freezes a version; from its effective moment it is the law that
routing applies, and the versions before it are retired. Every write leaves a ListEdit."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from config.columns import max_length
from config.errors import IllegalTransition, NotAllowed, ValidationFailed
from config.queue import enqueue_on_commit
from departments.access import has_role
from departments.models import Department, Role
from responsibility_lists.list_io import create_draft_from_rows, plain_number, read_upload
from responsibility_lists.models import (
    Category,
    EditAction,
    ImportJob,
    ImportStatus,
    ListEdit,
    ListVersion,
    Matter,
    VersionStatus,
)
from responsibility_lists.selectors import version_in_force

logger = logging.getLogger(__name__)

MAINTAINER_ROLES = (Role.LIST_MAINTAINER, Role.ADMIN)
# Fields of a matter a maintainer edits, with how to show a value in the edit record.
EDITABLE_FIELDS = (
    "name", "description", "keywords", "exclusions", "lead_department", "lead_is_territorial",
    "assisted_by_territory", "sign_hours_normal", "sign_hours_urgent", "sign_hours_critical",
    "handle_days_normal", "handle_days_urgent", "handle_days_critical", "assist_share_percent", "legal_basis",
    "guidance",
)  # fmt: skip


def require_maintainer(actor: User | None) -> None:
    if not has_role(actor, *MAINTAINER_ROLES):
        raise NotAllowed(_("只有清单维护员可以修改职责清单。"))


def _next_number() -> int:
    return (ListVersion.objects.order_by("-number").values_list("number", flat=True).first() or 0) + 1


def _locked_draft(version_id: int) -> ListVersion:
    version = ListVersion.objects.select_for_update().get(pk=version_id)
    if version.status != VersionStatus.DRAFT:
        raise IllegalTransition(_("%(version)s 已发布，不能修改；请基于它新建草稿。") % {"version": version})
    return version


@transaction.atomic
def version_create_draft(*, actor: User, based_on_id: int | None = None, title: str = "") -> ListVersion:
    """A new draft that copies a version (the one in force by default), rows and all."""
    require_maintainer(actor)
    source = ListVersion.objects.get(pk=based_on_id) if based_on_id else version_in_force()
    number = _next_number()
    draft = ListVersion.objects.create(number=number, title=title or _draft_title(source), based_on=source)
    if source is not None:
        _copy_rows(source, draft)
    ListEdit.objects.create(
        version=draft, action=EditAction.CREATE_DRAFT, actor=actor, note=f"基于 {source}" if source else ""
    )
    return draft


def _copy_rows(source: ListVersion, draft: ListVersion) -> None:
    categories: dict[int, Category] = {}
    top_first = F("parent_id").asc(nulls_first=True)
    for category in Category.objects.filter(version=source).order_by(top_first, "position", "pk"):
        # Top categories first, so that a child's parent is always copied already.
        categories[category.pk] = Category.objects.create(
            version=draft,
            parent=categories[category.parent_id] if category.parent_id else None,
            name=category.name,
            position=category.position,
        )
    originals = list(Matter.objects.filter(version=source).order_by("pk"))
    copies = Matter.objects.bulk_create(
        [
            Matter(
                **{f: getattr(m, f) for f in EDITABLE_FIELDS if f != "lead_department"},
                lead_department_id=m.lead_department_id,
                version=draft,
                category=categories[m.category_id],
                code=m.code,
                position=m.position,
            )
            for m in originals
        ]
    )
    through = Matter.assisting_departments.through
    by_code = {m.code: m.pk for m in copies}
    source_codes = {m.pk: m.code for m in originals}
    through.objects.bulk_create(
        [
            through(matter_id=by_code[source_codes[row.matter_id]], department_id=row.department_id)
            for row in through.objects.filter(matter__version=source)
        ]
    )


def version_import(*, rows: Iterable[Mapping[str, str]], actor: User | None, title: str) -> ListVersion:
    """A new draft holding exactly the rows of a spreadsheet; nothing at all when a row is bad.
    `actor` is None only for the command line, which runs with the operator's own authority."""
    if actor is not None:
        require_maintainer(actor)
    return _import_rows(rows, actor=actor, title=title)


@transaction.atomic
def _import_rows(rows: Iterable[Mapping[str, str]], *, actor: User | None, title: str, progress=None) -> ListVersion:
    draft = create_draft_from_rows(
        rows, title=title, based_on=version_in_force(), number=_next_number(), progress=progress
    )
    ListEdit.objects.create(
        version=draft, action=EditAction.IMPORT, actor=actor, note=f"{draft.matters.count()} 个事项"
    )
    return draft


def _shown(value: Any) -> Any:
    if isinstance(value, Decimal):
        return plain_number(value)
    if isinstance(value, Department):
        return value.name
    if isinstance(value, Category):
        return str(value)
    return value


@transaction.atomic
def matter_save(
    *,
    version_id: int,
    actor: User,
    code: str,
    category_id: int,
    assisting_ids: Iterable[int] = (),
    edit_action: str | None = None,
    edit_note: str = "",
    **fields: Any,
) -> Matter:
    """Add a matter to a draft, or change one (same code). Records each changed field."""
    require_maintainer(actor)
    draft = _locked_draft(version_id)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(_("不能修改的字段：%(fields)s") % {"fields": "、".join(sorted(unknown))})
    category = Category.objects.filter(pk=category_id, version=draft, parent__isnull=False).first()
    if category is None:
        raise ValidationFailed(_("请选择本版本中的一个小类。"))
    matter = Matter.objects.filter(version=draft, code=code).first()
    before = {f: _shown(getattr(matter, f)) for f in EDITABLE_FIELDS} if matter else {}
    old_category = str(matter.category) if matter else None
    old_assisting = sorted(matter.assisting_departments.values_list("name", flat=True)) if matter else []
    if matter is None:
        matter = Matter(version=draft, code=code, position=draft.matters.count())
    for field, value in fields.items():
        setattr(matter, field, value)
    matter.category = category
    if bool(matter.lead_department_id) == bool(matter.lead_is_territorial):
        raise ValidationFailed(_("主责部门须为一个部门或“属地”，二者选一。"))
    try:
        matter.full_clean(exclude=["version", "category"])
    except Exception as error:
        raise ValidationFailed(_("事项内容有误：%(error)s") % {"error": error}) from error
    matter.save()
    matter.assisting_departments.set(list(assisting_ids))
    after = {f: _shown(getattr(matter, f)) for f in EDITABLE_FIELDS}
    new_assisting = sorted(matter.assisting_departments.values_list("name", flat=True))
    changes = {f: [before.get(f), after[f]] for f in EDITABLE_FIELDS if before.get(f) != after[f]}
    if old_assisting != new_assisting:
        changes["assisting_departments"] = [old_assisting, new_assisting]
    if old_category != str(category):
        changes["category"] = [old_category, str(category)]
    action = EditAction.ADD if not before else (EditAction.MOVE if set(changes) == {"category"} else EditAction.CHANGE)
    if changes:
        ListEdit.objects.create(
            version=draft, matter_code=code, action=edit_action or action, changes=changes, actor=actor, note=edit_note
        )
    return matter


@transaction.atomic
def matter_remove(*, matter_id: int, actor: User, reason: str = "") -> None:
    require_maintainer(actor)
    matter = Matter.objects.select_related("version").get(pk=matter_id)
    draft = _locked_draft(matter.version_id)
    ListEdit.objects.create(version=draft, matter_code=matter.code, action=EditAction.REMOVE, actor=actor, note=reason)
    matter.delete()


def version_publish(*, version_id: int, actor: User, effective_from: datetime | None = None) -> ListVersion:
    """Freeze a draft and make it law from `effective_from` (now by default). Versions in force
    before that moment are retired once it arrives; demands keep the version they were routed
    under, whatever happens later."""
    require_maintainer(actor)
    now = timezone.now()
    effective = effective_from or now
    with transaction.atomic():
        version = ListVersion.objects.select_for_update().get(pk=version_id)
        if version.status != VersionStatus.DRAFT:
            raise IllegalTransition(_("%(version)s 已发布，不能再次发布。") % {"version": version})
        if not version.matters.exists():
            raise IllegalTransition(_("空的清单不能发布。"))
        if effective < now - timedelta(minutes=5):
            raise ValidationFailed(_("生效时间不能早于现在：已经依据旧版本办理的诉求不能被改写。"))
        ListEdit.objects.create(
            version=version,
            action=EditAction.PUBLISH,
            actor=actor,
            note=f"生效时间 {timezone.localtime(effective):%Y-%m-%d %H:%M}",
        )
        version.status = VersionStatus.PUBLISHED
        version.published_at = now
        version.published_by = actor
        version.effective_from = effective
        version.save()
    versions_retire_superseded()
    return version


def versions_retire_superseded(*, at: datetime | None = None) -> int:
    """Retire every published version that a later one has replaced by `at` (now). Routing asks
    `version_in_force`, which already follows the effective dates to the instant; this keeps the
    recorded status in step. Idempotent."""
    moment = at or timezone.now()
    current = version_in_force(moment)
    if current is None:
        return 0
    with transaction.atomic():
        superseded = list(
            ListVersion.objects.select_for_update()
            .filter(status=VersionStatus.PUBLISHED, effective_from__lte=current.effective_from)
            .exclude(pk=current.pk)
        )
        for version in superseded:
            version.status = VersionStatus.RETIRED
            version.save(update_fields=["status"])
            ListEdit.objects.create(version=version, action=EditAction.RETIRE, note=f"由 {current} 取代")
    return len(superseded)


DRAFT_MARK = "（修订草稿）"


def _draft_title(source: ListVersion | None) -> str:
    # A draft of a draft is not marked twice, and the title fits its column.
    if source is None:
        return "职责清单草稿"
    base = source.title.removesuffix(DRAFT_MARK)
    longest = max_length(ListVersion, "title") - len(DRAFT_MARK)
    return f"{base[:longest]}{DRAFT_MARK}"


# --- Imports in the background -------------------------------------------------------------


def import_job_create(*, upload: Any, title: str, actor: User) -> ImportJob:
    """Keep the uploaded file and import it in the background; the page shows the progress."""
    require_maintainer(actor)
    with transaction.atomic():
        job = ImportJob.objects.create(
            file=upload,
            original_name=upload.name[: max_length(ImportJob, "original_name")],
            title=(title or Path(upload.name).stem)[: max_length(ImportJob, "title")],
            created_by=actor,
        )
        enqueue_on_commit("responsibility_lists.run_import", job.pk)
    return job


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Run an import once. The conditional update claims the job, so a redelivered task (or a
    second worker) finds it already taken and does nothing."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.PENDING).update(status=ImportStatus.RUNNING)
    if not claimed:
        return None
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)

    def progress(done: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(processed_rows=done)

    try:
        with job.file.open("rb") as handle:
            rows = read_upload(handle, job.original_name)
        ImportJob.objects.filter(pk=job_id).update(total_rows=len(rows))
        draft = _import_rows(rows, actor=job.created_by, title=job.title, progress=progress)
    except ValidationFailed as error:
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.FAILED, errors=[error.message, *error.extra.get("rows", [])], finished_at=timezone.now()
        )
    except Exception:
        # Anything else (a fault of ours, the database refusing a value) must not leave the job
        # "running" for ever: it fails, says so, and the draft was rolled back with it.
        logger.exception("List import job %s failed.", job_id)
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.FAILED, errors=[_("导入出错，未创建草稿；请联系管理员。")], finished_at=timezone.now()
        )
    else:
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.DONE, version=draft, processed_rows=len(rows), finished_at=timezone.now()
        )
    job.refresh_from_db()
    return job
