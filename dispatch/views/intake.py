"""Intake by phone or at the counter: an operator enters the demand a citizen tells them."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from config.uploads import upload_refusal
from demands.services import demand_submit
from departments.access import DISPATCH_ROLES
from departments.models import Role
from departments.signed_in import StaffRequest
from dispatch.duplicates import open_repeat_of
from dispatch.forms.desk import IntakeForm
from dispatch.services import (
    demand_follow_up,
)
from dispatch.views.common import perform, posted, role_required


@role_required(Role.INTAKE_OPERATOR, *DISPATCH_ROLES)
def intake(request: StaffRequest) -> HttpResponse:
    """An intake operator enters a demand taken by phone, letter or visit. A caller repeating
    their own open demand is caught here too: the operator adds the call to it as a follow-up,
    or still registers it as new."""
    form = IntakeForm(posted(request), request.FILES or None, upload_refusal=upload_refusal(request))
    receipt = None
    if request.method == "POST" and form.is_valid():
        data, choice = form.submission(), request.POST.get("repeat", "")
        if choice == "follow_up":
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
                }
                form = IntakeForm()
    return render(request, "dispatch/intake.html", {"form": form, "receipt": receipt})


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
