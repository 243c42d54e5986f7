from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from config.errors import IllegalTransition, NotAllowed, ValidationFailed
from config.queue import enqueue_on_commit
from demands.models import Demand, Reply
from demands.services import demand_transition
from demands.wording import worded
from demands.workflow import Action
from departments.access import DEPARTMENT_ROLES, DISPATCH_ROLES, has_role
from departments.models import Department, Membership
from departments.selectors import street_office_for
from dispatch.assignment_workflow import AssignmentMove
from dispatch.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Delegation,
    DelegationStatus,
    DuplicateStatus,
    DuplicateSuggestion,
    ExtensionRequest,
    ExtensionStatus,
    InfoRequest,
    InfoRequestStatus,
    Notification,
    ReplyReview,
    ReturnRequest,
    ReviewStatus,
    RulingStatus,
)
from dispatch.services.case_locks import assignment_under_lock, locked_assignment
from dispatch.services.deadlines import assist_deadlines_for, assist_share, deadlines_for
from dispatch.services.review_rules import first_review_stage, pending_review, reply_hold
from dispatch.services.transitions import assignment_transition, check_move, let_go
from responsibility_lists.models import Matter
from responsibility_lists.selectors import version_in_force


def require_dispatcher(actor: User | None) -> None:
    if not has_role(actor, *DISPATCH_ROLES):
        raise NotAllowed(_("只有分拨员可以执行此操作。"))


def matter_assisting(matter: Matter | None, street_id: int | None) -> list[Department]:
    """Who assists on a matter by the list: its assisting departments, and the street office of
    the demand's place where the matter is assisted by the territory."""
    if matter is None:
        return []
    assisting = list(matter.assisting_departments.filter(is_active=True))
    office = street_office_for(street_id) if matter.assisted_by_territory else None
    if office is not None:
        assisting.append(office)
    return assisting


def withdraw_waiting(assignment_ids: Iterable[int], now: datetime, reason: str, *, returns: bool = True) -> None:
    """Work that ends (answered, returned, merged away or refused) leaves nothing to decide:
    its pending return (unless `returns` is false: the return that ends it is what waits now),
    extension request, question to the citizen, reply under review and open delegations are
    withdrawn, with the reason (in the record's language), so no queue keeps an item that no
    ruling can clear."""
    ids = list(assignment_ids)
    if returns:
        ReturnRequest.objects.filter(assignment_id__in=ids, status=RulingStatus.PENDING).update(
            status=RulingStatus.WITHDRAWN, ruled_at=now, ruling_note=reason
        )
    ExtensionRequest.objects.filter(assignment_id__in=ids, status=ExtensionStatus.PENDING).update(
        status=ExtensionStatus.WITHDRAWN, decided_at=now, decision_note=reason
    )
    InfoRequest.objects.filter(assignment_id__in=ids, status=InfoRequestStatus.PENDING).update(
        status=InfoRequestStatus.WITHDRAWN, closed_at=now
    )
    # A reply waiting for review: the case left the department's hands, nobody is to approve it.
    ReplyReview.objects.filter(assignment_id__in=ids, status=ReviewStatus.PENDING).update(
        status=ReviewStatus.WITHDRAWN, decided_at=now, note=reason
    )
    # A case passed down (下派) or inside the department is no one's to answer once the work ends.
    Delegation.objects.filter(assignment_id__in=ids, status=DelegationStatus.OPEN).update(
        status=DelegationStatus.WITHDRAWN, closed_at=now, reason=reason
    )


def settle_demand(demand_id: int, now: datetime, reason: str, actor: User, *, merged_into: int | None = None) -> None:
    """A merged or refused demand: its open work is let go and everything waiting on it withdrawn,
    and the duplicate suggestions it was in are decided (merged, where it went into that original)."""
    withdraw_waiting(Assignment.objects.filter(demand_id=demand_id).values_list("pk", flat=True), now, reason)
    let_go(Assignment.objects.of_demand(demand_id), now)
    pending = DuplicateSuggestion.objects.filter(status=DuplicateStatus.PENDING)
    if merged_into is not None:
        pending.filter(demand_id=demand_id, original_id=merged_into).update(
            status=DuplicateStatus.MERGED, decided_by=actor, decided_at=now
        )
    pending.filter(Q(demand_id=demand_id) | Q(original_id=demand_id)).update(
        status=DuplicateStatus.DISMISSED, decided_by=actor, decided_at=now
    )


