"""The auditor's filter form: the period, departments and streets the figures and exports cover."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from assessment.figures import AuditFilters
from config.ids import id_from
from departments.models import Department, Street
from departments.pickers import filterable
from departments.selectors import in_scanning_order

# A period longer than this is refused: the figures would still come, but slowly and unreadably.
AUDIT_MAX_PERIOD_DAYS = 3 * 366


ISO_DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
# A period is counted in days and weeks around its dates: at the edge of what a date can hold
# (year 1 or 9999) that arithmetic overflows, and no demand is dated there anyway.
AUDIT_EARLIEST, AUDIT_LATEST = date(2000, 1, 1), date(2099, 12, 31)
AUDIT_DATE_RANGE = [
    MinValueValidator(AUDIT_EARLIEST, message=_("日期须在 2000-01-01 至 2099-12-31 之间。")),
    MaxValueValidator(AUDIT_LATEST, message=_("日期须在 2000-01-01 至 2099-12-31 之间。")),
]


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """Rows picked by id. A value no id can be is refused as a bad choice before the query: the
    database would fail on a number wider than a key instead of matching nothing."""

    def _check_values(self, value):
        for pk in value:
            if id_from(pk) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)  # type: ignore[misc]  # private in Django, so not in the stubs


class AuditFilterForm(forms.Form):
    """The auditor's choice of period, departments and streets (GET). Unset dates mean the last
    90 days; bad values are refused with the field's message, never silently dropped."""

    # A date input takes ISO dates only, whatever the locale's format: given 2026/08/30 it shows
    # nothing at all.
    date_from = forms.DateField(label=_("开始日期"), required=False, widget=ISO_DATE, validators=AUDIT_DATE_RANGE)
    date_to = forms.DateField(label=_("结束日期"), required=False, widget=ISO_DATE, validators=AUDIT_DATE_RANGE)
    # Every department, retired ones too (their past cases count), in the order the desk lists them.
    department = IdsChoiceField(label=_("部门"), queryset=in_scanning_order(Department.objects.all()), required=False)
    street = IdsChoiceField(label=_("街道"), queryset=Street.objects.order_by("code"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default = AuditFilters.default()
        self.fields["date_from"].initial, self.fields["date_to"].initial = default.date_from, default.date_to
        filterable(self.fields["department"])

    def clean(self):
        super().clean()
        data = self.cleaned_data
        default = AuditFilters.default()
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_to is None:
            date_to = max(default.date_to, date_from) if date_from else default.date_to
        if date_from is None:
            date_from = date_to - (default.date_to - default.date_from)
        if date_from > date_to:
            raise forms.ValidationError(_("开始日期不能晚于结束日期。"))
        if (date_to - date_from).days >= AUDIT_MAX_PERIOD_DAYS:
            raise forms.ValidationError(_("统计期间最长三年，请缩短期间。"))
        data["date_from"], data["date_to"] = date_from, date_to
        return data

    def audit_filters(self) -> AuditFilters:
        data = self.cleaned_data
        return AuditFilters(
            date_from=data["date_from"],
            date_to=data["date_to"],
            department_ids=tuple(d.pk for d in data["department"]),
            street_ids=tuple(s.pk for s in data["street"]),
        )
