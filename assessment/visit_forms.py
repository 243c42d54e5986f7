"""The callback officer's form: one call, reached or not, and what the citizen said."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from assessment.models import Resolution, Satisfaction
from assessment.visit_calls import CallOutcome

REACHED, NOT_REACHED = "reached", "not_reached"
YES_NO = [("yes", _("是")), ("no", _("否"))]


class VisitRecordForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("本次拨打"),
        choices=[(REACHED, _("已联系上群众")), (NOT_REACHED, _("未接通"))],
        widget=forms.RadioSelect,
    )
    contacted_in_time = forms.ChoiceField(
        label=_("承办部门是否及时联系了群众"), choices=YES_NO, required=False, widget=forms.RadioSelect
    )
    resolution = forms.ChoiceField(
        label=_("解决情况"), choices=Resolution.choices, required=False, widget=forms.RadioSelect
    )
    satisfaction = forms.ChoiceField(
        label=_("满意程度"), choices=Satisfaction.choices, required=False, widget=forms.RadioSelect
    )
    notes = forms.CharField(label=_("回访记录"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reopen = forms.BooleanField(
        label=_("群众不满意，申请重办"),
        required=False,
        help_text=_("诉求退回原承办部门重新办理；每件诉求只能重办一次。"),
    )
    reopen_reason = forms.CharField(
        label=_("不满意的原因"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("承办部门和群众都会看到。"),
    )

    def outcome_value(self) -> CallOutcome:
        data = self.cleaned_data
        reached = data["outcome"] == REACHED
        in_time = {"yes": True, "no": False}.get(data.get("contacted_in_time") or "")
        return CallOutcome(
            reached=reached,
            contacted_in_time=in_time if reached else None,
            resolution=(data.get("resolution") or "") if reached else "",
            satisfaction=(data.get("satisfaction") or "") if reached else "",
            notes=data.get("notes") or "",
            reopen=bool(data.get("reopen")),
            reopen_reason=data.get("reopen_reason") or "",
        )
