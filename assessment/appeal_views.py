"""The appeals page: a department head appeals a case of the month just closed; an auditor rules."""

from __future__ import annotations

import posixpath

from django import forms
from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessment.appeals import (
    DECIDERS,
    READERS,
    appeal_decide,
    appeal_submit,
    appeal_window,
    appealable_assignments,
    appeals_visible_to,
    last_closed_month,
)
from assessment.exports import CONTENT_TYPES, TRACKING_NUMBER, ExportSource, csv_lines
from assessment.models import ExportFormat
from config.form_fields import choice_field
from config.uploads import megabytes, upload_refusal
from demands.uploads import detect_type
from departments.access import has_role
from departments.models import Role
from departments.signed_in import StaffRequest
from dispatch.views.common import form_errors, paginate, perform, role_required


class AppealForm(forms.Form):
    assignment = forms.TypedChoiceField(label=gettext_lazy("申诉的诉求"), coerce=int)
    reason = forms.CharField(label=gettext_lazy("申诉理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    evidence = forms.FileField(label=gettext_lazy("证明材料"), required=False)

    def __init__(self, *args, choices=(), upload_refusal: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self.fields, "assignment").choices = choices
        self.fields["evidence"].help_text = _("一个 JPG、PNG、WEBP 图片或 PDF，不超过 %(mb)s MB。") % {
            "mb": megabytes(settings.ATTACHMENT_MAX_BYTES)
        }
        # Why the file was dropped while the request was read (config.uploads): it never reaches
        # the form, which would otherwise take the appeal without it.
        self.upload_refusal = upload_refusal

    def clean(self):
        if self.upload_refusal:
            self.add_error("evidence", self.upload_refusal)
        return super().clean()


class DecisionForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=gettext_lazy("裁定"),
        coerce=lambda value: value == "yes",
        choices=[("yes", gettext_lazy("申诉成立")), ("no", gettext_lazy("申诉驳回"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=gettext_lazy("裁定理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


def _choices(request: StaffRequest) -> list[tuple[int, str]]:
    return [
        (a.pk, f"{a.demand.tracking_number} · {a.demand.title} · {a.department.display_name} · {a.get_role_display()}")
        for a in appealable_assignments(request.user)
    ]


@role_required(*READERS)
def appeals(request: StaffRequest) -> HttpResponse:
    is_head = has_role(request.user, Role.HEAD)
    choices = _choices(request) if is_head else []
    page, query = paginate(request, appeals_visible_to(request.user))
    last_month = last_closed_month()
    opens, closes = appeal_window(last_month)
    context = {
        "page": page,
        "query": query,
        "is_head": is_head,
        "can_decide": has_role(request.user, *DECIDERS),
        "appeal_form": AppealForm(choices=choices) if choices else None,
        "decision_form": DecisionForm(auto_id="decide_%s"),
        "period": last_month,
        "window_opens": opens,
        "window_closes": closes,
    }
    return render(request, "assessment/appeals.html", context)


@require_POST
@role_required(Role.HEAD)
def appeal_new(request: StaffRequest) -> HttpResponse:
    form = AppealForm(request.POST, request.FILES, choices=_choices(request), upload_refusal=upload_refusal(request))
    if not form.is_valid():
        form_errors(request, form)
        return redirect("appeals")
    data = form.cleaned_data
    perform(
        request,
        lambda: appeal_submit(
            actor=request.user, assignment_id=data["assignment"], reason=data["reason"], evidence=data["evidence"]
        ),
        _("申诉已提交，等待考核员裁定。"),
    )
    return redirect("appeals")


@role_required(*READERS)
def appeal_evidence(request: StaffRequest, appeal_id: int) -> FileResponse:
    """An appeal's evidence, for those who see the appeal (its department's heads, the auditors):
    sent as the type its bytes are, to save, never shown as a page (see attachment_response)."""
    appeal = appeals_visible_to(request.user).filter(pk=appeal_id).first()
    if appeal is None or not appeal.evidence:
        raise Http404
    handle = appeal.evidence.open("rb")
    # Checked when it was sent (appeal_submit); read again so the stored name is never trusted.
    kind = detect_type(handle).content_type or "application/octet-stream"
    response = FileResponse(
        handle, as_attachment=True, filename=posixpath.basename(appeal.evidence.name), content_type=kind
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@role_required(*DECIDERS)
def appeal_rule(request: StaffRequest, appeal_id: int) -> HttpResponse:
    form = DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        perform(
            request,
            lambda: appeal_decide(
                actor=request.user, appeal_id=appeal_id, upheld=data["upheld"], reason=data["reason"]
            ),
            _("已裁定。"),
        )
    else:
        form_errors(request, form)
    return redirect("appeals")


def appeal_source(request: StaffRequest) -> ExportSource:
    appeals = appeals_visible_to(request.user).order_by("submitted_at", "pk")

    def rows():
        for appeal in appeals.iterator():
            yield [
                appeal.assignment.demand.tracking_number,
                appeal.department.name,
                appeal.period.strftime("%Y-%m"),
                appeal.reason,
                appeal.get_status_display(),
                timezone.localtime(appeal.submitted_at),
                timezone.localtime(appeal.decided_at) if appeal.decided_at else None,
                appeal.decision_reason,
            ]

    return ExportSource(
        kind="appeals",
        title=gettext_lazy("考核申诉"),
        header=[
            TRACKING_NUMBER,
            gettext_lazy("部门"),
            gettext_lazy("考核月份"),
            gettext_lazy("申诉理由"),
            gettext_lazy("状态"),
            gettext_lazy("提交时间"),
            gettext_lazy("裁定时间"),
            gettext_lazy("裁定理由"),
        ],
        count=appeals.count,
        rows=rows,
    )


@role_required(*DECIDERS)
def appeals_csv(request: StaffRequest) -> StreamingHttpResponse:
    """Every appeal and its ruling, for the record (CSV, as the other exports: text stays text)."""
    response = StreamingHttpResponse(
        csv_lines(appeal_source(request), language=get_language()), content_type=CONTENT_TYPES[ExportFormat.CSV]
    )
    response["Content-Disposition"] = 'attachment; filename="appeals.csv"'
    return response
