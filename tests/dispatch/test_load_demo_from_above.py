"""The demo's hand from above: a case supervised by hand, a leader's instruction on another, a third
convened and re-dispatched on the meeting's decision; loading it again changes nothing."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from departments.models import Role
from dispatch.models import HardCaseConsultation, LeaderInstruction, Supervision
from tests.citizens import NOISE, STALL
from tests.factories import make_user
from tests.staff import latest_lead


def test_the_demo_has_supervision_an_instruction_and_a_convened_case(district, submit):
    make_user("supervisor", Role.SUPERVISOR, district.departments["ZXZX"])
    demands = [submit(**STALL).demand, submit(**NOISE).demand, submit(**STALL).demand]
    out = StringIO()

    call_command("load_demo_from_above", stdout=out)

    supervised = Supervision.objects.get(by_hand=True).assignment.demand
    instructed = LeaderInstruction.objects.get().demand
    convened = HardCaseConsultation.objects.get()
    assert len({supervised, instructed, convened.demand}) == 3 and convened.demand in demands
    # The meeting's decision put another bureau in the lead, the first assisting.
    lead = latest_lead(convened.demand)
    assert lead.department == convened.lead and lead.department.code != "ZXZX"
    assert "convened" in out.getvalue()

    call_command("load_demo_from_above", stdout=out)
    assert (Supervision.objects.filter(by_hand=True).count(), LeaderInstruction.objects.count()) == (1, 1)
    assert HardCaseConsultation.objects.count() == 1
