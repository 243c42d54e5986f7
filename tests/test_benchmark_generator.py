"""The benchmarks' data generator (benchmarks/generate.py): a couple of thousand demands written
with COPY into the test database, in the proportions it promises, with their audit chains in
order, and read back by the platform's own pages and figures."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, F, Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessment.figures import AuditFilters
from assessment.models import Appeal, CallbackVisit, VisitStatus
from assessment.ranking import ranking
from assessment.rates import rate_rows
from benchmarks.generate import generate
from demands.models import DailySequence, Demand, DemandEvent
from demands.workflow import OPEN_STATUSES, Status
from departments.models import Membership, Role
from dispatch.assignment_workflow import OPEN_ASSIGNMENT_STATUSES as OPEN
from dispatch.models import Assignment, AssignmentRole, AssignmentStatus, ExtensionRequest, ReturnRequest, Supervision
from dispatch.querysets import open_q
from dispatch.workbench_queries import inbox
from tests.services import require_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

N = 2000


@pytest.fixture
def generated():
    require_postgres()
    call_command("load_sample_district", verbosity=0)
    # Sealed: the chain carries the real keyed hashes, so that the platform's own check passes.
    return generate(N, seed=11, years=2, chunk=700, seal=True, out=lambda *args: None)


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def test_writes_every_table_in_realistic_proportions_and_chained_events(generated):
    assert generated["rows"]["demands_demand"] == Demand.objects.count() == N
    demands = Demand.objects.aggregate(
        rejected=Count("pk", filter=Q(status=Status.REJECTED)),
        merged=Count("pk", filter=Q(status=Status.MERGED, duplicate_of__isnull=False)),
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        closed=Count("pk", filter=Q(status=Status.CLOSED)),
        reopened=Count("pk", filter=Q(reopen_count__gt=0)),
        rated=Count("pk", filter=Q(rating__isnull=False)),
    )
    assert 0.005 <= _share(demands["rejected"], N) <= 0.03
    assert 0.01 <= _share(demands["merged"], N) <= 0.035
    assert _share(demands["closed"], N) >= 0.85
    assert 0.005 <= _share(demands["reopened"], N) <= 0.06
    assert 0.15 <= _share(demands["rated"], N) <= 0.4
    # Open cases are the recent ones, with a few long-overdue stragglers.
    recent = timezone.now() - timedelta(days=45)
    assert demands["open"] > 0
    assert Demand.objects.filter(status__in=OPEN_STATUSES, submitted_at__gte=recent).count() >= 0.8 * demands["open"]

    leads = Assignment.objects.filter(role=AssignmentRole.LEAD)
    answered = leads.filter(status=AssignmentStatus.DONE)
    assert leads.count() >= 0.95 * (N - demands["rejected"] - demands["merged"])
    assert Assignment.objects.filter(role=AssignmentRole.ASSIST).exists()
    assert 0.8 <= _share(answered.filter(finished_at__lte=F("handle_deadline")).count(), answered.count()) <= 0.95
    returns = ReturnRequest.objects.count()
    assert 0.02 <= _share(returns, leads.count()) <= 0.07
    assert leads.filter(is_redispatch=True).count() == ReturnRequest.objects.filter(status="upheld").count() > 0
    assert ExtensionRequest.objects.filter(status="approved").exists()
    assert Supervision.objects.exists()
    # Each marked as the desk reads it: of an assignment still open, or not.
    assert not Supervision.objects.filter(assignment_open=True).exclude(open_q("assignment__")).exists()
    assert not Supervision.objects.filter(assignment_open=False, **{"assignment__status__in": OPEN}).exists()
    assert Appeal.objects.count() < 0.02 * leads.count()

    visits = CallbackVisit.objects.all()
    assert visits.count() == answered.count()  # one visit per answer
    finished = visits.exclude(status=VisitStatus.DUE)
    unreachable = finished.filter(status=VisitStatus.UNREACHABLE).count()
    assert 0.02 <= _share(unreachable, finished.count()) <= 0.15
    assert visits.filter(status=VisitStatus.CITIZEN_RATED).exists()
    assert (
        visits.filter(status=VisitStatus.DUE, answered_at__gte=recent).count()
        == visits.filter(status=VisitStatus.DUE).count()
    )

    # Every demand's events in one unbroken chain, in time order.
    assert DemandEvent.objects.count() == generated["rows"]["demands_demandevent"] > 5 * N
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FILTER (WHERE seq <> place OR prev_hash <> COALESCE(before, '') OR created_at < earlier)
            FROM (
                SELECT seq, prev_hash, created_at,
                       row_number() OVER w AS place, lag(row_hash) OVER w AS before,
                       lag(created_at) OVER w AS earlier
                FROM demands_demandevent WINDOW w AS (PARTITION BY demand_id ORDER BY seq)
            ) chained
            """
        )
        assert cursor.fetchone()[0] == 0
    call_command("verify_audit_log", stdout=io.StringIO())  # raises CommandError on a broken chain
    # Each state a demand is in is where its last event left it.
    last = DemandEvent.objects.filter(demand_id=Demand.objects.order_by("pk")[N // 2].pk).order_by("-seq").first()
    assert last.to_status == last.demand.status

    # Today's tracking numbers go on after the generated ones.
    today = timezone.localdate()
    made_today = Demand.objects.filter(tracking_number__startswith=f"PS-{today:%Y%m%d}-").count()
    assert DailySequence.objects.filter(day=today, last__gte=made_today).exists() or made_today == 0


def test_the_platform_reads_the_generated_cases(generated):
    today = timezone.localdate()
    last_day = today.replace(day=1) - timedelta(days=1)
    # The last three whole months: one month of 2,000 demands over two years left the busiest
    # department a dozen cases, and its rates moved with the hour the data was generated at.
    first_day = (last_day.replace(day=1) - timedelta(days=62)).replace(day=1)
    month = AuditFilters(date_from=first_day, date_to=last_day)
    rows = rate_rows(month)
    assert rows and sum(row.received for row in rows) > 30
    busiest = rows[0]
    assert 0.7 <= busiest.response_rate <= 1
    assert 0.5 <= busiest.satisfaction_rate <= 1
    assert 0.5 <= busiest.on_time_rate <= 1
    assert ranking(month).tables

    # The busiest department's inbox, as its handler sees it.
    department = Assignment.objects.values("department_id").annotate(n=Count("pk")).order_by("-n")[0]["department_id"]
    handler = get_user_model().objects.get(
        pk=Membership.objects.filter(department_id=department, role=Role.HANDLER).values("user_id")[:1]
    )
    first = inbox(handler, "all").select_related("demand").first()
    assert first is not None
    client = Client()
    client.force_login(handler)
    page = client.get(reverse("workbench"), {"view": "all"})
    assert page.status_code == 200
    assert first.demand.tracking_number in page.content.decode()

    auditor = get_user_model().objects.get(username="auditor")
    client.force_login(auditor)
    page = client.get(reverse("audit-ranking"), {"date_from": month.date_from, "date_to": month.date_to})
    assert page.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_parts_written_in_parallel_make_one_consistent_load():
    # Two processes, each with its own connection, so the sample district must be committed.
    require_postgres()
    call_command("load_sample_district", verbosity=0)
    result = generate(600, seed=5, years=1, chunk=100, jobs=2, out=lambda *args: None)

    assert result["rows"]["demands_demand"] == Demand.objects.count() == 600
    assert Demand.objects.values("tracking_number").distinct().count() == 600
    # The second part's ids come after the first's, as their times do.
    by_id = list(Demand.objects.order_by("pk").values_list("submitted_at", flat=True))
    assert by_id == sorted(by_id)
    # Every row points at a demand (or assignment) of the load: the parts never crossed ids.
    assert not Assignment.objects.exclude(demand__in=Demand.objects.all()).exists()
    assert not DemandEvent.objects.exclude(demand__in=Demand.objects.all()).exists()
    assert not ReturnRequest.objects.exclude(assignment__in=Assignment.objects.all()).exists()
    assert DemandEvent.objects.count() == result["rows"]["demands_demandevent"]
    # New demands take ids and tracking numbers after the generated ones.
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value FROM demands_demandevent_id_seq")
        assert cursor.fetchone()[0] == DemandEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
