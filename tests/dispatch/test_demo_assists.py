"""The sample demo shows assisting departments as partners: parts given to the lead on time, and
parts still owed past their own deadline (a share of the lead's), told to the lead."""

from __future__ import annotations

from django.core.management import call_command

from demands.models import DemandEvent
from demands.workflow import Action
from dispatch.models import Assignment, AssignmentStatus, DeadlineState


def test_the_demo_has_assisting_parts_on_time_and_running_late(committed_sample_district, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    call_command("load_demo_demands")

    parts = list(Assignment.objects.assisting())
    on_time = [a for a in parts if a.deadline_state == DeadlineState.DONE_ON_TIME]
    late = [a for a in parts if a.status == AssignmentStatus.SIGNED and a.deadline_state == DeadlineState.OVERDUE]
    assert on_time and late
    # Each part's deadline came before its lead's, and the late ones' overdue rung was taken.
    for part in late:
        lead = Assignment.objects.of_demand(part.demand_id).lead().open().get()
        assert part.handle_deadline <= lead.handle_deadline
    assert DemandEvent.objects.filter(
        action=Action.OVERDUE, data__role="assist", demand_id__in=[a.demand_id for a in late]
    ).exists()
