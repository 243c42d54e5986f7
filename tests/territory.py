"""The territory below the test district's streets: community stations with their staff, a head
for a street and a bureau, and a section of the bureau; and a case a street office has in hand."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User

from departments.models import Department, DepartmentKind, Role
from dispatch.models import Assignment
from dispatch.services import assignment_sign, demand_dispatch
from tests.citizens import VAGUE
from tests.factories import District, make_user
from tests.staff import open_lead


@dataclass
class Territory:
    stations: dict[str, Department]
    users: dict[str, User]
    section: Department


def build_territory(district: District) -> Territory:
    d = district.departments

    def station(name: str, code: str) -> Department:
        return Department.objects.create(
            code=code,
            name=f"坪山区{name}工作站",
            short_name=name,
            kind=DepartmentKind.COMMUNITY,
            community=district.communities[name],
            parent=d["PSJD"] if name in ("六和社区", "和平社区") else d["KZJD"],
        )

    stations = {
        "六和": station("六和社区", "PSJD-01"),
        "和平": station("和平社区", "PSJD-02"),
        "秀新": station("秀新社区", "KZJD-01"),
    }
    section = Department.objects.create(
        code="ZJJ-JG",
        name="坪山区住房和建设局建设工程监管科",
        short_name="监管科",
        kind=DepartmentKind.FUNCTIONAL,
        parent=d["ZJJ"],
    )
    users = {
        "liuhe": make_user("liuhe", Role.HANDLER, stations["六和"]),
        "heping": make_user("heping", Role.HANDLER, stations["和平"]),
        "xiuxin": make_user("xiuxin", Role.HANDLER, stations["秀新"]),
        "psjd_head": make_user("psjd_head", Role.HEAD, d["PSJD"]),
        "zjj_head": make_user("zjj_head", Role.HEAD, d["ZJJ"]),
        "zjj_two": make_user("zjj_two", Role.HANDLER, d["ZJJ"]),
        "jianguan": make_user("jianguan", Role.HANDLER, section),
    }  # fmt: skip
    return Territory(stations=stations, users=users, section=section)


def case_in_hand(submit, district: District, department: str = "PSJD", by: str = "psjd") -> Assignment:
    """A demand the dispatcher gave to `department`, signed for by `by`."""
    demand = submit(**VAGUE).demand
    demand_dispatch(
        demand_id=demand.pk, actor=district.users["dispatcher"], department_id=district.departments[department].pk
    )
    lead = open_lead(demand)
    assignment_sign(assignment_id=lead.pk, actor=district.users[by])
    lead.refresh_from_db()
    return lead