def notify_department(
    department: Department, demand: Demand, text: str, /, *, kind: str = "dispatch", **params: object
) -> None:
    """An in-app notice to the department's handlers and heads (email goes with the ladder's).
    `text` is a gettext_noop'd sentence with %(name)s placeholders for `params`."""
    message, wording = worded(text, **params)
    users = Membership.objects.filter(department=department, role__in=DEPARTMENT_ROLES).values_list(
        "user_id", flat=True
    )
    Notification.objects.bulk_create(
        Notification(user_id=user_id, demand=demand, kind=kind, message=message[:255], data=wording)
        for user_id in set(users)
    )


def create_assignments(
    *,
    demand: Demand,
    lead: Department,
    matter: Matter | None,
    assisting: Iterable[Department] = (),
    actor: User | None,
    is_redispatch: bool = False,
) -> Assignment:
    """Hand the demand to a lead (and assisting departments) with deadlines from the matter; the
    demand is due when its lead's handling time runs out, an assisting department's part when its
    share of that time does."""
    now = timezone.now()
    deadlines = deadlines_for(start=now, matter=matter, urgency=demand.urgency, bound=demand.upstream_deadline)
    lead_assignment = Assignment.objects.create(
        demand=demand,
        department=lead,
        role=AssignmentRole.LEAD,
        matter=matter,
        dispatched_at=now,
        dispatched_by=actor,
        is_redispatch=is_redispatch,
        sign_deadline=deadlines.sign,
        handle_deadline=deadlines.handle,
        warn_at=deadlines.warn,
        supervise_at=deadlines.supervise,
        escalate_at=deadlines.escalate,
    )
    notify_department(
        lead,
        demand,
        gettext_noop("新派单：%(number)s %(title)s（主办）"),
        number=demand.tracking_number,
        title=demand.title,
    )
    # Each assisting department's part is due within its share of the lead's time (by the matter).
    assist = assist_deadlines_for(start=now, lead=deadlines, share_percent=assist_share(matter))
    for department in assisting:
        if department.pk == lead.pk:
            continue
        notify_department(
            department,
            demand,
            gettext_noop("新派单：%(number)s %(title)s（协办，请于 %(deadline)s 前提交协办意见）"),
            number=demand.tracking_number,
            title=demand.title,
            deadline=f"{timezone.localtime(assist.handle):%Y-%m-%d %H:%M}",
        )
        Assignment.objects.create(
            demand=demand,
            department=department,
            role=AssignmentRole.ASSIST,
            matter=matter,
            dispatched_at=now,
            dispatched_by=actor,
            is_redispatch=is_redispatch,
            sign_deadline=assist.sign,
            handle_deadline=assist.handle,
            warn_at=assist.warn,
        )
    demand.due_at = lead_assignment.handle_deadline
    demand.save(update_fields=["due_at", "updated_at"])
    return lead_assignment


def demand_dispatch(
    *,
    demand_id: int,
    actor: User,
    department_id: int,
    matter_id: int | None = None,
    assisting_ids: Iterable[int] = (),
    note: str = "",
) -> Demand:
    """A dispatch officer places a demand from the triage queue."""
    require_dispatcher(actor)
    lead = Department.objects.filter(pk=department_id, is_active=True).first()
    if lead is None:
        raise ValidationFailed(_("请选择有效的承办部门。"))
    # The list is law at a point in time: a dispatch follows the version in force now, and
    # records it even when no matter is named, so the decision can be audited against it.
    version = version_in_force()
    if version is None:
        raise ValidationFailed(_("当前没有生效的职责清单版本，无法派单。"))
    matter = None
    if matter_id:
        matter = Matter.objects.filter(pk=matter_id).select_related("version").first()
        if matter is None:
            raise ValidationFailed(_("找不到所选的清单事项。"))
        if matter.version_id != version.pk:
            raise ValidationFailed(
                _("所选事项属于清单 V%(chosen)s，派单只能按现行的 V%(current)s 选择事项。")
                % {"chosen": matter.version.number, "current": version.number}
            )
    assisting = list(Department.objects.filter(pk__in=list(assisting_ids), is_active=True))
    with transaction.atomic():
        demand = demand_transition(
            demand_id=demand_id,
            action=Action.DISPATCH,
            actor=actor,
            department=lead,
            reason=note,
            data={"matter": matter.code if matter else None, "assisting": [d.name for d in assisting]},
            changes={
                "lead_department": lead,
                "matter": matter,
                "list_version_id": version.pk,
            },
        )
        create_assignments(demand=demand, lead=lead, matter=matter, assisting=assisting, actor=actor)
    return demand


