from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from config.uploads import megabytes, too_large_message, too_many_files_message
from demands.models import CONTENT_MAX_LENGTH, CONTENT_TOO_LONG, TITLE_MAX_LENGTH, TITLE_TOO_LONG, Channel
from demands.services import attachments_problem, submission_errors
from departments.models import TERRITORIAL_KINDS, Street
from departments.pickers import filterable
from departments.selectors import community_choices, departments_for_choice
from dispatch.desk_queues import DeskFilters
from dispatch.models import ReturnReason
from responsibility_lists.forms import LIMIT_FIELDS
from responsibility_lists.models import AmendmentKind, Matter, Urgency
from responsibility_lists.selectors import matters_of, top_category_names, version_in_force


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


# A field with a limit shows how much of it is used (static/js/forms.js fills the numbers in).
COUNTER = _("已输入 %(count)s / %(limit)s 字")


class DemandForm(forms.Form):
    """Every message names its field in words ("请填写标题。"), so the summary above the form and
    the line under each field say what to do without Django's generic "This field is required."."""

    title = forms.CharField(
        label=_("标题"),
        max_length=TITLE_MAX_LENGTH,
        help_text=_("一句话说明您反映的事情"),
        error_messages={"required": _("请填写标题。"), "max_length": TITLE_TOO_LONG},
        widget=forms.TextInput(attrs={"data-counter": COUNTER}),
    )
    content = forms.CharField(
        label=_("诉求内容"),
        max_length=CONTENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6, "data-counter": COUNTER}),
        help_text=_("发生了什么、持续多久、希望怎样解决"),
        error_messages={"required": _("请填写诉求内容。"), "max_length": CONTENT_TOO_LONG},
    )
    community = forms.TypedChoiceField(
        label=_("所在社区"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("知道的话请选择；不确定可不选，我们会根据地址判断。"),
        error_messages={"invalid_choice": _("所选社区不存在，请重新选择。")},
    )
    location_text = forms.CharField(
        label=_("事发地点"),
        max_length=255,
        required=False,
        help_text=_("街道、社区、路名、小区或门牌号"),
        error_messages={"max_length": _("事发地点不能超过255字。")},
    )
    category_hint = forms.ChoiceField(
        label=_("问题类别"), required=False, error_messages={"invalid_choice": _("请从列表中选择问题类别。")}
    )
    urgency = forms.ChoiceField(
        label=_("紧急程度"),
        choices=Urgency.choices,
        initial=Urgency.NORMAL,
        error_messages={"required": _("请选择紧急程度。"), "invalid_choice": _("请从列表中选择紧急程度。")},
    )
    citizen_name = forms.CharField(
        label=_("您的姓名"),
        max_length=64,
        error_messages={"required": _("请填写姓名。"), "max_length": _("姓名不能超过64字。")},
    )
    citizen_phone = forms.CharField(
        label=_("联系电话"),
        max_length=32,
        error_messages={"required": _("请填写联系电话。"), "max_length": _("请填写有效的联系电话。")},
    )
    citizen_address = forms.CharField(
        label=_("联系地址"),
        max_length=255,
        required=False,
        error_messages={"max_length": _("联系地址不能超过255字。")},
    )
    text_messages = forms.BooleanField(
        label=_("用短信告诉我受理编号和办理进展（受理、需补充信息、答复）"), required=False, initial=True
    )
    attachments = MultipleFileField(
        label=_("照片或材料"),
        required=False,
    )
    consent = forms.BooleanField(
        label=_("我已阅读并同意《个人信息使用说明》：联系方式仅用于办理本诉求，工作人员查看会被记录。"),
        error_messages={"required": _("请阅读并勾选同意《个人信息使用说明》后再提交。")},
    )

    SUBMISSION_FIELDS = (
        "title", "content", "location_text", "urgency", "citizen_name", "citizen_phone", "citizen_address",
        "attachments", "category_hint", "text_messages",
    )  # fmt: skip

    def __init__(self, *args, upload_refusal: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        # Why files were dropped while the request was read (config.uploads): those files never
        # reach the form, so it is told, and refuses the submission with that reason.
        self.upload_refusal = upload_refusal
        self.fields["community"].choices = [("", _("不确定")), *community_choices()]
        attachments = self.fields["attachments"]
        attachments.help_text = _(
            "最多 %(count)s 个 JPG、PNG、WEBP 图片或 PDF，每个不超过 %(mb)s MB，合计不超过 %(total)s MB。"
        ) % {
            "count": settings.ATTACHMENTS_PER_SUBMISSION,
            "mb": megabytes(settings.ATTACHMENT_MAX_BYTES),
            "total": megabytes(settings.ATTACHMENTS_TOTAL_MAX_BYTES),
        }
        # static/js/forms.js says so when the files are picked, before anything is sent.
        attachments.widget.attrs.update(
            {
                "data-max-files": settings.ATTACHMENTS_PER_SUBMISSION,
                "data-max-bytes": settings.ATTACHMENTS_TOTAL_MAX_BYTES,
                "data-too-many": too_many_files_message(),
                "data-too-large": too_large_message(),
            }
        )
        self.fields["category_hint"].choices = [("", _("不确定")), *((name, name) for name in top_category_names())]

    def clean(self) -> dict:
        data = super().clean()
        if self.upload_refusal:
            self.add_error("attachments", self.upload_refusal)
        elif "attachments" in data:
            problem = attachments_problem(data["attachments"])
            if problem:
                self.add_error("attachments", problem)
        problems = submission_errors(
            title=data.get("title", ""),
            content=data.get("content", ""),
            name=data.get("citizen_name", ""),
            phone=data.get("citizen_phone", ""),
        )
        for field, message in problems.items():
            if field not in self.errors:  # a field's own error (required, too long) says it already
                self.add_error(field, message)
        return data

    def submission(self) -> dict:
        """The cleaned form as `demand_submit`'s keyword arguments."""
        return {
            **{name: self.cleaned_data[name] for name in self.SUBMISSION_FIELDS},
            "community_id": self.cleaned_data["community"],
        }


class IntakeForm(DemandForm):
    channel = forms.ChoiceField(
        label=_("受理渠道"),
        choices=[(c.value, c.label) for c in (Channel.HOTLINE, Channel.LETTER, Channel.VISIT)],
        error_messages={"required": _("请选择受理渠道。"), "invalid_choice": _("请从列表中选择受理渠道。")},
    )
    consent = None  # the operator records the citizen's words; consent is taken on the phone
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
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (label, help_text) in self.OPERATOR_WORDING.items():
            if label is not None:
                self.fields[name].label = label
            if help_text is not None:
                self.fields[name].help_text = help_text


class TrackForm(forms.Form):
    tracking_number = forms.CharField(
        label=_("受理编号"), max_length=32, error_messages={"required": _("请填写受理编号。")}
    )
    query_code = forms.CharField(label=_("查询码"), max_length=16, error_messages={"required": _("请填写查询码。")})


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        help_text=_("提交诉求时留的手机号码"),
        error_messages={"required": _("请填写手机号码。")},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )


class PhoneCodeForm(forms.Form):
    code = forms.CharField(
        label=_("短信验证码"),
        max_length=6,
        min_length=6,
        error_messages={"required": _("请填写短信里的6位验证码。"), "min_length": _("请填写短信里的6位验证码。")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("满意度"),
        coerce=int,
        choices=[
            (5, _("非常满意")),
            (4, _("满意")),
            (3, _("基本满意")),
            (2, _("不满意")),
            (1, _("非常不满意")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("评价意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("不满意的原因"), widget=forms.Textarea(attrs={"rows": 3}))


def department_choices():
    return [("", "—")] + [(d.pk, d.name) for d in departments_for_choice()]


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


def matter_leads(matters: list[Matter]) -> dict[int, set[int]]:
    """Matter id → the departments that may lead it: its lead department, or every street office
    and community where the list says the territory leads."""
    territorial = {d.pk for d in departments_for_choice() if d.kind in TERRITORIAL_KINDS}
    return {m.pk: territorial if m.lead_is_territorial else {m.lead_department_id} for m in matters}


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
        self.fields["department"].choices = choices
        self.fields["assisting"].choices = choices[1:]
        filterable(self.fields["department"])
        filterable(self.fields["assisting"])
        # Only the version in force: a dispatch under a draft or a retired version is refused.
        version = version_in_force()
        matters = list(matters_of(version)) if version else []
        self.leads = matter_leads(matters)
        field = self.fields["matter"]
        field.choices = [("", "—")] + [(m.pk, f"{m.code} {m.name}") for m in matters]
        field.widget = MatterSelect(
            choices=field.choices, leads={pk: " ".join(map(str, sorted(ids))) for pk, ids in self.leads.items()}
        )
        field.widget.attrs.update({"data-filter": _("输入事项名称或编码筛选"), "data-follows": "department"})

    def clean(self):
        data = super().clean()
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
    department = forms.TypedChoiceField(
        label=_("改派部门"), coerce=int, choices=(), required=False, empty_value=None, help_text=_("退单成立时必选")
    )
    # Required but where the case goes to the department the returning one suggested (the service
    # then words the ruling itself).
    note = forms.CharField(
        label=_("裁定意见"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    propose_amendment = forms.BooleanField(label=_("同时建议清单把改派部门改为该事项的主责部门"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = department_choices()
        filterable(self.fields["department"])
        self.fields["department"].conditionally_required = True  # not marked 选填 on the page
        self.fields["note"].conditionally_required = True
        if self.initial.get("department"):  # the return suggested one (see the desk's page)
            self.fields["note"].help_text = _("改派至退单部门建议的部门时可不填")

    def clean(self) -> dict:
        data = super().clean()
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
        self.fields["department"].choices = department_choices()
        filterable(self.fields["department"])


class DecideExtensionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("审批"),
        coerce=lambda v: v == "1",
        choices=[("1", _("批准")), ("0", _("驳回"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("审批意见"), required=False)


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
        self.fields["suggested_department"].choices = [
            choice for choice in department_choices() if choice[0] != own_department_id
        ]
        filterable(self.fields["suggested_department"])


class ExtensionForm(forms.Form):
    extra_days = forms.DecimalField(label=_("延长工作日"), min_value=0.5, max_value=30, decimal_places=1)
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 2}))


class DiscloseForm(forms.Form):
    purpose = forms.CharField(label=_("查看用途"), max_length=200, initial=_("电话联系诉求人核实情况"))


class InfoRequestForm(forms.Form):
    question = forms.CharField(
        label=_("需要群众补充的内容"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("群众在查询页看到并作答；等待期间办理时限暂停计时。"),
    )


class SupplementForm(forms.Form):
    answer = forms.CharField(label=_("补充内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class SupervisionAnswerForm(forms.Form):
    response = forms.CharField(
        label=_("督办反馈"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("说明办理进展、未按期办结的原因和预计办结时间。"),
    )


class DeskFilterForm(forms.Form):
    """The dispatch dashboard's filters, read from the query string."""

    AGES = [("", _("不限")), ("1", _("超过1天")), ("3", _("超过3天")), ("7", _("超过7天"))]

    category = forms.ChoiceField(label=_("类别"), required=False)
    street = forms.TypedChoiceField(label=_("街道"), coerce=int, required=False, empty_value=None)
    channel = forms.ChoiceField(label=_("渠道"), required=False, choices=[("", _("不限")), *Channel.choices])
    age = forms.TypedChoiceField(label=_("已提交"), coerce=int, required=False, empty_value=None, choices=AGES)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("不限")), *((name, name) for name in top_category_names())]
        self.fields["street"].choices = [("", _("不限")), *Street.objects.values_list("pk", "name")]

    def filters(self) -> DeskFilters:
        if not self.is_valid():
            return DeskFilters()
        data = self.cleaned_data
        return DeskFilters(
            category=data["category"], street_id=data["street"], channel=data["channel"], older_than_days=data["age"]
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
        self.fields["department"].choices = [(d.pk, d.name) for d in departments]
