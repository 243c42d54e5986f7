"""A small district for tests: two streets, four communities, a handful of departments, a named
user for every role, and a published list of a few matters with real-looking keywords."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils import timezone

from departments.models import AddressAlias, Community, Department, DepartmentKind, Membership, Role, Street
from responsibility_lists.models import Category, ListVersion, Matter, VersionStatus


def make_user(username: str, role: str | None = None, department: Department | None = None) -> User:
    user = User.objects.create_user(username=username, password="pw-for-tests-only")
    if role and department:
        Membership.objects.create(user=user, department=department, role=role)
    return user


def make_matter(version: ListVersion, category: Category, code: str, name: str, keywords: list[str], **extra) -> Matter:
    limits = {
        "sign_hours_normal": Decimal(4),
        "sign_hours_urgent": Decimal(2),
        "sign_hours_critical": Decimal("0.5"),
        "handle_days_normal": Decimal(10),
        "handle_days_urgent": Decimal(3),
        "handle_days_critical": Decimal(1),
    }
    assisting = extra.pop("assisting", [])
    matter = Matter.objects.create(
        version=version, category=category, code=code, name=name, keywords=keywords, **{**limits, **extra}
    )
    matter.assisting_departments.set(assisting)
    return matter


@dataclass
class District:
    streets: dict[str, Street]
    communities: dict[str, Community]
    departments: dict[str, Department]
    users: dict[str, User]
    version: ListVersion
    matters: dict[str, Matter]


def build_district() -> District:
    ps = Street.objects.create(code="PSJD", name="坪山街道")
    kz = Street.objects.create(code="KZJD", name="坑梓街道")
    communities = {
        "六和社区": Community.objects.create(street=ps, code="PSJD-01", name="六和社区"),
        "和平社区": Community.objects.create(street=ps, code="PSJD-02", name="和平社区"),
        "秀新社区": Community.objects.create(street=kz, code="KZJD-01", name="秀新社区"),
        "金沙社区": Community.objects.create(street=kz, code="KZJD-02", name="金沙社区"),
    }
    AddressAlias.objects.create(text="六和城", street=ps, community=communities["六和社区"])
    AddressAlias.objects.create(text="秀新村", street=kz, community=communities["秀新社区"])
    AddressAlias.objects.create(text="坪山大道", street=ps)

    def dept(code: str, name: str, kind: str = DepartmentKind.FUNCTIONAL, **extra) -> Department:
        return Department.objects.create(code=code, name=name, short_name=name[-4:], kind=kind, **extra)

    departments = {
        "ZXZX": dept("ZXZX", "坪山区民生诉求服务中心"),
        "CGJ": dept("CGJ", "坪山区城市管理和综合执法局"),
        "ZJJ": dept("ZJJ", "坪山区住房和建设局"),
        "SHJ": dept("SHJ", "深圳市生态环境局坪山管理局"),
        "PSJD": dept("PSJD", "坪山区坪山街道办事处", DepartmentKind.STREET, street=ps),
        "KZJD": dept("KZJD", "坪山区坑梓街道办事处", DepartmentKind.STREET, street=kz),
    }
    d = departments
    users = {
        "dispatcher": make_user("dispatcher", Role.DISPATCH_OFFICER, d["ZXZX"]),
        "intake": make_user("intake", Role.INTAKE_OPERATOR, d["ZXZX"]),
        "auditor": make_user("auditor", Role.AUDITOR, d["ZXZX"]),
        "maintainer": make_user("maintainer", Role.LIST_MAINTAINER, d["ZXZX"]),
        "cgj": make_user("cgj", Role.HANDLER, d["CGJ"]),
        "zjj": make_user("zjj", Role.HANDLER, d["ZJJ"]),
        "shj": make_user("shj", Role.HANDLER, d["SHJ"]),
        "psjd": make_user("psjd", Role.HANDLER, d["PSJD"]),
        "kzjd": make_user("kzjd", Role.HANDLER, d["KZJD"]),
        "nobody": make_user("nobody"),
    }
    now = timezone.now()
    # Built as a draft, then published: the database refuses rows added to a published version.
    version = ListVersion.objects.create(number=1, title="测试清单")
    city = Category.objects.create(version=version, name="城市管理")
    street_order = Category.objects.create(version=version, parent=city, name="市容秩序")
    building = Category.objects.create(version=version, name="住房建设")
    site = Category.objects.create(version=version, parent=building, name="施工管理")
    matters = {
        "stall": make_matter(
            version, street_order, "PS-0101-001", "占道经营查处", ["占道经营", "流动摊贩", "摆摊", "小贩"],
            lead_department=d["CGJ"],
        ),
        "noise": make_matter(
            version, site, "PS-0201-001", "建筑施工噪音扰民", ["施工噪音", "半夜施工", "工地", "打桩"],
            exclusions=["装修"], lead_department=d["ZJJ"], assisting=[d["SHJ"]],
        ),
        "illegal_building": make_matter(
            version, street_order, "PS-0101-002", "违法建设查处", ["违建", "违章搭建", "加建", "私搭乱建"],
            lead_is_territorial=True,
        ),
    }  # fmt: skip
    ListVersion.objects.filter(pk=version.pk).update(
        status=VersionStatus.PUBLISHED,
        effective_from=now - timezone.timedelta(days=1),
        published_at=now - timezone.timedelta(days=1),
    )
    version.refresh_from_db()
    return District(
        streets={"PSJD": ps, "KZJD": kz},
        communities=communities,
        departments=departments,
        users=users,
        version=version,
        matters=matters,
    )
