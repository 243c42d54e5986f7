"""Decisions on replies held for review (答复审核): a department's head decides on the workbench
(the queue 待我审核的答复 and the case's page), the centre's reviewers on the desk."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from departments.models import Role
from departments.signed_in import StaffRequest
from dispatch.forms.workbench import ReviewDecisionForm
from dispatch.models import ReplyReview, ReviewStage, ReviewStatus
from dispatch.services.reply_reviews import reply_review_approve, reply_review_send_back
from dispatch.services.review_rules import CENTRE_REVIEWER_ROLES, may_review
from dispatch.views.common import perform_form, role_required

review_deciders = role_required(Role.HEAD, *CENTRE_REVIEWER_ROLES)


@require_POST
@review_deciders
def decide(request: StaffRequest, review_id: int) -> HttpResponse:
    review = (
        ReplyReview.objects.select_related("assignment__demand", "assignment__department").filter(pk=review_id).first()
    )
    # Another department's reply is not the head's to see, not even that it exists.
    if review is None or not may_review(request.user, review):
        raise Http404

    def act(data: dict) -> ReplyReview:
        if data["approve"]:
            return reply_review_approve(review_id=review_id, actor=request.user, note=data["note"])
        return reply_review_send_back(review_id=review_id, actor=request.user, note=data["note"])

    if perform_form(request, ReviewDecisionForm, act, ""):
        decided = ReplyReview.objects.get(pk=review_id)
        number = review.assignment.demand.tracking_number
        if decided.status == ReviewStatus.SENT_BACK:
            text = _("已将 %(number)s 的答复退回修改。")
        elif ReplyReview.objects.filter(assignment_id=review.assignment_id, status=ReviewStatus.PENDING).exists():
            text = _("已通过 %(number)s 的答复，转分拨中心审核。")
        else:
            text = _("已通过 %(number)s 的答复，已发送群众。")
        messages.success(request, text % {"number": number})
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(target)
    if review.stage == ReviewStage.DEPARTMENT:
        return redirect("workbench-assignment", assignment_id=review.assignment_id)
    return redirect(f"{reverse('desk')}?queue=reviews")
