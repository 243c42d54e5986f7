"""A citizen who lost the query code looks their demands up by phone: a code texted to it opens
the phone's demands (read, rate, reopen) in that browser for a while, and the pages say the same
to someone asking about a phone with no demands."""

from __future__ import annotations

import time

from django.test import Client

from demands.models import Demand, PhoneCode
from demands.workflow import Status
from dispatch.models import Assignment
from tests.citizens import post_demand
from tests.staff import logged_in

MOBILE = "13812345678"


def _submit(capture, phone: str = MOBILE, **fields) -> Demand:
    # Each is meant as a new demand, even where it looks like one the phone gave before.
    return post_demand(Client(), capture, citizen_phone=phone, repeat="new", **fields)


def _ask_code(client: Client, phone: str):
    return client.post("/track/phone/", {"phone": phone}, follow=True)


def test_a_lost_code_is_no_lost_case(district, phones, django_capture_on_commit_callbacks):
    first = _submit(django_capture_on_commit_callbacks, phone="138-1234-5678")
    second = _submit(django_capture_on_commit_callbacks, title="工地又在半夜施工")
    someone_else = _submit(django_capture_on_commit_callbacks, phone="13900001111", title="别人的诉求")

    citizen = Client()
    track = citizen.get("/track/").content.decode()
    assert 'href="/track/phone/"' in track and "座机号码的收不到短信验证码" in track
    asked = _ask_code(citizen, MOBILE)
    assert asked.redirect_chain[-1][0] == "/track/phone/code/"
    assert "验证码已用短信发到 138****5678" in asked.content.decode()
    code = phones.last_code(MOBILE)

    wrong = citizen.post("/track/phone/code/", {"code": "000000" if code != "000000" else "111111"})
    assert "验证码不正确或已失效" in wrong.content.decode()
    assert citizen.get(f"/track/{first.tracking_number}/").status_code == 302  # not yet

    opened = citizen.post("/track/phone/code/", {"code": code}, follow=True)
    page = opened.content.decode()
    assert opened.redirect_chain[-1][0] == "/track/phone/demands/"
    assert first.tracking_number in page and second.tracking_number in page
    assert someone_else.tracking_number not in page and "别人的诉求" not in page
    assert citizen.get(f"/track/{first.tracking_number}/").status_code == 200
    assert citizen.get(f"/track/{someone_else.tracking_number}/").status_code == 302

    # The department answers; the citizen rates one answer and asks for the other to be redone.
    zjj, shj = logged_in(district.users["zjj"]), logged_in(district.users["shj"])
    for demand in (first, second):
        lead = Assignment.objects.get(demand=demand, role="lead")
        zjj.post(f"/workbench/{lead.pk}/sign/")
        for assist in Assignment.objects.filter(demand=demand, role="assist"):
            shj.post(f"/workbench/{assist.pk}/reply/", {"body": "夜间噪声监测结果超标。"})
        zjj.post(f"/workbench/{lead.pk}/reply/", {"body": "已责令停止夜间施工。"})
        demand.refresh_from_db()
        assert demand.status == Status.REPLIED
    citizen.post(f"/track/{first.tracking_number}/rate/", {"rating": "4", "comment": ""})
    citizen.post(f"/track/{second.tracking_number}/reopen/", {"reason": "还在半夜施工"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.rating) == (Status.CLOSED, 4)
    assert second.status == Status.REOPENED


def test_the_pages_say_the_same_for_a_phone_without_demands(district, phones, django_capture_on_commit_callbacks):
    _submit(django_capture_on_commit_callbacks)
    with_demands, without = Client(), Client()
    said_with = _ask_code(with_demands, MOBILE)
    said_without = _ask_code(without, "13900009999")
    assert said_with.redirect_chain == said_without.redirect_chain
    masked = said_without.content.decode().replace("139****9999", "138****5678")
    assert _body(masked) == _body(said_with.content.decode())
    assert [to for to, _, reference in phones.sent if reference.startswith("code-")] == [MOBILE, "13900009999"]
    # Once the code is checked, the phone's owner may learn it has none.
    without.post("/track/phone/code/", {"code": phones.last_code("13900009999")})
    assert 'id="no-demands"' in without.get("/track/phone/demands/").content.decode()


def _body(page: str) -> str:
    # The page without its per-request token.
    import re

    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def test_a_landline_is_told_to_use_the_code_or_the_hotline(district, phones):
    refused = _ask_code(Client(), "0755-28331234")
    assert refused.status_code == 400 and "座机收不到短信验证码" in refused.content.decode()
    assert not phones.sent and not PhoneCode.objects.exists()


def test_the_right_lasts_a_while_and_can_be_ended(district, phones, django_capture_on_commit_callbacks):
    demand = _submit(django_capture_on_commit_callbacks)
    citizen = Client()
    _ask_code(citizen, MOBILE)
    citizen.post("/track/phone/code/", {"code": phones.last_code(MOBILE)})
    assert citizen.get(f"/track/{demand.tracking_number}/").status_code == 200
    session = citizen.session
    session["citizen_phone"] = {**session["citizen_phone"], "until": time.time() - 1}
    session.save()
    assert citizen.get(f"/track/{demand.tracking_number}/").status_code == 302
    assert citizen.get("/track/phone/demands/")["Location"] == "/track/phone/"

    again = Client()
    _ask_code(again, MOBILE)
    again.post("/track/phone/code/", {"code": phones.last_code(MOBILE)})
    again.post("/track/phone/end/")
    assert again.get(f"/track/{demand.tracking_number}/").status_code == 302


def test_the_code_is_in_no_session_and_no_row(district, phones):
    citizen = Client()
    _ask_code(citizen, MOBILE)
    code = phones.last_code(MOBILE)
    from django.contrib.sessions.models import Session

    assert all(code not in str(s.get_decoded()) for s in Session.objects.all())
    assert all(code not in str(row) for row in PhoneCode.objects.values_list())


def test_one_client_cannot_text_phone_after_phone(district, phones, settings):
    settings.CITIZEN_CODE_THROTTLE_RATE = "2/hour"
    client = Client()
    for n in range(2):
        assert _ask_code(client, f"1390000000{n}").redirect_chain
    refused = client.post("/track/phone/", {"phone": "13900000002"})
    assert refused.status_code == 429 and "获取验证码过于频繁" in refused.content.decode()
    assert len(phones.sent) == 2


def test_the_look_up_speaks_english_and_so_does_the_code(district, phones):
    citizen = Client()
    citizen.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Lost the query code? Look up by mobile phone" in citizen.get("/track/").content.decode()
    page = _ask_code(citizen, MOBILE).content.decode()
    assert "A code has been texted to 138****5678, valid for 10 minutes." in page
    [(_, text, _)] = phones.sent
    assert "Your code to look up your requests is" in text
    refused = citizen.post("/track/phone/", {"phone": "0755-28331234"}).content.decode()
    assert "Landlines cannot receive text messages" in refused
