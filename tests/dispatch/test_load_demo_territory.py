"""The demo's work at community level: a case passed down and open, one answered by a community,
one sent back up; loaded twice, it is loaded once."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from dispatch.models import AssignmentStatus, Delegation, DelegationStatus


def test_the_demo_has_work_at_community_level(committed_sample_district):
    out = StringIO()
    call_command("load_demo_territory", stdout=out, stderr=out)
    delegations = list(Delegation.objects.select_related("assignment", "to_department").order_by("delegated_at"))
    assert sorted(d.status for d in delegations) == sorted(
        [DelegationStatus.OPEN, DelegationStatus.ANSWERED, DelegationStatus.SENT_UP]
    ), out.getvalue()
    # The street keeps each case in hand, answerable to the centre.
    assert all(d.assignment.status == AssignmentStatus.SIGNED for d in delegations)
    assert all(d.to_department.community.street_id == d.assignment.department.street_id for d in delegations)
    call_command("load_demo_territory", stdout=out)
    assert Delegation.objects.count() == 3
