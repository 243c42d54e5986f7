"""Which replies wait for review before the citizen sees them (答复审核), and holding one.
A department that asks for it has its head approve every reply written by someone else; the
centre reviews the replies its rules name (a category of the list or a matter) and, with
CENTRE_REVIEWS_SUPERVISED_REPLIES, those of cases under supervision. The decisions on a held
reply are in dispatch.services.reply_reviews."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from demands.services import demand_transition
from demands.wording import worded
from demands.workflow import Action
from departments.access import has_role, works_in
from departments.models import Membership, Role
from dispatch.models import (
    Assignment,
    CentreReviewRule,
    Notification,
    ReplyReview,
    ReviewStage,
    ReviewStatus,
    Supervision,
)

# Who reviews at the centre: the dispatch officers (who placed the case and know the list) and the
# supervisors (who follow the supervised cases), and the administrator.
CENTRE_REVIEWER_ROLES = (Role.DISPATCH_OFFICER, Role.SUPERVISOR, Role.ADMIN)

WAITS_FOR_HEAD = gettext_noop("%(number)s：%(author)s 提交的答复待您审核。")


def centre_reviews(assignment: Assignment) -> bool:
    """Whether the centre reviews this lead's reply: a rule names its matter or a category it is
    in (by name, so a rule holds across list versions), or the case is or was under supervision."""
    matter = assignment.matter
    if matter is not None:
        category = matter.category
        names = [category.name] + ([category.parent.name] if category.parent is not None else [])
        rules = CentreReviewRule.objects.filter(is_active=True)
        if rules.filter(Q(matter_code=matter.code) | Q(category_name__in=names)).exists():
            return True
    if settings.CENTRE_REVIEWS_SUPERVISED_REPLIES:
        return Supervision.objects.filter(assignment__demand_id=assignment.demand_id).exists()
    return False


def first_review_stage(assignment: Assignment, author: User) -> str | None:
    """Where a reply by `author` goes first: to the department's head, to the centre, or (None)
    straight to the citizen. A head's own reply needs no head's approval."""
    department = assignment.department
    # A department without a head has no one to approve: its replies are not held for nobody.
    if (
        department.reply_needs_review
        and not works_in(author, department, Role.HEAD)
        and Membership.objects.filter(department=department, role=Role.HEAD).exists()
    ):
        return ReviewStage.DEPARTMENT
    if centre_reviews(assignment):
        return ReviewStage.CENTRE
    return None


def may_review(user: User | None, review: ReplyReview) -> bool:
    """The department's stage is its heads'; the centre's, its reviewers'."""
    if review.stage == ReviewStage.DEPARTMENT:
        return works_in(user, review.assignment.department, Role.HEAD)
    return has_role(user, *CENTRE_REVIEWER_ROLES)


def pending_review(assignment_id: int) -> ReplyReview | None:
    return ReplyReview.objects.filter(assignment_id=assignment_id, status=ReviewStatus.PENDING).first()


def reply_hold(*, assignment: Assignment, author: User, body: str, stage: str) -> ReplyReview:
    """Hold a locked lead's reply for review at `stage` instead of sending it: the case stays in
    hand (its clock runs on) and the citizen hears nothing until it is approved. Call inside the
    transaction of the reply."""
    review = ReplyReview.objects.create(
        assignment=assignment, body=body, submitted_by=author, submitted_at=timezone.now(), stage=stage
    )
    reply_review_announce(review, actor=author)
    return review


def reply_review_announce(review: ReplyReview, *, actor: User) -> None:
    """Record that a reply waits at its stage, and tell a department's heads it waits for them
    (the centre's reviewers see it in their queue on the desk)."""
    assignment = review.assignment
    demand = demand_transition(
        demand_id=assignment.demand_id,
        action=Action.REPLY_SUBMITTED,
        actor=actor,
        department=assignment.department,
        reason=review.body,
        data={"review": review.pk, "stage": review.stage},
        is_public=False,
    )
    if review.stage != ReviewStage.DEPARTMENT:
        return
    message, wording = worded(WAITS_FOR_HEAD, number=demand.tracking_number, author=review.submitted_by.get_username())
    heads = Membership.objects.filter(department_id=assignment.department_id, role=Role.HEAD).values_list(
        "user_id", flat=True
    )
    Notification.objects.bulk_create(
        Notification(user_id=user_id, demand=demand, kind=Action.REPLY_SUBMITTED, message=message[:255], data=wording)
        for user_id in set(heads)
    )
