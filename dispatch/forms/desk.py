"""The dispatch officers' forms: intake by phone, dispatching, rulings, extensions, the desk's filters."""

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from config.form_fields import ConditionallyRequiredCharField, ConditionallyRequiredChoiceField, choice_field
from demands.models import Channel, DemandType
from departments.models import TERRITORIAL_KINDS, Street
from departments.pickers import department_choices, filterable
from departments.selectors import departments_for_choice
from dispatch.desk_queues import UNCLASSIFIED, DeskFilters
from dispatch.forms.citizen import RATINGS, DemandForm
from responsibility_lists.forms import LIMIT_FIELDS
from responsibility_lists.models import AmendmentKind, ListVersion, Matter
from responsibility_lists.selectors import top_category_names, version_in_force


class IntakeForm(DemandForm):
    channel = forms.ChoiceField(
        label=_("受理渠道"),
        choices=[(c.value, c.label) for c in (Channel.HOTLINE, Channel.LETTER, Channel.VISIT)],
        error_messages={"required": _("请选择受理渠道。"), "invalid_choice": _("请从列表中选择受理渠道。")},
    )
    # The operator records the citizen's words; consent is taken on the phone. (None is how Django
    # drops an inherited field; the stubs type the name as the field.)
    consent = None  # type: ignore[assignment]
    text_messages = forms.BooleanField(
        label=_("群众愿意接收短信通知（受理编号和办理进展）"), required=False, initial=True
    )

    # The operator fills it in for the caller: the words address the operator, not "you".
    OPERATOR_WORDING = {
        "title": (None, _("一句话概括群众反映的事情")),
        "content": (None, _("按群众所述记录：发生了什么、持续多久、希望怎样解决")),
        "community": (None, _("群众知道的话请选择；不确定可不选，系统会根据地址判断。")),
        "citizen_name": (_("来电人姓名"), None),
        "citizen_phone": (_("来电人联系电话"), None),
        "citizen_address": (_("来电人联系地址"), None),
        "attachments": (_("来信或来访材料"), None),
        "demand_type": (None, _("按群众所述选择；拿不准可不选，由分拨员判断。")),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (label, help_text) in self.OPERATOR_WORDING.items():
            if label is not None:
                self.fields[name].label = label
            if help_text is not None:
                self.fields[name].help_text = help_text


class MatterSelect(forms.Select):
    """A select of the list's matters whose options say which departments may lead each, so
    static/js/pickers.js offers only the chosen department's matters."""

    def __init__(self, *args, leads: dict[int, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.leads = leads or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value not in ("", None):
            option["attrs"]["data-departments"] = self.leads.get(int(str(value)), "")
        return option


@dataclass(frozen=True)
class MatterChoice:
    pk: int
    code: str
    name: str
    lead_department_id: int | None


def matter_choices(version: ListVersion | None) -> list[MatterChoice]:
    """The version's matters as the dispatch form offers them: four columns of each, not the
    matters with their categories and departments (hundreds of model instances on every case page)."""
    if version is None:
        return []
    rows = (
        Matter.objects.filter(version=version).order_by("code").values_list("pk", "code", "name", "lead_department_id")
    )
    return [MatterChoice(*row) for row in rows]


def matter_leads(matters: list[MatterChoice]) -> dict[int, set[int]]:
    """Matter id → the departments that may lead it: its lead department, or every street office
    and community where the list says the territory leads."""
    territorial = {d.pk for d in departments_for_choice() if d.kind in TERRITORIAL_KINDS}
    # A matter has exactly one kind of lead (a constraint): no lead department is the territory.
    return {m.pk: territorial if m.lead_department_id is None else {m.lead_department_id} for m in matters}


class DispatchForm(forms.Form):
    department = forms.TypedChoiceField(label=_("主办部门"), coerce=int, choices=())
    matter = forms.TypedChoiceField(
        label=_("清单事项"),
        coerce=int,
        choices=(),
        required=False,
        empty_value=None,
        help_text=_("现行清单中由所选部门主办的事项，可按名称或编码筛选；不确定时可不选。"),
    )
    assisting = forms.TypedMultipleChoiceField(
        label=_("协办部门"),
        coerce=int,
        choices=(),
        required=False,
        help_text=_("可多选：按住 Ctrl（Mac 上按住 ⌘）点选。"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    note = forms.CharField(label=_("派单说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = department_choices()
        choice_field(self.fields, "department").choices = choices
        choice_field(self.fields, "assisting").choices = choices[1:]
        filterable(self.fields["department"])
        filterable(self.fields["assisting"])
        # Only the version in force: a dispatch under a draft or a retired version is refused.
        matters = matter_choices(version_in_force())
        self.leads = matter_leads(matters)
        field = choice_field(self.fields, "matter")
        field.choices = [("", "—")] + [(m.pk, f"{m.code} {m.name}") for m in matters]
        field.widget = MatterSelect(
            choices=field.choices, leads={pk: " ".join(map(str, sorted(ids))) for pk, ids in self.leads.items()}
        )
        field.widget.attrs.update({"data-filter": _("输入事项名称或编码筛选"), "data-follows": "department"})

    def clean(self):
        super().clean()
        data = self.cleaned_data
        matter, department = data.get("matter"), data.get("department")
        # A matter another department leads would skew the per-matter figures and amendments.
        if matter and department and department not in self.leads.get(matter, set()):
            self.add_error("matter", _("所选事项不由该主办部门负责，请另选事项或不选。"))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))


class MergeForm(forms.Form):
    original = forms.CharField(label=_("原诉求受理编号"), max_length=32)
    note = forms.CharField(label=_("说明"), required=False)


class RuleForm(forms.Form):
    uphold = forms.TypedChoiceField(
        label=_("裁定"),
        coerce=lambda v: v == "1",
        choices=[("1", _("退单成立，改派")), ("0", _("退单不成立，退回原部门"))],
        widget=forms.RadioSelect,
    )
    # Required when the return is upheld, unused when it is overruled: checked in clean().
    department = ConditionallyRequiredChoiceField(
        label=_("改派部门"), coerce=int, choices=(), required=False, empty_value=None, help_text=_("退单成立时必选")
    )
    # Required but where the case goes to the department the returning one suggested (the service
    # then words the ruling itself).
    note = ConditionallyRequiredCharField(
        label=_("裁定意见"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    propose_amendment = forms.BooleanField(label=_("同时建议清单把改派部门改为该事项的主责部门"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self.fields, "department").choices = department_choices()
        filterable(self.fields["department"])
        if self.initial.get("department"):  # the return suggested one (see the desk's page)
            self.fields["note"].help_text = _("改派至退单部门建议的部门时可不填")

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        if data.get("uphold") and not data.get("department"):
            self.add_error("department", _("退单成立时须选择改派部门。"))
        return data


class AmendmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("修订类型"), choices=AmendmentKind.choices)
    department = forms.TypedChoiceField(
        label=_("部门（变更主责或增加协办时）"), coerce=int, choices=(), required=False, empty_value=None
    )
    territorial = forms.BooleanField(label=_("属地（代替具体部门）"), required=False)
    keyword = forms.CharField(label=_("关键词（增删关键词时）"), max_length=64, required=False)
    limit_field = forms.ChoiceField(
        label=_("时限（调整时限时）"),
        required=False,
        choices=[("", "—"), *[(name, label) for name, label in LIMIT_FIELDS]],
    )
    limit_value = forms.DecimalField(
        label=_("新时限"), required=False, min_value=0.01, max_value=9999.99, max_digits=6, decimal_places=2
    )
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self.fields, "department").choices = department_choices()
        filterable(self.fields["department"])


class DecideExtensionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("审批"),
        coerce=lambda v: v == "1",
        choices=[("1", _("批准")), ("0", _("驳回"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("审批意见"), required=False)


class DeskFilterForm(forms.Form):
    """The dispatch dashboard's filters, read from the query string."""

    AGES = [("", _("不限")), ("1", _("超过1天")), ("3", _("超过3天")), ("7", _("超过7天"))]

    category = forms.ChoiceField(label=_("类别"), required=False)
    street = forms.TypedChoiceField(label=_("街道"), coerce=int, required=False, empty_value=None)
    channel = forms.ChoiceField(label=_("渠道"), required=False, choices=[("", _("不限")), *Channel.choices])
    # "未分类" is a value of its own here (blank means "any"), so the dispatcher can find the
    # demands still waiting for a type.
    demand_type = forms.ChoiceField(
        label=_("诉求类型"),
        required=False,
        choices=[("", _("不限")), *((value or UNCLASSIFIED, label) for value, label in DemandType.choices)],
    )
    age = forms.TypedChoiceField(label=_("已提交"), coerce=int, required=False, empty_value=None, choices=AGES)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        choice_field(self.fields, "category").choices = [
            ("", _("不限")),
            *((name, name) for name in top_category_names()),
        ]
        choice_field(self.fields, "street").choices = [("", _("不限")), *Street.objects.values_list("pk", "name")]

    def filters(self) -> DeskFilters:
        if not self.is_valid():
            return DeskFilters()
        data = self.cleaned_data
        return DeskFilters(
            category=data["category"],
            street_id=data["street"],
            channel=data["channel"],
            demand_type=data["demand_type"],
            older_than_days=data["age"],
        )


class SuperviseForm(forms.Form):
    """A supervisor's supervision by hand (人工督办): the note and when the department must answer.
    Which of the two deadlines is given, and whether the date is after today, the service decides."""

    note = forms.CharField(
        label=_("督办意见"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("写明要求承办部门做什么、说明什么。"),
    )
    working_hours = forms.DecimalField(
        label=_("反馈时限（工作小时）"),
        required=False,
        min_value=Decimal("0.5"),
        max_digits=5,
        decimal_places=1,
        help_text=_("按工作时间计算；或在下面选择反馈日期，二者选一。"),
    )
    respond_by = forms.DateField(
        label=_("反馈日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("当天下班前反馈。"),
    )


class ConveneForm(forms.Form):
    """A consultation on a hard case (疑难件会商): who took part and what they decided."""

    participants = forms.TypedMultipleChoiceField(
        label=_("参会部门"),
        coerce=int,
        choices=(),
        help_text=_("可多选：按住 Ctrl（Mac 上按住 ⌘）点选。"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    lead = forms.TypedChoiceField(label=_("会商确定的主办单位"), coerce=int, choices=())
    assisting = forms.TypedMultipleChoiceField(
        label=_("会商确定的协办单位"),
        coerce=int,
        choices=(),
        required=False,
        help_text=_("须是参会部门；可多选。"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    decision = forms.CharField(label=_("会商意见"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    propose_amendment = forms.BooleanField(label=_("据此建议修订清单：该事项改由会商确定的单位主办"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = department_choices()
        choice_field(self.fields, "lead").choices = choices
        choice_field(self.fields, "participants").choices = choices[1:]
        choice_field(self.fields, "assisting").choices = choices[1:]
        for name in ("participants", "lead", "assisting"):
            filterable(self.fields[name])


class InstructionForm(forms.Form):
    """A leader's instruction (领导批示), recorded by a supervisor or an administrator: the leader,
    the instruction and when the lead department must answer (working hours or a date, one of two)."""

    leader_name = forms.CharField(label=_("批示领导"), max_length=64, help_text=_("职务和姓名，如：区长 张某。"))
    text = forms.CharField(label=_("批示内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    working_hours = forms.DecimalField(
        label=_("限时反馈（工作小时）"),
        required=False,
        min_value=Decimal("0.5"),
        max_digits=5,
        decimal_places=1,
        help_text=_("按工作时间计算；或在下面选择最迟反馈日，二者选一。"),
    )
    respond_by = forms.DateField(
        label=_("最迟反馈日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("当天下班前反馈。"),
    )


class PhoneRatingForm(forms.Form):
    """The rating a citizen gave by phone, recorded by the staff member who took the call."""

    rating = forms.TypedChoiceField(label=_("群众的满意度"), coerce=int, choices=RATINGS, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("群众的评价意见"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    reopen = forms.BooleanField(
        label=_("群众不满意，要求重办"),
        required=False,
        help_text=_("仅限不满意的评价；请在评价意见中写明群众不满意的原因。"),
    )


class DemandTypeForm(forms.Form):
    """The dispatcher's correction of the demand's type on the case page."""

    demand_type = forms.ChoiceField(
        label=_("诉求类型"),
        choices=[(value, label) for value, label in DemandType.choices if value],
        error_messages={"required": _("请选择诉求类型。"), "invalid_choice": _("请从列表中选择诉求类型。")},
    )