def assignment_sign(*, assignment_id: int, actor: User) -> Assignment:
    with transaction.atomic():
        assignment = locked_assignment(assignment_id, actor)
        refusal = _("该派单当前为「%(status)s」，无需签收。") % {"status": assignment.get_status_display()}
        check_move(assignment=assignment, move=AssignmentMove.SIGN, refusal=refusal)
        if assignment.role == AssignmentRole.LEAD:
            demand_transition(
                demand_id=assignment.demand_id,
                action=Action.SIGN,
                actor=actor,
                department=assignment.department,
            )
        else:
            # An assisting department signs for its part; the demand's state follows the lead.
            demand_transition(
                demand_id=assignment.demand_id,
                action=Action.SIGN_ASSIST,
                actor=actor,
                department=assignment.department,
                is_public=False,
            )
        assignment_transition(
            assignment=assignment,
            move=AssignmentMove.SIGN,
            refusal=refusal,
            changes={"signed_at": timezone.now(), "signed_by": actor},
        )
    return assignment


def assignment_reply(*, assignment_id: int, actor: User, body: str) -> Demand:
    """The lead department answers the citizen. Every assisting department must have contributed
    or been released first, so the answer covers all of the demand. Where the reply must be
    reviewed (dispatch.services.review_rules) it is held for the reviewer instead of sent."""
    if len(body.strip()) < 10:
        raise ValidationFailed(_("答复内容太短，请写明办理结果（至少10个字）。"))
    with transaction.atomic():
        assignment = locked_assignment(assignment_id, actor)
        check_answerable(assignment)
        if pending_review(assignment.pk) is not None:
            raise IllegalTransition(_("已有答复在审核中，请等待审核结果。"))
        stage = first_review_stage(assignment, actor)
        if stage is not None:
            reply_hold(assignment=assignment, author=actor, body=body.strip(), stage=stage)
            return Demand.objects.get(pk=assignment.demand_id)
        return send_reply(assignment, author=actor, actor=actor, body=body.strip())


def check_answerable(assignment: Assignment) -> None:
    """Refuse an answer from a locked assignment that may not give it now: not the lead, not
    signed, or with assisting departments still to give their part."""
    if assignment.role != AssignmentRole.LEAD:
        raise IllegalTransition(_("协办部门请提交协办意见，由主办部门统一答复。"))
    check_move(assignment=assignment, move=AssignmentMove.ANSWER, refusal=_("请先签收再答复。"))
    waiting = Assignment.objects.of_demand(assignment.demand_id).assisting().open().select_related("department")
    if waiting:
        names = "、".join(a.department.display_name for a in waiting)
        raise IllegalTransition(_("协办部门尚未反馈：%(names)s。") % {"names": names})


def send_reply(assignment: Assignment, *, author: User, actor: User, body: str) -> Demand:
    """Send a locked lead's answer to the citizen: the one path of every reply, given at once or
    approved after review (then `author` wrote it and `actor` approved it). It is answered now,
    whatever time the reply was written: review time counts against the department. Call inside
    a transaction, after `check_answerable`."""
    now = timezone.now()
    Reply.objects.create(demand_id=assignment.demand_id, department=assignment.department, author=author, body=body)
    demand = demand_transition(
        demand_id=assignment.demand_id,
        action=Action.REPLY,
        actor=actor,
        department=assignment.department,
        changes={"replied_at": now},
    )
    withdraw_waiting([assignment.pk], now, gettext_noop("已答复群众，申请随之撤回。"))
    assignment_transition(assignment=assignment, move=AssignmentMove.ANSWER, refusal=_("请先签收再答复。"), now=now)
    # The callback staff's visit about this answer (回访), if it is among those sampled.
    enqueue_on_commit("assessment.schedule_visit", demand.pk)
    return demand


