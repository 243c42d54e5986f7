"""The admin's form for a year's holiday notice, written the way the State Council publishes it."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Items are separated by new lines, commas or 、; a range is two dates joined by 至, 到 or a tilde.
_ITEMS = re.compile(r"[\n,，、;；]+")
_RANGE = re.compile(r"\s*(至|到|~|～)\s*")
_LONGEST_BREAK_DAYS = 31


def parse_days(text: str) -> list[date]:
    """Dates from text such as "2027-02-05 至 2027-02-11、2027-04-05"; a bad item raises an
    error that quotes it."""
    days: list[date] = []
    for item in filter(None, (part.strip() for part in _ITEMS.split(text))):
        ends = _RANGE.split(item)
        try:
            if len(ends) == 1:
                days.append(date.fromisoformat(item))
                continue
            if len(ends) != 3:
                raise ValueError(item)
            first, last = date.fromisoformat(ends[0]), date.fromisoformat(ends[2])
        except ValueError:
            raise forms.ValidationError(
                gettext("看不懂“%(item)s”：请写成 2027-02-05 或 2027-02-05 至 2027-02-11。") % {"item": item}
            ) from None
        if not timedelta(0) <= last - first < timedelta(days=_LONGEST_BREAK_DAYS):
            raise forms.ValidationError(
                gettext("“%(item)s”不是一段放假：结束日期应在开始日期之后，且不超过%(days)s天。")
                % {"item": item, "days": _LONGEST_BREAK_DAYS}
            )
        days.extend(first + timedelta(days=n) for n in range((last - first).days + 1))
    return days


class CalendarNoticeForm(forms.Form):
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100)
    days_off = forms.CharField(
        label=_("放假日期"),
        widget=forms.Textarea(attrs={"rows": 8, "class": "vLargeTextField", "placeholder": "2027-02-05 至 2027-02-11"}),
        help_text=_("通知里的每一段放假（含其中的周末），每行一段，如“2027-02-05 至 2027-02-11”；单日写一个日期。"),
    )
    workdays = forms.CharField(
        label=_("调休上班日期"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "vLargeTextField", "placeholder": "2027-02-14"}),
        help_text=_("通知里要上班的周六、周日，每行一个。"),
    )
    note = forms.CharField(
        label=_("说明"), max_length=200, required=False, widget=forms.TextInput(attrs={"class": "vTextField"})
    )

    def clean_days_off(self) -> list[date]:
        return parse_days(self.cleaned_data["days_off"])

    def clean_workdays(self) -> list[date]:
        return parse_days(self.cleaned_data["workdays"])
