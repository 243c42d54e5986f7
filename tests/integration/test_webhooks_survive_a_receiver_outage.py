"""On real PostgreSQL, Redis and a Celery worker: a webhook receiver that is down while a case is
handled gets every change afterwards, each once, in order, as the periodic retry finds them."""

from __future__ import annotations

import pytest
from django.conf import settings

from config.celery import app as celery_app
from demands.models import Demand
from demands.services import demand_rate, demand_submit
from dispatch.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from dispatch.services import assignment_contribute, assignment_reply, assignment_sign
from tests.factories import build_district
from tests.integration.workers import Worker, wait_for
from tests.webhook_receiver import Receiver

pytestmark = pytest.mark.integration


def test_a_receiver_down_for_a_while_gets_every_change_in_order(real_services, tmp_path):
    district = build_district()
    celery_app.control.purge()
    # The first retry waits half a second here (doubling), not the production half minute.
    worker = Worker(settings.CELERY_BROKER_URL, tmp_path / "worker.log", WEBHOOK_RETRY_BASE_SECONDS="0.5").start()
    try:
        with Receiver() as receiver:
            receiver.up = False
            WebhookSubscription.objects.create(name="市平台", url=receiver.url, secret="s3cret")
            # Two cases handled while the receiver is down: the worker routes them and sends each
            # change, which the receiver refuses.
            demands = [
                demand_submit(
                    title=f"工地半夜施工噪音太大（{n}）",
                    content="六和城旁边的工地每天半夜施工打桩，吵得无法入睡",
                    location_text="坪山街道六和城",
                    citizen_name="甲",
                    citizen_phone="13800000000",
                ).demand
                for n in (1, 2)
            ]
            for demand in demands:
                wait_for(lambda d=demand: Demand.objects.get(pk=d.pk).status == "dispatched" or None)
                lead = demand.assignments.get(role="lead")
                assist = demand.assignments.get(role="assist")
                assignment_sign(assignment_id=lead.pk, actor=district.users["zjj"])
                assignment_sign(assignment_id=assist.pk, actor=district.users["shj"])
                assignment_contribute(assignment_id=assist.pk, actor=district.users["shj"], body="已配合检测噪音超标。")
                assignment_reply(assignment_id=lead.pk, actor=district.users["zjj"], body="已责令夜间停工，群众认可。")
                demand_rate(demand=Demand.objects.get(pk=demand.pk), rating=5)
            assert wait_for(lambda: WebhookDelivery.objects.filter(attempts__gte=1).exists() or None)
            assert receiver.taken == []

            receiver.up = True

            def all_delivered():
                celery_app.tasks["dispatch.retry_webhooks"].delay()  # what beat does every half minute
                pending = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).exists()
                return None if pending else True

            assert wait_for(all_delivered, timeout=60, interval=1.0), "not every change reached the receiver"
            sequences = [m["sequence"] for m in receiver.messages]
            assert sequences == list(range(1, 7))  # 2 cases × dispatched, replied, closed; once each, in order
            kinds = [(m["demand"]["tracking_number"], m["kind"]) for m in receiver.messages]
            for demand in demands:
                assert [k for number, k in kinds if number == demand.tracking_number] == [
                    "dispatched",
                    "replied",
                    "closed",
                ]
    finally:
        worker.stop()
