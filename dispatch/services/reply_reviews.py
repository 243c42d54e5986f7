"""Decisions on a reply held for review (答复审核): the department's head, then the centre where
its rules apply, approve it (the last approval sends it to the citizen by the one path of every
reply) or send it back to its author with a note. Which replies are held: review_rules."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from config.errors import IllegalTransition, NotAllowed, ValidationFailed
from demands.models import Demand
from demands.services import demand_transition
from demands.wording import worded
from demands.workflow import Action
from departments.access import department_ids_for, has_role
from departments.models import Role
from dispatch.models import Notification, ReplyReview, ReviewStage, ReviewStatus
from dispatch.services.assignments import check_answerable, send_reply
from dispatch.services.case_locks import assignment_under_lock, locked_request
from dispatch.services.review_rules import CENTRE_REVIEWER_ROLES, centre_reviews, may_review, reply_review_announce

SENT_BACK = gettext_noop("%(number)s：您提交的答复被退回修改：%(note)s")
APPROVED = gettext_noop("%(number)s：您提交的答复已审核通过并发送群众。")


def reviews_for(user: User) -> QuerySet[ReplyReview]:
    """The replies waiting for this person's review: their departments' as a head, the centre's as
    one of its reviewers; the longest waiting first."""
    pending = ReplyReview.objects.filter(status=ReviewStatus.PENDING).select_related(
        "assignment__demand", "assignment__department", "submitted_by"
    )
    heads_of = department_ids_for(user, Role.HEAD)
    mine = pending.filter(stage=ReviewStage.DEPARTMENT, assignment__department_id__in=heads_of)
    if has_role(user, *CENTRE_REVIEWER_ROLES):
        mine = mine | pending.filter(stage=ReviewStage.CENTRE)
    return mine.order_by("submitted_at", "pk")


def _locked_pending(review_id: int, actor: User) -> ReplyReview:
    review = locked_request(ReplyReview, review_id)
    if not may_review(actor, review):
        raise NotAllowed(
            _("只有本部门负责人可以审核该答复。")
            if review.stage == ReviewStage.DEPARTMENT
            else _("只有分拨中心的分拨员或督办员可以审核该答复。")
        )
    if review.status != ReviewStatus.PENDING:
        raise IllegalTransition(_("该答复当前为「%(status)s」，无需审核。") % {"status": review.get_status_display()})
    return review


def reply_review_approve(*, review_id: int, actor: User, note: str = "") -> ReplyReview:
    """Approve a held reply. After the department's head, the centre reviews it where its rules
    apply; the last approval sends it to the citizen, now: the case is answered at approval."""
    with transaction.atomic():
        review = _locked_pending(review_id, actor)
        assignment = assignment_under_lock(review.assignment_id)
        check_answerable(assignment)
        now = timezone.now()
        review.status, review.reviewer, review.note, review.decided_at = ReviewStatus.APPROVED, actor, note.strip(), now
        review.save(update_fields=["status", "reviewer", "note", "decided_at"])
        demand_transition(
            demand_id=assignment.demand_id,
            action=Action.REPLY_APPROVED,
            actor=actor,
            department=assignment.department,
            reason=review.note,
            data={"review": review.pk, "stage": review.stage},
            is_public=False,
        )
        if review.stage == ReviewStage.DEPARTMENT and centre_reviews(assignment):
            following = ReplyReview.objects.create(
                assignment=assignment,
                body=review.body,
                submitted_by=review.submitted_by,
                submitted_at=now,
                stage=ReviewStage.CENTRE,
            )
            reply_review_announce(following, actor=actor)
            return review
        demand = send_reply(assignment, author=review.submitted_by, actor=actor, body=review.body)
        _tell_author(review, demand, APPROVED)
    return review


def reply_review_send_back(*, review_id: int, actor: User, note: str) -> ReplyReview:
    """Send a held reply back to its author with what to change; they edit and submit it again.
    The case stays in hand and its clock runs on."""
    note = note.strip()
    if len(note) < 5:
        raise ValidationFailed(_("请写明退回修改的意见（至少5个字）。"), extra={"fields": {"note": _("内容太短。")}})
    with transaction.atomic():
        review = _locked_pending(review_id, actor)
        assignment = review.assignment
        review.status, review.reviewer, review.note, review.decided_at = (
            ReviewStatus.SENT_BACK,
            actor,
            note,
            timezone.now(),
        )
        review.save(update_fields=["status", "reviewer", "note", "decided_at"])
        demand = demand_transition(
            demand_id=assignment.demand_id,
            action=Action.REPLY_SENT_BACK,
            actor=actor,
            department=assignment.department,
            reason=note,
            data={"review": review.pk, "stage": review.stage},
            is_public=False,
        )
        _tell_author(review, demand, SENT_BACK, note=note)
    return review


def _tell_author(review: ReplyReview, demand: Demand, text: str, **params: object) -> None:
    message, wording = worded(text, number=demand.tracking_number, **params)
    Notification.objects.create(
        user_id=review.submitted_by_id, demand=demand, kind="reply_review", message=message[:255], data=wording
    )
