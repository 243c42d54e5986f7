"""The demo's callback visits: some done, one not reachable, some still due; loaded once."""

from __future__ import annotations

from collections import Counter

from django.core.management import call_command

from assessment.models import CallbackVisit, VisitStatus
from departments.models import Role
from tests.citizens import STALL
from tests.factories import make_user
from tests.staff import answered


def test_demo_visits_are_done_unreachable_and_due(district, submit):
    make_user("callback", Role.CALLBACK_OFFICER, district.departments["ZXZX"])
    for _ in range(6):  # answered with their visits' messages never run: the command makes them
        answered(district, submit(**STALL).demand, by="cgj")
    call_command("load_demo_visits")
    statuses = Counter(CallbackVisit.objects.values_list("status", flat=True))
    assert statuses == {VisitStatus.UNREACHABLE: 1, VisitStatus.DONE: 2, VisitStatus.DUE: 3}
    assert CallbackVisit.objects.filter(status=VisitStatus.DUE, attempts=1).count() == 1
    call_command("load_demo_visits")  # a second run adds nothing
    assert CallbackVisit.objects.count() == 6
