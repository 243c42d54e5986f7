"""The callback visit queue (回访): due visits by deadline, overdue first; a visit's page with the
answer it asks about, the citizen's phone (each view of it recorded) and the form for the call."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessment.models import VISIT_ATTEMPTS, CallbackVisit, VisitStatus
from assessment.visit_calls import visit_record
from assessment.visit_forms import VisitRecordForm
from assessment.visit_queries import VISIT_READERS, answer_of, visits_due, visits_finished
from demands.privacy import mask_name, mask_phone
from demands.selectors import full_timeline
from demands.services import awaits_rating, demand_disclose_contact
from demands.workflow import Action
from departments.access import has_role
from departments.models import Role
from departments.signed_in import StaffRequest
from dispatch.forms.desk import PhoneRatingForm
from dispatch.forms.workbench import DiscloseForm
from dispatch.views.common import form_errors, paginate, perform, perform_form, role_required

readers_required = role_required(*VISIT_READERS)
officer_required = role_required(Role.CALLBACK_OFFICER)


@readers_required
def visits(request: StaffRequest) -> HttpResponse:
    page, page_query = paginate(request, visits_due())
    context = {
        "visits": page,
        "page": page,
        "page_query": page_query,
        "overdue": visits_due().filter(due_at__lt=timezone.now()).count(),
        "finished": visits_finished(),
        "attempts_allowed": VISIT_ATTEMPTS,
        "now": timezone.now(),
    }
    return render(request, "assessment/visits.html", context)


def _visit(visit_id: int) -> CallbackVisit:
    visit = CallbackVisit.objects.select_related("demand", "department").filter(pk=visit_id).first()
    if visit is None:
        raise Http404
    return visit


@readers_required
def visit_detail(request: StaffRequest, visit_id: int) -> HttpResponse:
    visit = _visit(visit_id)
    demand = visit.demand
    is_officer = has_role(request.user, Role.CALLBACK_OFFICER)
    # The phone is the callback officer's to see, once they ask (the view is recorded); an
    # anonymised demand has none left to show.
    show_contact = is_officer and demand.pk in request.session.get("disclosed", []) and demand.anonymised_at is None
    calls = [
        event for event in full_timeline(demand).filter(action=Action.VISIT) if event.data.get("visit") == visit.pk
    ]
    context = {
        "visit": visit,
        "demand": demand,
        "answer": answer_of(visit),
        "citizen_name": demand.citizen_name if show_contact else mask_name(demand.citizen_name),
        "citizen_phone": demand.citizen_phone if show_contact else mask_phone(demand.citizen_phone),
        "show_contact": show_contact,
        "is_officer": is_officer,
        "calls": calls,
        "form": VisitRecordForm(auto_id="visit_%s") if is_officer and visit.is_due else None,
        "disclose_form": DiscloseForm(auto_id="contact_%s", initial={"purpose": _("电话回访诉求人")}),
        # A citizen who gives the stars themselves on the call: recorded as their own rating.
        "phone_rating_form": PhoneRatingForm(auto_id="phone_rating_%s")
        if is_officer and awaits_rating(demand)
        else None,
        "attempts_allowed": VISIT_ATTEMPTS,
        "now": timezone.now(),
    }
    return render(request, "assessment/visit_detail.html", context)


@require_POST
@officer_required
def record(request: StaffRequest, visit_id: int) -> HttpResponse:
    _visit(visit_id)
    form = VisitRecordForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("visit", visit_id=visit_id)
    if not perform(
        request, lambda: visit_record(visit_id=visit_id, actor=request.user, outcome=form.outcome_value()), ""
    ):
        return redirect("visit", visit_id=visit_id)
    visit = CallbackVisit.objects.get(pk=visit_id)
    if visit.status == VisitStatus.DUE:
        messages.success(request, _("已记录未接通（第 %(n)s 次），请稍后再拨。") % {"n": visit.attempts})
        return redirect("visit", visit_id=visit_id)
    messages.success(request, _("回访已记录：%(status)s。") % {"status": visit.get_status_display()})
    return redirect("visits")


@require_POST
@officer_required
def disclose_contact(request: StaffRequest, visit_id: int) -> HttpResponse:
    """Unmask the citizen's name and phone for this session; the disclosure is recorded."""
    visit = _visit(visit_id)
    if perform_form(
        request,
        DiscloseForm,
        lambda data: demand_disclose_contact(demand=visit.demand, user=request.user, purpose=data["purpose"]),
        _("已显示联系电话，本次查看已记录。"),
    ):
        request.session["disclosed"] = sorted(set(request.session.get("disclosed", [])) | {visit.demand_id})
    return redirect("visit", visit_id=visit_id)
