from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from departments.geometry import validate_boundary


class Street(models.Model):
    """A street office's territory (街道)."""

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64, unique=True)
    # The territory's outline: a GeoJSON Polygon or MultiPolygon in WGS84 ([longitude, latitude]),
    # which places a demand's point (departments.selectors.resolve_point). Empty when not drawn.
    boundary = models.JSONField(_("边界"), null=True, blank=True, validators=[validate_boundary])

    class Meta:
        ordering = ["code"]
        verbose_name = _("街道")
        verbose_name_plural = _("街道")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # A boundary that is not a closed [lon, lat] polygon would place demands wrongly and
        # silently; every way in (admin, loader, shell) is refused the same.
        validate_boundary(self.boundary)
        super().save(*args, **kwargs)


class Community(models.Model):
    """A community (社区) inside one street."""

    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="communities")
    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    # The territory's outline: a GeoJSON Polygon or MultiPolygon in WGS84 ([longitude, latitude]),
    # which places a demand's point (departments.selectors.resolve_point). Empty when not drawn.
    boundary = models.JSONField(_("边界"), null=True, blank=True, validators=[validate_boundary])

    class Meta:
        ordering = ["code"]
        verbose_name = _("社区")
        verbose_name_plural = _("社区")
        constraints = [models.UniqueConstraint(fields=["street", "name"], name="community_name_per_street")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # A boundary that is not a closed [lon, lat] polygon would place demands wrongly and
        # silently; every way in (admin, loader, shell) is refused the same.
        validate_boundary(self.boundary)
        super().save(*args, **kwargs)


class AddressAlias(models.Model):
    """A word an address may contain (road, estate, village, landmark) that places it in a
    community, or in a street when the community cannot be told."""

    text = models.CharField(_("地名"), max_length=64, unique=True)
    street = models.ForeignKey(Street, on_delete=models.CASCADE, related_name="aliases")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="aliases", null=True, blank=True)

    class Meta:
        ordering = ["text"]
        verbose_name = _("地名别名")
        verbose_name_plural = _("地名别名")

    def __str__(self) -> str:
        return self.text


class DepartmentKind(models.TextChoices):
    FUNCTIONAL = "functional", _("职能部门（条）")
    STREET = "street", _("街道办事处（块）")
    COMMUNITY = "community", _("社区工作站（块）")
    UTILITY = "utility", _("公共服务企业")


# The 块 of 条块: departments answerable for a place (a street office, a community work station)
# rather than for a subject. A matter led "by the territory" goes to the one of the demand's place.
TERRITORIAL_KINDS = (DepartmentKind.STREET, DepartmentKind.COMMUNITY)


class Department(models.Model):
    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=128, unique=True)
    short_name = models.CharField(_("简称"), max_length=64, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=DepartmentKind.choices)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, related_name="children", null=True, blank=True)
    # A territorial department (块) answers for one street or one community.
    street = models.OneToOneField(Street, on_delete=models.PROTECT, related_name="office", null=True, blank=True)
    community = models.OneToOneField(
        Community, on_delete=models.PROTECT, related_name="workstation", null=True, blank=True
    )
    is_active = models.BooleanField(_("启用"), default=True)
    # The department's head approves each reply before the citizen sees it (答复审核).
    reply_needs_review = models.BooleanField(
        _("答复须经负责人审核"), default=False, help_text=_("勾选后，本部门的答复经部门负责人审核通过才发给群众。")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="street") | Q(street__isnull=False), name="street_office_has_street"
            ),
            models.CheckConstraint(
                condition=~Q(kind="community") | Q(community__isnull=False),
                name="community_station_has_community",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class Role(models.TextChoices):
    INTAKE_OPERATOR = "intake_operator", _("受理员")
    DISPATCH_OFFICER = "dispatch_officer", _("分拨员")
    HANDLER = "handler", _("承办人")
    HEAD = "head", _("部门负责人")
    SUPERVISOR = "supervisor", _("督办员")
    LIST_MAINTAINER = "list_maintainer", _("清单维护员")
    AUDITOR = "auditor", _("考核员")
    # The centre's callback staff: they phone citizens after an answer (回访).
    CALLBACK_OFFICER = "callback_officer", _("回访员")
    ADMIN = "admin", _("系统管理员")


# Roles that act for the district as a whole, whatever department holds the membership.
DISTRICT_WIDE_ROLES = frozenset(
    {Role.DISPATCH_OFFICER, Role.SUPERVISOR, Role.LIST_MAINTAINER, Role.AUDITOR, Role.CALLBACK_OFFICER, Role.ADMIN}
)


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        constraints = [models.UniqueConstraint(fields=["user", "department", "role"], name="one_membership_per_role")]

    def __str__(self) -> str:
        return f"{self.user} · {self.department.display_name} · {self.get_role_display()}"


class OverrideKind(models.TextChoices):
    # The State Council's holiday notice for a year the official calendar package does not know
    # yet: entering it makes that year's calendar "entered by administrators", not a fallback.
    NOTICE = "notice", _("国务院放假安排")
    LOCAL = "local", _("本地调整")


class CalendarOverride(models.Model):
    """A day that differs from the calendar otherwise in force: a day of the State Council's
    notice (放假 or 调休上班) for a year the chinese-calendar package does not know yet, or a local
    exception (a typhoon day off). An entry outranks the package either way."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    kind = models.CharField(_("来源"), max_length=16, choices=OverrideKind.choices, default=OverrideKind.LOCAL)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("日历调整")
        verbose_name_plural = _("日历调整")

    def __str__(self) -> str:
        return f"{self.date} {'工作日' if self.is_workday else '休息日'}"


class WorkingPeriod(models.Model):
    """One period of a working day (e.g. 09:00–12:00). All periods together make the day."""

    starts_at = models.TimeField(_("开始"))
    ends_at = models.TimeField(_("结束"))

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("工作时段")
        verbose_name_plural = _("工作时段")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="period_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class LoginFailure(models.Model):
    """A failed staff login (web, admin or API token), counted per username and per client
    address to refuse password guessing. Kept in the database, not the cache, so the limit holds
    while Redis is away; rows older than the window are deleted as new ones come."""

    username = models.CharField(_("用户名"), max_length=150)
    address = models.CharField(_("客户端地址"), max_length=64)
    at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("登录失败记录")
        verbose_name_plural = _("登录失败记录")
        indexes = [
            models.Index(fields=["username", "at"], name="login_failure_username"),
            models.Index(fields=["address", "at"], name="login_failure_address"),
        ]

    def __str__(self) -> str:
        return f"{self.username} {self.address} {self.at:%Y-%m-%d %H:%M:%S}"
