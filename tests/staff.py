"""The staff's side of the tests: a browser signed in as someone (and reading English), the lead
assignment of a case, and the rows of a CSV file they download."""

from __future__ import annotations

import csv
import io

from django.test import Client

from demands.models import Demand
from dispatch.models import Assignment, AssignmentRole, AssignmentStatus
from dispatch.services import assignment_reply, assignment_sign


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def open_lead(demand) -> Assignment:
    """The lead assignment the lead department is working on (waiting to be signed for, or signed)."""
    return Assignment.objects.get(
        demand=demand,
        role=AssignmentRole.LEAD,
        status__in=[AssignmentStatus.PENDING_SIGN, AssignmentStatus.SIGNED],
    )


def latest_lead(demand) -> Assignment:
    """The lead assignment made last, whatever became of it (answered, returned…)."""
    return Assignment.objects.filter(demand=demand, role=AssignmentRole.LEAD).latest("pk")


def answered(district, demand, *, by: str, body: str = "已处理完毕并回访群众，群众认可。") -> Demand:
    """The open lead assignment signed for and answered by `by`, one of the district's user names."""
    lead = open_lead(demand)
    assignment_sign(assignment_id=lead.pk, actor=district.users[by])
    return assignment_reply(assignment_id=lead.pk, actor=district.users[by], body=body)


def in_english(client: Client) -> Client:
    """The same browser, reading the pages in English from now on."""
    client.post("/i18n/setlang/", {"language": "en", "next": "/audit/"})
    return client


def csv_rows(response) -> list[list[str]]:
    """The rows of a downloaded CSV file, which starts with a byte order mark (for Excel)."""
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
