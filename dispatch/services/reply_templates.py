"""A department's reply templates, kept by its own staff."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from config.errors import NotAllowed, NotFound, ValidationFailed
from departments.access import DEPARTMENT_ROLES, works_in
from departments.models import Department
from dispatch.models import ReplyTemplate


def reply_template_save(*, actor: User, department_id: int, title: str, body: str) -> ReplyTemplate:
    department = Department.objects.filter(pk=department_id).first()
    if department is None:
        raise NotFound(_("所选部门不存在。"))
    if not works_in(actor, department, *DEPARTMENT_ROLES):
        raise NotAllowed(_("只能维护本部门的答复模板。"))
    title, body = title.strip(), body.strip()
    errors = {}
    if not title:
        errors["title"] = _("请填写模板名称。")
    if len(body) < 10:
        errors["body"] = _("模板内容至少10个字。")
    if errors:
        raise ValidationFailed("；".join(errors.values()), extra={"fields": errors})
    try:
        with transaction.atomic():
            return ReplyTemplate.objects.create(department=department, title=title, body=body, created_by=actor)
    except IntegrityError as exc:
        raise ValidationFailed(
            _("本部门已有名为「%(title)s」的模板。") % {"title": title}, extra={"fields": {"title": _("名称重复。")}}
        ) from exc


def reply_template_delete(*, actor: User, template_id: int) -> None:
    template = ReplyTemplate.objects.select_related("department").filter(pk=template_id).first()
    if template is None:
        raise NotFound(_("该答复模板不存在。"))
    if template.department is None or not works_in(actor, template.department, *DEPARTMENT_ROLES):
        raise NotAllowed(_("只能删除本部门的答复模板。"))
    template.delete()
