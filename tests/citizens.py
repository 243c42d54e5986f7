"""The citizen's side of the tests: the demand form as a citizen fills it in, a browser that posts it
or holds the demands' query codes, the phones citizens are texted at, and the wait before a text
message is tried again."""

from __future__ import annotations

import re
from datetime import timedelta

from django.db.models import F
from django.test import Client

from demands.models import CitizenMessage, Demand

# A stall blocking the pavement on 坪山大道: the city management bureau's (CGJ), with no one assisting.
STALL = {"title": "路边有流动摊贩占道经营", "content": "坪山大道上每天傍晚都有小贩摆摊占道经营"}

# Construction noise at night in 六和城: the housing bureau (ZJJ) leads, the environment bureau
# (SHJ) assists.
NOISE = {"title": "工地半夜施工噪音太大", "content": "六和城旁边的工地每天半夜施工打桩，吵得无法入睡。"}

# A question no matter on the list answers: routing sends it to a dispatch officer (triage).
VAGUE = {"title": "想咨询一件事", "content": "我想问一下关于孩子户口的事情应该去哪里办理"}

# The citizen's web form with every field filled in, for the noise at night.
FORM = {
    "title": "工地半夜施工噪音太大",
    "content": "六和城旁边的工地每天半夜施工打桩，吵得无法入睡，请尽快处理。",
    "location_text": "坪山街道六和城",
    "urgency": "normal",
    "citizen_name": "张三",
    "citizen_phone": "13812345678",
    "citizen_address": "坪山街道六和城3栋502",
    "consent": "on",
}


def post_demand(citizen: Client, capture, **fields) -> Demand:
    """Post the citizen form (FORM, with `fields` changed) from `citizen`'s browser. `capture` is
    pytest-django's django_capture_on_commit_callbacks: routing, queued on commit, runs at once."""
    with capture(execute=True):
        response = citizen.post("/", {**FORM, **fields})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Demand.objects.latest("pk")


def citizen_of(*demands) -> Client:
    citizen = Client()
    session = citizen.session
    session["citizen_demands"] = [demand.pk for demand in demands]
    session.save()
    return citizen


class Phones:
    """A text-message gateway for tests (`CITIZEN_MESSAGE_SENDER`): what each phone was sent."""

    sent: list[tuple[str, str, str]] = []  # (phone, text, reference)

    def send(self, phone: str, text: str, *, reference: str) -> None:
        Phones.sent.append((phone, text, reference))

    @classmethod
    def last_code(cls, phone: str) -> str:
        """The one-time code last texted to the phone."""
        texts = [text for to, text, reference in cls.sent if to == phone and reference.startswith("code-")]
        return re.search(r"\d{6}", texts[-1]).group(0)


def resend_is_due(minutes: int = 3) -> None:
    """Every text message to a citizen made and last tried `minutes` earlier: past RETRY_AFTER, as
    when the beat's next resend comes."""
    step = timedelta(minutes=minutes)
    CitizenMessage.objects.update(created_at=F("created_at") - step, last_attempt_at=F("last_attempt_at") - step)
