"""The hot-topic page's forms: the period (the auditors' filters) and the month of the shortlist;
adopting an item; recording how the month's key problem stands."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessment.forms import AUDIT_EARLIEST, AUDIT_LATEST, AuditFilterForm
from assessment.models import KeyProblemStatus


class MonthField(forms.DateField):
    """A month as the browser's month input sends it (2026-11): its first day."""

    widget = forms.DateInput(format="%Y-%m", attrs={"type": "month"})
    input_formats = ["%Y-%m"]

    def to_python(self, value):
        day = super().to_python(value)
        if day is not None and not AUDIT_EARLIEST <= day <= AUDIT_LATEST:
            raise forms.ValidationError(_("日期须在 2000-01-01 至 2099-12-31 之间。"))
        return day


def this_month() -> date:
    return timezone.localdate().replace(day=1)


class HotTopicFilterForm(AuditFilterForm):
    month = MonthField(label=_("每月一题月份"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].initial = this_month()

    def chosen_month(self) -> date:
        return (self.cleaned_data.get("month") if self.is_bound and self.is_valid() else None) or this_month()


class AdoptForm(forms.Form):
    month = MonthField()
    item = forms.CharField(max_length=120)


class KeyProblemForm(forms.Form):
    problem = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    status = forms.ChoiceField(choices=KeyProblemStatus.choices)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)
