"""The forms of passing a case down (下派) or inside a department (内部派单), and of its answer."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from config.form_fields import choice_field


class PassDownForm(forms.Form):
    community = forms.TypedChoiceField(label=_("下派社区"), coerce=int, choices=())
    respond_by = forms.DateField(
        label=_("答复期限（日期）"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("留空则为本单位办理期限前一个工作日；须在本单位办理期限之内。"),
    )
    note = forms.CharField(label=_("下派说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, communities: list[tuple[int, str]] = (), **kwargs):  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        choice_field(self.fields, "community").choices = list(communities)


class InternalAssignForm(forms.Form):
    # "u<id>" a handler of the department, "s<id>" one of its sections.
    holder = forms.ChoiceField(label=_("派给"), choices=())
    respond_by = forms.DateField(
        label=_("办理期限（日期）"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("留空则与本部门办理期限相同。"),
    )
    note = forms.CharField(label=_("派单说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, holders: list[tuple[str, str]] = (), **kwargs):  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        choice_field(self.fields, "holder").choices = list(holders)


class DelegationAnswerForm(forms.Form):
    body = forms.CharField(label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 4}))


class SendUpForm(forms.Form):
    reason = forms.CharField(label=_("上报理由"), widget=forms.Textarea(attrs={"rows": 2}))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤回说明"), required=False, max_length=500)
