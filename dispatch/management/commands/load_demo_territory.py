"""The demo's work at community level (下派 / 上报): three demands of the first street office's
places, given to the street, signed and passed down to its communities, each at its own moment of
the past days (config.demo_clock): one still open with the community, one the community answered
(the street's reply form starts from that answer), one the community sent back up.

Idempotent: a demo with delegations already is left alone."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.utils import timezone

from config.demo_clock import clock_at
from config.errors import DomainError
from demands.models import Demand
from demands.services import demand_submit
from demands.workflow import Status
from departments.models import Department, DepartmentKind, Membership, Role
from dispatch.models import Assignment, Delegation, ReturnRequest
from dispatch.services import assignment_release, assignment_return, assignment_sign, demand_dispatch, return_rule
from dispatch.services.delegations import delegation_answer, delegation_pass_down, delegation_send_up

# (title, content, days ago submitted, what the community does: None, "answer" or "send_up", its text)
STORIES = (
    (
        "小区楼道堆放杂物占用消防通道",
        "小区3栋楼道长期堆放旧家具和纸箱，占用消防通道，存在安全隐患，请尽快协调清理。",
        2,
        None,
        "",
    ),
    (
        "小区门口路灯坏了好几天",
        "小区东门外的两盏路灯已经坏了一个多星期，晚上出行很不方便，老人孩子容易摔倒。",
        5,
        "answer",
        "社区已联系物业和路灯维护单位，于今日更换了两盏路灯的灯具，经夜间复查已恢复照明，已电话告知居民。",
    ),
    (
        "楼上住户深夜噪音扰民",
        "楼上住户每天深夜在家中唱歌、搬动家具，多次上门沟通无果，影响全家休息，请帮忙处理。",
        4,
        "send_up",
        "社区两次上门调解未果，涉及噪声执法，需街道协调执法队处理。",
    ),
)


DEMO_STREET = "PSJD"


def _member(department: Department, *roles: str) -> User | None:
    membership = (
        Membership.objects.filter(department=department, role__in=roles or (Role.HANDLER, Role.HEAD))
        .select_related("user")
        .order_by("role", "pk")
        .first()
    )
    return membership.user if membership else None


class Command(BaseCommand):
    help = "Play the demo's work at community level: cases passed down by a street, answered or sent up."

    def handle(self, *args, **options):
        if Delegation.objects.exists():
            self.stdout.write("The demo already has work at community level.")
            return
        streets = Department.objects.filter(kind=DepartmentKind.STREET, is_active=True).order_by("code")
        # 坪山街道, whose accounts the README names; any street office otherwise.
        street = streets.filter(code=DEMO_STREET).first() or streets.first()
        dispatcher = User.objects.filter(memberships__role=Role.DISPATCH_OFFICER).order_by("pk").first()
        if street is None or street.street_id is None or dispatcher is None:
            self.stdout.write("No demo work at community level: the sample district is not loaded.")
            return
        stations = list(
            Department.objects.filter(
                kind=DepartmentKind.COMMUNITY, is_active=True, community__street_id=street.street_id
            ).order_by("code")
        )
        handler = _member(street)
        if handler is None or len(stations) < len(STORIES):
            self.stdout.write(f"No demo work at community level: {street} has too few communities with staff.")
            return
        now = timezone.now()
        done = 0
        for (title, content, days, outcome, text), station in zip(STORIES, stations, strict=False):
            submitted = now - timedelta(days=days)
            try:
                with clock_at(submitted):
                    demand = demand_submit(
                        title=title,
                        content=content,
                        location_text=f"{street.street.name if street.street else ''}{station.display_name}",
                        citizen_name="居民王女士",
                        citizen_phone=f"1390000{days:04d}",
                        community_id=station.community_id,
                        # Made-up numbers: no texts (they would also bury `make run`'s progress lines).
                        text_messages=False,
                    ).demand
                with clock_at(submitted + timedelta(hours=1)):
                    lead = hand_to_street(demand, street, dispatcher)
                if lead is None:
                    continue
                with clock_at(submitted + timedelta(hours=2)):
                    assignment_sign(assignment_id=lead.pk, actor=handler)
                with clock_at(submitted + timedelta(hours=3)):
                    delegation = delegation_pass_down(
                        assignment_id=lead.pk,
                        actor=handler,
                        community_id=station.pk,
                        note="请社区网格员到现场核实处理，并答复街道。",
                    )
                holder = _member(station)
                if outcome and holder is not None:
                    with clock_at(submitted + timedelta(days=1)):
                        if outcome == "answer":
                            delegation_answer(delegation_id=delegation.pk, actor=holder, body=text)
                        else:
                            delegation_send_up(delegation_id=delegation.pk, actor=holder, reason=text)
                done += 1
            except DomainError as error:
                self.stderr.write(f"{title}: {error.message}")
        self.stdout.write(f"Demo work at community level: {done} cases passed down by {street.display_name}.")


def hand_to_street(demand: Demand, street: Department, dispatcher: User) -> Assignment | None:
    """The demand in the street's hands, however the router placed it: dispatched from triage,
    or returned by the department it went to and re-dispatched to the street on the ruling."""
    demand.refresh_from_db()
    lead = Assignment.objects.of_demand(demand.pk).lead().open().first()
    if lead is not None and lead.department_id == street.pk:
        return lead
    if demand.status == Status.TRIAGE:
        demand_dispatch(demand_id=demand.pk, actor=dispatcher, department_id=street.pk)
    elif lead is not None and (returner := _member(lead.department)) is not None:
        assignment_return(
            assignment_id=lead.pk,
            actor=returner,
            reason_code="wrong_territory",
            reason="属于社区和街道属地管理事项，请改派街道办事处。",
            suggested_department_id=street.pk,
        )
        pending = ReturnRequest.objects.filter(assignment=lead, status="pending").first()
        if pending is not None:
            return_rule(
                return_id=pending.pk,
                actor=dispatcher,
                uphold=True,
                note="属地事项，改派街道。",
                department_id=street.pk,
            )
    lead = Assignment.objects.of_demand(demand.pk).lead().open().first()
    if lead is None or lead.department_id != street.pk:
        return None
    # The street handles a matter of its place as a whole: assisting departments the router
    # added are released, so the street's answer waits only for its community.
    for assist in Assignment.objects.of_demand(demand.pk).assisting().open():
        assignment_release(assignment_id=assist.pk, actor=dispatcher, reason="属地事项，由街道统筹办理。")
    return lead
