"""Amendment proposals: the loop from disputes back into the list. A dispatch officer who rules
on a return files a proposal against the matter, citing the demand; a list maintainer accepts it
into a draft (the change is applied and recorded as an amendment) or declines it with a reason."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.columns import max_length
from config.errors import IllegalTransition, NotAllowed, NotFound, ValidationFailed
from departments.access import has_role
from departments.models import Department, Role
from responsibility_lists.list_io import LIMIT_CEILING
from responsibility_lists.models import (
    AmendmentKind,
    AmendmentProposal,
    AmendmentStatus,
    EditAction,
    ListVersion,
    Matter,
    VersionStatus,
)
from responsibility_lists.services import MAINTAINER_ROLES, matter_save

LIMIT_FIELDS = (
    "sign_hours_normal", "sign_hours_urgent", "sign_hours_critical",
    "handle_days_normal", "handle_days_urgent", "handle_days_critical",
)  # fmt: skip
NEEDS_DEPARTMENT = (AmendmentKind.CHANGE_LEAD, AmendmentKind.ADD_ASSIST)
NEEDS_KEYWORD = (AmendmentKind.ADD_KEYWORD, AmendmentKind.REMOVE_KEYWORD)
KEYWORD_LENGTH = max_length(AmendmentProposal, "keyword")


def amendment_file(
    *,
    actor: User,
    version_id: int,
    matter_code: str,
    kind: str,
    reason: str,
    demand_id: int | None = None,
    department_id: int | None = None,
    territorial: bool = False,
    keyword: str = "",
    limit_field: str = "",
    limit_value: Decimal | None = None,
) -> AmendmentProposal:
    if not has_role(actor, Role.DISPATCH_OFFICER, *MAINTAINER_ROLES):
        raise NotAllowed(_("只有分拨员或清单维护员可以提出清单修订建议。"))
    matter = Matter.objects.filter(version_id=version_id, code=matter_code).first()
    if matter is None:
        raise ValidationFailed(_("该版本没有事项 %(code)s。") % {"code": matter_code})
    if kind not in AmendmentKind.values:
        raise ValidationFailed(_("请选择修订类型。"))
    if len(reason.strip()) < 5:
        raise ValidationFailed(_("请写明修订理由。"))
    department = Department.objects.filter(pk=department_id).first() if department_id else None
    if kind in NEEDS_DEPARTMENT and department is None and not territorial:
        raise ValidationFailed(_("请选择部门（或属地）。"))
    if kind in NEEDS_KEYWORD and not keyword.strip():
        raise ValidationFailed(_("请填写关键词。"))
    if len(keyword.strip()) > KEYWORD_LENGTH:
        raise ValidationFailed(_("关键词不能超过%(n)s个字。") % {"n": KEYWORD_LENGTH})
    if kind == AmendmentKind.REMOVE_KEYWORD and keyword.strip() not in matter.keywords:
        raise ValidationFailed(
            _("事项 %(code)s 没有关键词「%(keyword)s」。") % {"code": matter_code, "keyword": keyword.strip()}
        )
    if kind == AmendmentKind.CHANGE_LIMIT and (limit_field not in LIMIT_FIELDS or not limit_value or limit_value <= 0):
        raise ValidationFailed(_("请选择要调整的时限并填写大于0的新值。"))
    if kind == AmendmentKind.CHANGE_LIMIT and limit_value is not None and limit_value >= LIMIT_CEILING:
        raise ValidationFailed(_("新时限须小于%(ceiling)s。") % {"ceiling": LIMIT_CEILING})
    return AmendmentProposal.objects.create(
        version_id=version_id,
        matter_code=matter_code,
        matter_name=matter.name,
        kind=kind,
        department=department,
        territorial=territorial,
        keyword=keyword.strip(),
        limit_field=limit_field if kind == AmendmentKind.CHANGE_LIMIT else "",
        limit_value=limit_value if kind == AmendmentKind.CHANGE_LIMIT else None,
        reason=reason.strip(),
        demand_id=demand_id,
        proposed_by=actor,
    )


def _require_maintainer(actor: User) -> None:
    if not has_role(actor, *MAINTAINER_ROLES):
        raise NotAllowed(_("只有清单维护员可以处理修订建议。"))


def _locked_proposal(proposal_id: int) -> AmendmentProposal:
    proposal = AmendmentProposal.objects.select_for_update().filter(pk=proposal_id).first()
    if proposal is None:  # an id from a request may name nothing
        raise NotFound(_("该修订建议不存在。"))
    return proposal


@transaction.atomic
def amendment_accept(*, proposal_id: int, actor: User, draft_id: int, note: str = "") -> AmendmentProposal:
    """Apply the proposal to the matter of the same code in a draft, recorded as an amendment.
    A split cannot be applied mechanically: accepting it records the decision, and the maintainer
    then adds the new matters to the draft."""
    _require_maintainer(actor)
    proposal = _locked_proposal(proposal_id)
    if proposal.status != AmendmentStatus.PENDING:
        raise IllegalTransition(_("该建议已处理。"))
    draft = ListVersion.objects.filter(pk=draft_id, status=VersionStatus.DRAFT).first()
    if draft is None:
        raise ValidationFailed(_("请选择一个草稿版本。"))
    matter = Matter.objects.filter(version=draft, code=proposal.matter_code).first()
    if matter is None:
        raise ValidationFailed(
            _("草稿 %(draft)s 中没有事项 %(code)s。") % {"draft": draft, "code": proposal.matter_code}
        )
    if proposal.kind != AmendmentKind.SPLIT:
        fields, assisting = _applied_fields(proposal, matter)
        matter_save(
            version_id=draft.pk,
            actor=actor,
            code=matter.code,
            category_id=matter.category_id,
            assisting_ids=assisting,
            edit_action=EditAction.AMEND,
            edit_note=f"采纳修订建议 #{proposal.pk}：{proposal.summary}",
            **fields,
        )
    proposal.status = AmendmentStatus.ACCEPTED
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.decision_note = note.strip()
    proposal.applied_to = draft
    proposal.save()
    return proposal


def _applied_fields(proposal: AmendmentProposal, matter: Matter) -> tuple[dict, list[int]]:
    assisting = list(matter.assisting_departments.values_list("pk", flat=True))
    fields: dict = {}
    kind = AmendmentKind(proposal.kind)
    if kind == AmendmentKind.CHANGE_LEAD:
        fields = {"lead_department": proposal.department, "lead_is_territorial": proposal.territorial}
        if proposal.department_id in assisting:
            assisting.remove(proposal.department_id)  # the new lead no longer assists itself
    elif kind == AmendmentKind.ADD_ASSIST:
        if proposal.territorial:
            fields = {"assisted_by_territory": True}
        elif proposal.department_id not in assisting:
            assisting.append(proposal.department_id)  # type: ignore[arg-type]
    elif kind == AmendmentKind.ADD_KEYWORD:
        if proposal.keyword not in matter.keywords:
            fields = {"keywords": [*matter.keywords, proposal.keyword]}
    elif kind == AmendmentKind.REMOVE_KEYWORD:
        fields = {"keywords": [k for k in matter.keywords if k != proposal.keyword]}
    elif kind == AmendmentKind.CHANGE_LIMIT:
        fields = {proposal.limit_field: proposal.limit_value}
    return fields, assisting


@transaction.atomic
def amendment_decline(*, proposal_id: int, actor: User, reason: str) -> AmendmentProposal:
    _require_maintainer(actor)
    if len(reason.strip()) < 2:
        raise ValidationFailed(_("请写明不采纳的理由。"))
    proposal = _locked_proposal(proposal_id)
    if proposal.status != AmendmentStatus.PENDING:
        raise IllegalTransition(_("该建议已处理。"))
    proposal.status = AmendmentStatus.DECLINED
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.decision_note = reason.strip()
    proposal.save()
    return proposal
