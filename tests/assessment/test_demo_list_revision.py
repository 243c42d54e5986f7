"""The demo's second list version (load_demo_list_revision), published partway through the demo
weeks so the version scorecard has two versions to compare."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from assessment.management.commands.load_demo_list_revision import REVISED_DAYS_AGO, REVISIONS
from responsibility_lists.diff import diff_versions
from responsibility_lists.models import ListVersion, VersionStatus
from responsibility_lists.selectors import version_in_force


def test_the_revision_is_published_in_the_past_once(db):
    call_command("load_sample_district", verbosity=0)
    call_command("load_demo_list_revision", stdout=StringIO())
    first, revised = ListVersion.objects.order_by("number")
    assert (first.status, revised.status) == (VersionStatus.RETIRED, VersionStatus.PUBLISHED)
    assert revised.based_on == first
    assert abs(revised.effective_from - (timezone.now() - timedelta(days=REVISED_DAYS_AGO))) < timedelta(minutes=1)
    # Demands submitted before the revision were routed under the first version.
    assert version_in_force(timezone.now() - timedelta(days=REVISED_DAYS_AGO + 1)) == first
    diff = diff_versions(first, revised)
    assert not diff.added and not diff.removed
    assert {change.code for change in diff.changed} == {code for code, _, _ in REVISIONS}

    out = StringIO()
    call_command("load_demo_list_revision", stdout=out)
    assert ListVersion.objects.count() == 2 and "no revision published" in out.getvalue()


def test_nothing_is_revised_once_demands_exist(district, submit):
    submit()
    out = StringIO()
    call_command("load_demo_list_revision", stdout=out)
    assert ListVersion.objects.count() == 1 and "no revision published" in out.getvalue()
