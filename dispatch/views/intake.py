"""Intake by phone or at the counter: an operator enters the demand a citizen tells them."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from config.uploads import upload_refusal
from demands.models import DemandType
from demands.services import demand_submit
from departments.access import DISPATCH_ROLES
from departments.models import Role
from departments.signed_in import StaffRequest
from dispatch.duplicates import open_repeat_of
from dispatch.forms.desk import IntakeForm
from dispatch.forms.knowledge import DirectAnswerForm
from dispatch.services import (
    demand_follow_up,
)
from dispatch.services.direct_answers import demand_answer_directly
from dispatch.views.common import form_errors, perform, posted, role_required
from routing.knowledge import articles_for_text

# The intake form's knowledge-base buttons: look up the answer to the caller's question, and
# register it and answer it in one go (首问办结).
SUGGEST, ANSWER = "suggest", "answer"


@role_required(Role.INTAKE_OPERATOR, *DISPATCH_ROLES)
def intake(request: StaffRequest) -> HttpResponse:
    """An intake operator enters a demand taken by phone, letter or visit. A caller repeating
    their own open demand is caught here too: the operator adds the call to it as a follow-up,
    or still registers it as new. A caller's question the knowledge base answers is registered
    and answered at once."""
    knowledge = request.POST.get("knowledge", "") if request.method == "POST" else ""
    if knowledge == SUGGEST:
        return _suggest(request)
    form = IntakeForm(posted(request), request.FILES or None, upload_refusal=upload_refusal(request))
    receipt = None
    if request.method == "POST" and form.is_valid():
        data, choice = form.submission(), request.POST.get("repeat", "")
        if knowledge == ANSWER:
            receipt = _register_and_answer(request, form)
            if receipt is None:
                return _suggest(request, form=form)
            form = IntakeForm()
        elif choice == "follow_up":
            followed = _intake_follow_up(request, form)
            if followed:
                return redirect("intake")
        elif choice != "new" and (
            repeat := open_repeat_of(phone=data["citizen_phone"], title=data["title"], content=data["content"])
        ):
            context = {"form": form, "repeat_of": repeat.tracking_number, "files_left": bool(data["attachments"])}
            return render(request, "dispatch/intake.html", context)
        else:
            done = {}

            def submit() -> None:
                done["submission"] = demand_submit(
                    **data, channel=form.cleaned_data["channel"], entered_by=request.user
                )

            if perform(request, submit, _("已登记。请把受理编号和查询码告知群众。")):
                submission = done["submission"]
                receipt = {
                    "tracking_number": submission.demand.tracking_number,
                    "query_code": submission.query_code,
                    # A question may still be answered directly from its page, until it is dispatched.
                    "question": submission.demand.demand_type == DemandType.QUESTION,
                }
                form = IntakeForm()
    elif request.method == "POST" and knowledge == ANSWER:
        return _suggest(request, form=form)
    return render(request, "dispatch/intake.html", {"form": form, "receipt": receipt})


def _suggest(request: StaffRequest, *, form: IntakeForm | None = None) -> HttpResponse:
    """The intake form as the operator filled it in, with the knowledge base's answers to the
    caller's words beside it, each ready to be sent (nothing is registered yet)."""
    text = f"{request.POST.get('title', '')}\n{request.POST.get('content', '')}"
    context = {
        # Unbound, so that looking an answer up does not flag the fields not filled in yet.
        "form": form or IntakeForm(initial=request.POST.dict()),
        "articles": articles_for_text(text),
        "suggested": True,
        "answer_form": DirectAnswerForm(request.POST if form is not None else None, auto_id="direct_%s"),
    }
    return render(request, "dispatch/intake.html", context)


def _register_and_answer(request: StaffRequest, form: IntakeForm) -> dict | None:
    """Register the caller's question and answer it directly, in one transaction: a refused answer
    (not a question, too short) registers nothing, and the operator can put it right."""
    answer = DirectAnswerForm(request.POST)
    if not answer.is_valid():
        form_errors(request, answer)
        return None
    done = {}

    def submit_and_answer() -> None:
        with transaction.atomic():
            submission = demand_submit(
                **form.submission(), channel=form.cleaned_data["channel"], entered_by=request.user
            )
            demand_answer_directly(
                demand_id=submission.demand.pk,
                actor=request.user,
                body=answer.cleaned_data["body"],
                article_id=answer.cleaned_data["article"],
            )
        done["submission"] = submission

    if not perform(
        request,
        submit_and_answer,
        _("已登记并直接答复，诉求已办结。请把受理编号和查询码告知群众，群众可凭此查看答复并评价。"),
    ):
        return None
    submission = done["submission"]
    return {"tracking_number": submission.demand.tracking_number, "query_code": submission.query_code, "answered": True}


def _intake_follow_up(request: StaffRequest, form: IntakeForm) -> bool:
    data = form.cleaned_data
    done = {}

    def follow_up() -> None:
        done["demand"] = demand_follow_up(
            tracking_number=request.POST.get("repeat_of", ""),
            citizen_name=data["citizen_name"],
            citizen_phone=data["citizen_phone"],
            title=data["title"],
            content=data["content"],
            channel=data["channel"],
            entered_by=request.user,
        )

    if not perform(request, follow_up, ""):
        return False
    demand = done["demand"]
    messages.success(
        request,
        _("已作为催办记入 %(number)s（第 %(count)s 次），没有生成新的受理编号。请告知来电人原受理编号。")
        % {"number": demand.tracking_number, "count": demand.follow_up_count},
    )
    return True
