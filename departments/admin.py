from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config.errors import DomainError
from departments.forms import CalendarNoticeForm
from departments.login_guard import AdminLoginForm
from departments.models import (
    AddressAlias,
    CalendarOverride,
    Community,
    Department,
    LoginFailure,
    Membership,
    OverrideKind,
    Street,
    WorkingPeriod,
)
from departments.services import calendar_notice_enter

# The admin's login form also says when a locked-out account may try again.
admin.site.login_form = AdminLoginForm


class CommunityInline(admin.TabularInline):
    model = Community
    extra = 0
    fields = ["code", "name"]  # outlines are long: edited on the community's own page


@admin.register(Street)
class StreetAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]
    inlines = [CommunityInline]


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "street"]
    list_filter = ["street"]
    search_fields = ["code", "name"]


@admin.register(AddressAlias)
class AddressAliasAdmin(admin.ModelAdmin):
    list_display = ["text", "street", "community"]
    list_filter = ["street"]
    search_fields = ["text"]
    autocomplete_fields = ["community"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "reply_needs_review", "is_active"]
    list_filter = ["kind", "reply_needs_review", "is_active"]
    search_fields = ["code", "name", "short_name"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "department", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "department__name"]
    autocomplete_fields = ["user", "department"]


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "is_workday", "kind", "note"]
    list_filter = ["kind", "is_workday"]
    date_hierarchy = "date"
    search_fields = ["note"]
    radio_fields = {"kind": admin.HORIZONTAL}
    change_list_template = "admin/departments/calendaroverride/change_list.html"

    @admin.display(description=_("星期"))
    def weekday(self, override: CalendarOverride) -> str:
        return str(_WEEKDAYS[override.date.weekday()])

    def get_urls(self):
        enter = self.admin_site.admin_view(self.enter_notice_view)
        return [path("enter-notice/", enter, name="departments_calendaroverride_enter_notice"), *super().get_urls()]

    def enter_notice_view(self, request: HttpRequest) -> HttpResponse:
        """A year's whole notice at once, as published: its breaks as ranges and its make-up days.
        Entering it again replaces it (a corrected notice)."""
        if not (self.has_add_permission(request) and self.has_delete_permission(request)):
            raise PermissionDenied
        year = request.GET.get("year", "")
        initial = {"year": year, "note": gettext("国务院办公厅关于%(year)s年部分节假日安排的通知") % {"year": year}}
        form = CalendarNoticeForm(request.POST or None, initial=initial if year.isdigit() else {})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                count = calendar_notice_enter(
                    year=data["year"], days_off=data["days_off"], workdays=data["workdays"], note=data["note"]
                )
            except DomainError as error:
                for problem in [error.message, *error.extra.get("rows", [])]:
                    form.add_error(None, problem)
            else:
                self.message_user(
                    request,
                    gettext("已录入%(year)s年的放假安排（%(count)s天），截止时间从现在起按它计算。")
                    % {"year": data["year"], "count": count},
                )
                return redirect(f"{reverse('working-calendar')}#year-{data['year']}")
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("录入国务院放假安排"),
            "form": form,
            "opts": self.model._meta,
            "notice_kind": OverrideKind.NOTICE.label,
        }
        return TemplateResponse(request, "admin/departments/calendaroverride/enter_notice.html", context)


_WEEKDAYS = (_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日"))


@admin.register(WorkingPeriod)
class WorkingPeriodAdmin(admin.ModelAdmin):
    list_display = ["starts_at", "ends_at"]


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    """Failed staff logins. Deleting a username's rows lifts its lockout early (an administrator
    who has confirmed the person); they cannot be added or edited."""

    list_display = ["at", "username", "address"]
    search_fields = ["username", "address"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
