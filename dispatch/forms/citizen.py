"""The citizens' forms: submitting a demand, finding it again, rating, reopening, adding to it."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from config.form_fields import choice_field
from config.uploads import megabytes, too_large_message, too_many_files_message
from demands.models import CONTENT_MAX_LENGTH, CONTENT_TOO_LONG, TITLE_MAX_LENGTH, TITLE_TOO_LONG, DemandType
from demands.services import attachments_problem, submission_errors
from departments.selectors import community_choices
from responsibility_lists.models import Urgency
from responsibility_lists.selectors import top_category_names


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
    # Optional, and typed or picked on the map (static/js/maps.js): a point inside the district
    # places the demand in its community when none is picked above.
    latitude = forms.DecimalField(
        label=_("纬度"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
        help_text=_("选填：在地图上点选事发位置，或填写坐标（WGS84）。"),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        error_messages={"invalid": _("请填写有效的纬度。")},
    )
    longitude = forms.DecimalField(
        label=_("经度"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        error_messages={"invalid": _("请填写有效的经度。")},
    )
    category_hint = forms.ChoiceField(
        label=_("问题类别"), required=False, error_messages={"invalid_choice": _("请从列表中选择问题类别。")}
    )
    # Optional: a citizen unsure of the word leaves it to the dispatcher, who sets it on the case.
    demand_type = forms.ChoiceField(
        label=_("诉求类型"),
        required=False,
        choices=[("", _("不确定")), *((value, label) for value, label in DemandType.choices if value)],
        help_text=_("咨询、求助、投诉、举报、建议或表扬；不确定可不选，工作人员会判断。"),
        error_messages={"invalid_choice": _("请从列表中选择诉求类型。")},
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
        "attachments", "category_hint", "text_messages", "demand_type",
    )  # fmt: skip

    def __init__(self, *args, upload_refusal: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        # Why files were dropped while the request was read (config.uploads): those files never
        # reach the form, so it is told, and refuses the submission with that reason.
        self.upload_refusal = upload_refusal
        choice_field(self.fields, "community").choices = [("", _("不确定")), *community_choices()]
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
        choice_field(self.fields, "category_hint").choices = [
            ("", _("不确定")),
            *((name, name) for name in top_category_names()),
        ]

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
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
        if (data.get("latitude") is None) != (data.get("longitude") is None) and not (
            "latitude" in self.errors or "longitude" in self.errors
        ):
            self.add_error("longitude" if data.get("longitude") is None else "latitude", _("纬度和经度须同时提供。"))
        return data

    def submission(self) -> dict:
        """The cleaned form as `demand_submit`'s keyword arguments."""
        return {
            **{name: self.cleaned_data[name] for name in self.SUBMISSION_FIELDS},
            "community_id": self.cleaned_data["community"],
            "point": self._point(),
        }

    def _point(self) -> tuple[Decimal, Decimal] | None:
        latitude, longitude = self.cleaned_data.get("latitude"), self.cleaned_data.get("longitude")
        return (latitude, longitude) if latitude is not None and longitude is not None else None


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


RATINGS = [
    (5, _("非常满意")),
    (4, _("满意")),
    (3, _("基本满意")),
    (2, _("不满意")),
    (1, _("非常不满意")),
]


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("满意度"), coerce=int, choices=RATINGS, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("评价意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("不满意的原因"), widget=forms.Textarea(attrs={"rows": 3}))


class SupplementForm(forms.Form):
    answer = forms.CharField(label=_("补充内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
