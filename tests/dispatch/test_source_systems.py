"""Source systems (来源系统): the city's 12345 platform, apps and mini-programs submit with their own
key, their demands record the system, its channel and its number, and a case the city hands down
keeps the city's deadline, which bounds ours."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from config.errors import IllegalTransition
from demands.models import Channel, Demand, DemandEvent, SourceSystem
from demands.sources import source_system_new_key, source_system_register
from demands.workflow import Action
from dispatch.services import assignment_sign, extension_request
from tests.staff import latest_lead
from tests.uploads import PDF_HTML_POLYGLOT, PNG

SUBMIT = "/api/v1/citizen/demands/"
STALLS = {
    "title": "路边有流动摊贩占道经营",
    "content": "坪山大道上每天傍晚都有小贩摆摊占道经营，堵塞人行道。",
    "citizen_name": "钱七",
    "citizen_phone": "13700001234",
}


def system_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


@pytest.fixture
def city(district):
    return source_system_register(name="市12345平台", channel=Channel.CITY_PLATFORM)


def submit(client: APIClient, callbacks, **extra):
    with callbacks(execute=True):
        return client.post(SUBMIT, {**STALLS, **extra}, format="json")


def test_the_command_registers_a_system_and_prints_its_key_alone_on_the_last_line(district):
    out = io.StringIO()
    call_command("create_source_system", "i坪山小程序", "--channel", "mini_program", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    system = SourceSystem.objects.get(name="i坪山小程序")
    assert (system.channel, system.hands_down) == (Channel.MINI_PROGRAM, False)
    assert key.startswith(system.key_prefix) and key not in system.key_hash

    response = system_client(key).post(SUBMIT, STALLS, format="json")
    assert response.status_code == 201, response.content
    demand = Demand.objects.get(tracking_number=response.json()["tracking_number"])
    assert (demand.channel, demand.source_system) == (Channel.MINI_PROGRAM, system)


def test_a_handed_down_case_keeps_the_citys_number_and_its_deadline_bounds_ours(
    city, django_capture_on_commit_callbacks
):
    upstream = timezone.now() + timedelta(days=2)
    response = submit(
        system_client(city.key),
        django_capture_on_commit_callbacks,
        source_reference="SZ12345-20261207-0042",
        upstream_deadline=upstream.isoformat(),
    )
    assert response.status_code == 201, response.content
    demand = Demand.objects.get(tracking_number=response.json()["tracking_number"])
    assert (demand.channel, demand.source_reference) == (Channel.CITY_PLATFORM, "SZ12345-20261207-0042")
    # The matter gives 城管 more working days than the city allows: the city's deadline holds.
    lead = latest_lead(demand)
    assert lead.handle_deadline == upstream == demand.due_at
    assert lead.sign_deadline <= upstream and lead.warn_at < upstream
    event = DemandEvent.objects.get(demand=demand, action=Action.SUBMIT)
    assert event.data["source"] == "市12345平台" and event.data["source_reference"] == "SZ12345-20261207-0042"


def test_the_same_number_twice_is_one_demand_and_the_second_is_told_which(city, django_capture_on_commit_callbacks):
    client = system_client(city.key)
    first = submit(client, django_capture_on_commit_callbacks, source_reference="SZ-1")
    again = submit(client, django_capture_on_commit_callbacks, source_reference="SZ-1")
    assert again.status_code == 409
    assert again.json()["tracking_number"] == first.json()["tracking_number"]
    assert Demand.objects.count() == 1


def test_only_a_higher_platform_sends_a_deadline_and_only_a_system_sends_a_number(
    district, django_capture_on_commit_callbacks
):
    app = source_system_register(name="i坪山", channel=Channel.APP)
    later = (timezone.now() + timedelta(days=3)).isoformat()
    response = submit(system_client(app.key), django_capture_on_commit_callbacks, upstream_deadline=later)
    assert response.status_code == 400 and "upstream_deadline" in response.json()["fields"]
    response = submit(APIClient(), django_capture_on_commit_callbacks, source_reference="X-1")
    assert response.status_code == 403
    assert Demand.objects.count() == 0


def test_a_wrong_withdrawn_or_replaced_key_is_refused(city, django_capture_on_commit_callbacks):
    assert submit(system_client("0000abcd.not-a-key"), django_capture_on_commit_callbacks).status_code == 401
    replaced = source_system_new_key(system_id=city.system.pk)
    assert submit(system_client(city.key), django_capture_on_commit_callbacks).status_code == 401
    assert submit(system_client(replaced.key), django_capture_on_commit_callbacks).status_code == 201
    SourceSystem.objects.filter(pk=city.system.pk).update(is_active=False)
    response = submit(system_client(replaced.key), django_capture_on_commit_callbacks)
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Api-Key"
    assert Demand.objects.count() == 1


def test_a_system_is_held_to_its_own_limit_not_the_citizens(city, settings, django_capture_on_commit_callbacks):
    settings.CITIZEN_SUBMIT_RATE = "1/hour"
    settings.SOURCE_SYSTEM_SUBMIT_RATE = "2/hour"
    client = system_client(city.key)
    statuses = [submit(client, django_capture_on_commit_callbacks).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]


def test_attachments_come_in_over_the_api_and_a_bad_one_takes_nothing_in(city, django_capture_on_commit_callbacks):
    client = system_client(city.key)
    photo = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SUBMIT, {**STALLS, "attachments": [photo]}, format="multipart")
    assert response.status_code == 201, response.content
    demand = Demand.objects.get(tracking_number=response.json()["tracking_number"])
    assert [(a.original_name, a.content_type) for a in demand.attachments.all()] == [("现场.png", "image/png")]

    page = SimpleUploadedFile("a.pdf", PDF_HTML_POLYGLOT, content_type="application/pdf")
    response = client.post(SUBMIT, {**STALLS, "attachments": [page]}, format="multipart")
    assert response.status_code == 400 and "attachments" in response.json()["fields"]
    assert Demand.objects.count() == 1


def test_no_extension_past_the_city_deadline(city, district, django_capture_on_commit_callbacks):
    upstream = timezone.now() + timedelta(days=2)
    response = submit(
        system_client(city.key), django_capture_on_commit_callbacks, upstream_deadline=upstream.isoformat()
    )
    lead = latest_lead(Demand.objects.get(tracking_number=response.json()["tracking_number"]))
    assignment_sign(assignment_id=lead.pk, actor=district.users["cgj"])
    with pytest.raises(IllegalTransition, match="上级平台"):
        extension_request(
            assignment_id=lead.pk, actor=district.users["cgj"], extra_days=Decimal(5), reason="需要协调多个部门"
        )


def test_the_admin_shows_a_new_systems_key_once_and_keeps_only_its_hash(district, client):
    from django.contrib.auth.models import User

    admin = User.objects.create_superuser("root", password="pw-for-tests-only")
    client.force_login(admin)
    response = client.post(
        "/admin/demands/sourcesystem/add/",
        {"name": "市12345平台", "channel": Channel.CITY_PLATFORM, "hands_down": "on", "is_active": "on"},
        follow=True,
    )
    system = SourceSystem.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    key = shown[0].rsplit("：", 1)[1]
    assert key.startswith(system.key_prefix) and len(key) > 40
    assert key not in client.get(f"/admin/demands/sourcesystem/{system.pk}/change/").content.decode()
    assert system_client(key).post(SUBMIT, STALLS, format="json").status_code == 201


def test_the_desk_shows_where_a_case_came_from_and_the_citys_deadline(
    city, district, django_capture_on_commit_callbacks
):
    from tests.staff import logged_in

    upstream = timezone.localtime(timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    response = submit(
        system_client(city.key),
        django_capture_on_commit_callbacks,
        source_reference="SZ-9",
        upstream_deadline=upstream.isoformat(),
    )
    page = logged_in(district.users["dispatcher"]).get(f"/desk/demands/{response.json()['tracking_number']}/")
    text = page.content.decode()
    assert "市12345平台 编号 SZ-9" in text and upstream.strftime("%Y-%m-%d %H:%M") in text