def assignment_contribute(*, assignment_id: int, actor: User, body: str) -> Assignment:
    """An assisting department gives its part of the answer to the lead."""
    if len(body.strip()) < 5:
        raise ValidationFailed(_("请写明协办意见。"))
    with transaction.atomic():
        assignment = locked_assignment(assignment_id, actor)
        if assignment.role != AssignmentRole.ASSIST:
            raise IllegalTransition(_("主办部门请直接答复。"))
        refusal = _("该派单当前为「%(status)s」，不能再提交意见。") % {"status": assignment.get_status_display()}
        check_move(assignment=assignment, move=AssignmentMove.CONTRIBUTE, refusal=refusal)
        Reply.objects.create(
            demand_id=assignment.demand_id,
            department=assignment.department,
            author=actor,
            body=body.strip(),
            is_contribution=True,
        )
        _finish_assist(assignment, actor, action=Action.CONTRIBUTE, reason=body.strip(), move=AssignmentMove.CONTRIBUTE)
    return assignment


def _finish_assist(assignment: Assignment, actor: User, *, action: str, reason: str, move: str) -> None:
    """An assisting department's part ends (contributed or released): record it, and tell the lead."""
    demand_transition(
        demand_id=assignment.demand_id,
        action=action,
        actor=actor,
        department=assignment.department,
        reason=reason,
        is_public=False,
    )
    assignment_transition(assignment=assignment, move=move)
    _tell_the_lead(assignment, released=assignment.status == AssignmentStatus.RELEASED)


_ASSIST_NEWS = {
    # (released, none left waiting)
    (False, False): gettext_noop("%(number)s：%(department)s 已提交协办意见。"),
    (False, True): gettext_noop("%(number)s：%(department)s 已提交协办意见，协办部门均已反馈或解除，可以答复群众。"),
    (True, False): gettext_noop("%(number)s：分拨中心已解除 %(department)s 的协办。"),
    (True, True): gettext_noop(
        "%(number)s：分拨中心已解除 %(department)s 的协办，协办部门均已反馈或解除，可以答复群众。"
    ),
}


def _tell_the_lead(assist: Assignment, *, released: bool) -> None:
    """The lead waits for its assisting departments before it may answer: tell it what came in,
    and when the last one is in."""
    # Locked: of two assisting departments finishing at once, the second waits for the first,
    # so exactly one of them sees that none is left and the lead hears it once.
    lead = (
        Assignment.objects.of_demand(assist.demand_id)
        .lead()
        .open()
        .select_for_update(of=("self",))
        .select_related("department", "demand")
        .first()
    )
    if lead is None:
        return
    waiting = Assignment.objects.of_demand(assist.demand_id).assisting().open().exists()
    notify_department(
        lead.department,
        lead.demand,
        _ASSIST_NEWS[(released, not waiting)],
        kind="assist",
        number=lead.demand.tracking_number,
        department=assist.department.display_name,
    )


def assignment_release(*, assignment_id: int, actor: User, reason: str) -> Assignment:
    """A dispatch officer releases an assisting department whose part is no longer needed."""
    require_dispatcher(actor)
    if not reason.strip():
        raise ValidationFailed(_("请说明解除协办的原因。"))
    with transaction.atomic():
        assignment = assignment_under_lock(assignment_id)
        check_move(assignment=assignment, move=AssignmentMove.RELEASE, refusal=_("只能解除尚未完成的协办派单。"))
        _finish_assist(
            assignment, actor, action=Action.RELEASE_ASSIST, reason=reason.strip(), move=AssignmentMove.RELEASE
        )
    return assignment
