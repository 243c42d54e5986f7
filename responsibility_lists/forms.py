from django import forms
from django.utils.translation import gettext_lazy as _

from config.form_fields import choice_field
from departments.models import Department
from departments.pickers import ChosenSelectMultiple, filterable
from departments.selectors import departments_for_choice
from responsibility_lists.list_io import TERRITORIAL, plain_number, split_words
from responsibility_lists.models import (
    DEFAULT_ASSIST_SHARE_PERCENT,
    MIN_ASSIST_SHARE_PERCENT,
    Category,
    ListVersion,
)

LIMIT_FIELDS = [
    ("sign_hours_normal", _("签收时限·一般（工作小时）")),
    ("sign_hours_urgent", _("签收时限·紧急（工作小时）")),
    ("sign_hours_critical", _("签收时限·特急（工作小时）")),
    ("handle_days_normal", _("办理时限·一般（工作日）")),
    ("handle_days_urgent", _("办理时限·紧急（工作日）")),
    ("handle_days_critical", _("办理时限·特急（工作日）")),
]


class MatterForm(forms.Form):
    code = forms.RegexField(
        label=_("事项编码"), regex=r"^[A-Z]{1,8}-\d{4}-\d{3}$", help_text=_("如 PS-0102-003；各版本间保持不变")
    )
    name = forms.CharField(label=_("事项名称"), max_length=200)
    category = forms.TypedChoiceField(label=_("所属小类"), coerce=int, choices=())
    description = forms.CharField(label=_("事项描述"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    keywords = forms.CharField(label=_("关键词"), help_text=_("用顿号“、”分隔"))
    exclusions = forms.CharField(label=_("排除词"), required=False, help_text=_("出现这些词时不适用本事项"))
    lead = forms.ChoiceField(label=_("主责部门"), choices=())
    assisting = forms.TypedMultipleChoiceField(
        label=_("协办部门"), coerce=int, choices=(), required=False, widget=ChosenSelectMultiple(attrs={"size": 6})
    )
    assisted_by_territory = forms.BooleanField(label=_("属地协办"), required=False)
    assist_share_percent = forms.IntegerField(
        label=_("协办时限占比（%）"),
        min_value=MIN_ASSIST_SHARE_PERCENT,
        max_value=100,
        initial=DEFAULT_ASSIST_SHARE_PERCENT,
        required=False,
        help_text=_("协办部门的办理期限占主办部门办理时限的百分比，按工作时间计算；留空按50%"),
    )
    legal_basis = forms.CharField(label=_("法律依据"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    guidance = forms.CharField(label=_("办理指引"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, version: ListVersion, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in LIMIT_FIELDS:
            self.fields[name] = forms.DecimalField(label=label, min_value=0.01, max_digits=6, decimal_places=2)
        subcategories = Category.objects.filter(version=version, parent__isnull=False).select_related("parent")
        choice_field(self.fields, "category").choices = [(c.pk, str(c)) for c in subcategories]
        departments = [(str(d.pk), d.name) for d in departments_for_choice()]
        choice_field(self.fields, "lead").choices = [(TERRITORIAL, _("属地（事发地街道）")), *departments]
        choice_field(self.fields, "assisting").choices = [(int(pk), name) for pk, name in departments]
        filterable(self.fields["lead"])
        filterable(self.fields["assisting"])
        if editing:
            self.fields["code"].disabled = True

    def clean_keywords(self) -> list[str]:
        words = split_words(self.cleaned_data["keywords"])
        if not words:
            raise forms.ValidationError(_("至少填写一个关键词。"))
        return words

    def clean_exclusions(self) -> list[str]:
        return split_words(self.cleaned_data["exclusions"])

    def service_fields(self) -> dict:
        data = self.cleaned_data
        territorial = data["lead"] == TERRITORIAL
        return {
            "name": data["name"],
            "description": data["description"],
            "keywords": data["keywords"],
            "exclusions": data["exclusions"],
            "lead_is_territorial": territorial,
            "lead_department": None if territorial else Department.objects.get(pk=int(data["lead"])),
            "assisted_by_territory": data["assisted_by_territory"],
            "assist_share_percent": data["assist_share_percent"] or DEFAULT_ASSIST_SHARE_PERCENT,
            "legal_basis": data["legal_basis"],
            "guidance": data["guidance"],
            **{name: data[name] for name, _label in LIMIT_FIELDS},
        }


def initial_for(matter) -> dict:
    return {
        "code": matter.code,
        "name": matter.name,
        "category": matter.category_id,
        "description": matter.description,
        "keywords": "、".join(matter.keywords),
        "exclusions": "、".join(matter.exclusions),
        "lead": TERRITORIAL if matter.lead_is_territorial else str(matter.lead_department_id),
        "assisting": [d.pk for d in matter.assisting_departments.all()],
        "assisted_by_territory": matter.assisted_by_territory,
        "assist_share_percent": matter.assist_share_percent,
        "legal_basis": matter.legal_basis,
        "guidance": matter.guidance,
        **{name: plain_number(getattr(matter, name)) for name, _label in LIMIT_FIELDS},
    }


class PublishForm(forms.Form):
    effective_from = forms.DateTimeField(
        label=_("生效时间"),
        required=False,
        help_text=_("留空则立即生效；填写将来的时间则到时自动生效"),
        widget=forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local"}),
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("清单文件（.xlsx 或 .csv）"))
    title = forms.CharField(label=_("草稿名称"), max_length=200, required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("请上传 .xlsx 或 .csv 文件。"))
        if upload.size > 20 * 1024 * 1024:
            raise forms.ValidationError(_("文件不能超过 20 MB。"))
        return upload


class RemoveForm(forms.Form):
    reason = forms.CharField(label=_("删除原因"), max_length=255)
