"""The departments' forms on a case: reply, return, extension, contact, questions to the citizen."""

from django import forms
from django.utils.translation import gettext_lazy as _

from config.form_fields import choice_field
from departments.pickers import department_choices, filterable
from dispatch.models import MAX_EXTENSION_DAYS, ReturnReason


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 5}))


class ReturnForm(forms.Form):
    reason_code = forms.ChoiceField(label=_("退单原因"), choices=ReturnReason.choices)
    reason = forms.CharField(label=_("退单说明"), widget=forms.Textarea(attrs={"rows": 3}))
    suggested_department = forms.TypedChoiceField(
        label=_("建议承办部门"), coerce=int, choices=(), required=False, empty_value=None
    )

    def __init__(self, *args, own_department_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # A department does not suggest itself for the case it is returning.
        choice_field(self.fields, "suggested_department").choices = [
            choice for choice in department_choices() if choice[0] != own_department_id
        ]
        filterable(self.fields["suggested_department"])


class ExtensionForm(forms.Form):
    extra_days = forms.DecimalField(
        label=_("延长工作日"), min_value=0.5, max_value=MAX_EXTENSION_DAYS, decimal_places=1
    )
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 2}))


class DiscloseForm(forms.Form):
    purpose = forms.CharField(label=_("查看用途"), max_length=200, initial=_("电话联系诉求人核实情况"))


class InfoRequestForm(forms.Form):
    question = forms.CharField(
        label=_("需要群众补充的内容"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("群众在查询页看到并作答；等待期间办理时限暂停计时。"),
    )


class SupervisionAnswerForm(forms.Form):
    response = forms.CharField(
        label=_("督办反馈"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("说明办理进展、未按期办结的原因和预计办结时间。"),
    )


class InstructionAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("批示反馈"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("说明落实批示的措施、进展和结果。"),
    )


class NoteForm(forms.Form):
    body = forms.CharField(label=_("沟通内容"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


class ReplyTemplateForm(forms.Form):
    department = forms.TypedChoiceField(label=_("部门"), coerce=int)
    title = forms.CharField(label=_("模板名称"), max_length=60)
    body = forms.CharField(
        label=_("模板内容"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("可用占位符：{受理编号} {标题} {部门} {日期}，插入时自动替换。"),
    )

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self.fields, "department").choices = [(d.pk, d.name) for d in departments]


class ReviewDecisionForm(forms.Form):
    """A reviewer's decision on a reply held for review: approve it, or send it back with a note."""

    approve = forms.TypedChoiceField(
        label=_("审核"),
        coerce=lambda v: v == "1",
        choices=[("1", _("通过")), ("0", _("退回修改"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("审核意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
