"""No input gets a server error. Every URL pattern of the URLconf is walked, so a new view cannot
escape:

1. each URL with parameters that exist, GET and POST (a plausible body), as anonymous and as a
   user of each role; this also records which query and form names each view reads;
2. each path parameter in turn nonexistent or odd (huge numbers, NUL, very long text, year 9999);
3. wherever someone got past the door, each name the view reads given each hostile value (NUL,
   impossible dates, year 9999, huge and negative numbers, NaN, very long text, unknown choices),
   and for the API, hostile JSON: wrong types, nesting 10,000 deep, broken syntax.

Every answer must be below 500. Each request runs in a savepoint rolled back after it, so every
request meets the same data and a query PostgreSQL refuses cannot poison the next. Run it on
PostgreSQL too (DATABASE_URL): only PostgreSQL refuses NUL in text."""

from __future__ import annotations

import copy
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import QueryDict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from assessment.models import CallbackVisit, ExportJob, ReportKind
from assessment.reports import last_closed_period, report_publish
from demands.models import Attachment
from departments.models import Membership, Role
from dispatch.models import Assignment, Notification, Supervision
from dispatch.services import assignment_return, assignment_sign, extension_request
from responsibility_lists.models import ImportJob
from responsibility_lists.services import version_create_draft
from tests.uploads import PNG

NUL = "a\x00b"
LONG = "长" * 5000
HUGE = str(10**30)
DEEP = 10_000

# Odd values for a path parameter, by converter (a value its converter refuses never reaches a view).
ODD_PATH_VALUES = {
    "int": ["0", str(2**63), HUGE],
    "str": ["NOPE-20260101-000001", NUL, LONG, "9999-12-31"],
    "slug": ["nope", "x" * 300],
    "path": ["999999", NUL, HUGE],
}
# Each name a view reads gets every one of these alone. Query parameters are read by hand as
# often as through forms; bodies go through forms and serializers, which check types, so what
# gets past them is size and range. (benchmarks/probe_inputs.py mixes many more at random.)
GET_VALUES = [HUGE, "9999-12-31", LONG, "-1"]
POST_VALUES = [HUGE, "9999-12-31"]
HOSTILE_JSON = [None, {"a": [1]}]
# Anonymous first for the citizen's pages; then one user of each role, the widest reach first.
PRINCIPALS = [None, "dispatcher", "admin", "auditor", "supervisor", "maintainer", "zjj", "head", "intake", "callback"]


def url_patterns(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def _urls(route: str, existing: dict[str, str], odd_values: dict[str, list[str]]) -> list[str]:
    """The URL with every parameter existing, then with each one in turn nonexistent or odd."""
    params = [(m.group("converter") or "str", m.group("name")) for m in PARAM.finditer(route)]
    base = {name: existing.get(name, "1") for _, name in params}

    def fill(values: dict[str, str]) -> str:
        return "/" + PARAM.sub(lambda m: values[m.group("name")], route)

    urls = [fill(base)]
    for converter, name in params:
        urls += [fill({**base, name: value}) for value in odd_values.get(converter, odd_values["str"])]
    return urls


@contextmanager
def reads() -> Iterator[set[str]]:
    """The names requests read from a query string or form body (forms, filters and views all ask
    a QueryDict), so hostile values go to the names each view really takes."""
    names: set[str] = set()
    # Patched on QueryDict itself, not the MultiValueDict it inherits from: the URL resolver
    # keeps its names in a MultiValueDict too, and every {% url %} would count as a read.
    originals = {attr: QueryDict.__dict__.get(attr) for attr in ("get", "getlist", "__getitem__")}

    def recording(attr):
        def read(self, key, *args, **kwargs):
            if isinstance(key, str):
                names.add(key)
            return getattr(MultiValueDict, attr)(self, key, *args, **kwargs)

        return read

    assert not any(originals.values()), "QueryDict defines its own readers now: record through them"
    for attr in originals:
        setattr(QueryDict, attr, recording(attr))
    try:
        yield names
    finally:
        for attr in originals:
            delattr(QueryDict, attr)


def _short(value: object) -> object:
    text = value if isinstance(value, str) else json.dumps(value) if not isinstance(value, bytes) else ""
    return text[:40] + "…" if len(text) > 40 else value


@dataclass
class Walk:
    clients: dict[str | None, Client]
    sent: int = 0
    errors: list[str] = field(default_factory=list)

    def send(self, who: str | None, method: str, url: str, data=None, hostile: str = "", **kwargs) -> tuple[int, str]:
        self.sent += 1
        client = self.clients[who]
        # The client's cookies are put back too: a logout or a new session would outlive the rollback.
        cookies, sid = copy.deepcopy(client.cookies), transaction.savepoint()
        try:
            response = getattr(client, method)(url, data=data, **kwargs)
        finally:
            transaction.savepoint_rollback(sid)
            client.cookies = cookies
        if response.status_code >= 500:
            exc = getattr(response, "exc_info", None)
            reason = f"{exc[0].__name__}: {str(exc[1])[:160]}" if exc else ""
            if isinstance(data, str) and data.startswith("{") and hostile not in ("", "body"):
                data = json.loads(data)
            if isinstance(data, dict):
                shown = {k: _short(v) for k, v in data.items() if hostile in ("all", k)} if hostile else "plausible"
            else:
                shown = _short(data)
            self.errors.append(f"{response.status_code} {method.upper()} {_short(url)!r} as {who} {shown} {reason}")
        return response.status_code, response.get("Location", "")


def _got_in(status: int, location: str) -> bool:
    """Past the door: the view ran for this principal (a refusal of the input, 400 or 409, counts;
    not being let in, or the path naming nothing, does not)."""
    return status not in (401, 403, 404, 405) and status < 500 and "/login/" not in location


@pytest.fixture
def world(district, submit, settings):
    """A district with a demand in each place an id can point at, and a user of each role."""
    settings.CITIZEN_THROTTLE_RATE = settings.CITIZEN_CODE_THROTTLE_RATE = "1000000/minute"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"citizen": "1000000/minute"}}
    d = district
    users = dict(d.users)
    for name, role, dept in (
        ("head", Role.HEAD, "ZJJ"),
        ("supervisor", Role.SUPERVISOR, "ZXZX"),
        ("admin", Role.ADMIN, "ZXZX"),
        ("callback", Role.CALLBACK_OFFICER, "ZXZX"),
    ):
        users[name] = User.objects.create_user(username=name, password="pw-for-tests-only")
        Membership.objects.create(user=users[name], department=d.departments[dept], role=role)
    users["superuser"] = User.objects.create_superuser("superuser", password="pw-for-tests-only")

    noise = submit(attachments=[SimpleUploadedFile("site.png", PNG, content_type="image/png")]).demand
    stall = submit(title="路边有流动摊贩占道经营", content="坪山大道上每天傍晚都有小贩摆摊占道经营").demand
    noise_lead = Assignment.objects.get(demand=noise, role="lead")
    assignment_sign(assignment_id=noise_lead.pk, actor=users["zjj"])
    extension = extension_request(
        assignment_id=noise_lead.pk, actor=users["zjj"], extra_days=Decimal(2), reason="需要协调多个部门"
    )
    stall_lead = Assignment.objects.get(demand=stall, role="lead")
    returned = assignment_return(
        assignment_id=stall_lead.pk, actor=users["cgj"], reason_code="not_ours", reason="不是我们的职责范围"
    )
    Supervision.objects.create(
        assignment=noise_lead, supervisor=users["supervisor"], note="请尽快处理", response_deadline=timezone.now()
    )
    Notification.objects.create(user=users["zjj"], demand=noise, kind="test", message="测试")
    export = ExportJob.objects.create(kind="demands", format="csv", requested_by=users["auditor"])
    draft = version_create_draft(actor=users["maintainer"], based_on_id=d.version.pk)
    ImportJob.objects.create(
        file=SimpleUploadedFile("list.csv", b"a,b\n"),
        original_name="list.csv",
        title="t",
        created_by=users["maintainer"],
    )
    visit = CallbackVisit.objects.create(
        demand=noise, department=d.departments["ZJJ"], answered_at=timezone.now(), due_at=timezone.now()
    )
    report = report_publish(
        actor=users["auditor"], kind=ReportKind.MONTHLY, period_start=last_closed_period(ReportKind.MONTHLY)[0]
    )
    existing = {
        "report_id": str(report.pk),
        "tracking_number": noise.tracking_number,
        "attachment_id": str(Attachment.objects.get(demand=noise).pk),
        "assignment_id": str(noise_lead.pk),
        "return_id": str(returned.pk),
        "extension_id": str(extension.pk),
        "job_id": str(export.pk),
        "number": str(draft.number),
        "code": d.matters["stall"].code,
        "kind": "demands",
        "fmt": "csv",
        "object_id": str(noise.pk),
        "visit_id": str(visit.pk),
    }
    plausible = {
        "title": "工地半夜施工噪音太大",
        "content": "六和城旁边的工地每天半夜施工打桩，吵得无法入睡。",
        "citizen_name": "张三",
        "citizen_phone": "13812345678",
        "urgency": "normal",
        "channel": "hotline",
        "consent": "on",
        "phone": "13812345678",
        "code": "123456",
        "tracking_number": noise.tracking_number,
        "query_code": "ABCD2345",
        "original": stall.tracking_number,
        "reason": "这件事不属于本部门的职责范围",
        "reason_code": "not_ours",
        "note": "请按清单处理",
        "body": "已经处理完毕，谢谢反映。",
        "question": "请补充具体地址",
        "response": "已安排人员处理",
        "answer": "在六和城3栋",
        "comment": "处理及时",
        "rating": "4",
        "uphold": "true",
        "approve": "true",
        "extra_days": "2",
        "department_id": str(d.departments["CGJ"].pk),
        "suggested_department_id": str(d.departments["CGJ"].pk),
        "date_from": "2026-01-01",
        "period_start": "2026-11-02",
        "date_to": "2026-03-01",
        "q": "噪音",
        "outcome": "reached",
        "reached": "true",
        "contacted_in_time": "yes",
        "resolution": "solved",
        "satisfaction": "satisfied",
        "notes": "群众表示满意",
    }
    return users, existing, plausible


def test_no_url_answers_any_input_with_a_server_error(world):
    users, existing, plausible = world
    clients = {None: Client(raise_request_exception=False)}
    for name in [*PRINCIPALS[1:], "superuser"]:
        clients[name] = Client(raise_request_exception=False)
        clients[name].force_login(users[name])
    walk = Walk(clients)
    got_in: dict[tuple[str, str], list[str | None]] = defaultdict(list)
    names: dict[tuple[str, str], set[str]] = defaultdict(set)
    routes = [route for route, _ in url_patterns()]
    site = [route for route in routes if not route.startswith("admin/")]

    # 1. Existing values, every principal, with plausible values for every name the code could
    #    read: a form given none stays unbound and reads nothing. API bodies go form-encoded here
    #    so their reads are seen.
    for route in site:
        url = _urls(route, existing, ODD_PATH_VALUES)[0]
        for who in PRINCIPALS:
            for method, data in (("get", plausible), ("post", plausible)):
                with reads() as read:
                    status, location = walk.send(who, method, url, data)
                if _got_in(status, location):
                    got_in[route, method].append(who)
                    names[route, method] |= read
    # 2. Nonexistent and odd path values, as the first who got in (else anonymous).
    for route in site:
        for url in _urls(route, existing, ODD_PATH_VALUES)[1:]:
            for method in ("get", "post"):
                walk.send(got_in.get((route, method), [None])[0], method, url, plausible)
    # 3. Hostile values for each name the view read, one name at a time (so no other bad value
    #    stops the view before it reaches this one), as the first who got in; then every name at
    #    once with NUL.
    for (route, method), principals in got_in.items():
        url, who, api = _urls(route, existing, ODD_PATH_VALUES)[0], principals[0], route.startswith("api/")
        read = sorted(names[route, method] - {"csrfmiddlewaretoken"})
        for name in read:
            if method == "get":
                for value in GET_VALUES:
                    walk.send(who, "get", url, {name: value}, hostile=name)
            elif api:
                for value in [*POST_VALUES, *HOSTILE_JSON]:
                    body = json.dumps({**plausible, name: value})
                    walk.send(who, "post", url, body, content_type="application/json", hostile=name)
            else:
                for value in POST_VALUES:
                    walk.send(who, "post", url, {**plausible, name: value}, hostile=name)
        if method == "get":
            walk.send(who, "get", url, dict.fromkeys(read, NUL), hostile="all")
        elif api:
            for body in ("[" * DEEP + "]" * DEEP, '{"a": ' * DEEP + "1" + "}" * DEEP, "{not json", NUL):
                walk.send(who, "post", url, body, content_type="application/json", hostile="body")
        else:
            walk.send(who, "post", url, {**plausible, **dict.fromkeys(read, NUL)}, hostile="all")
    # The admin: a superuser's door. Every page with an existing and an odd object, and the
    # change lists with hostile search, ordering and page numbers.
    walk.send(None, "get", "/admin/")
    for route in routes:
        if route.startswith("admin/"):
            for url in _urls(route, existing, {"str": [], "path": [HUGE]}):
                walk.send("superuser", "get", url)
            if route.count("/") == 3 and "<" not in route:  # admin/<app>/<model>/
                walk.send("superuser", "get", "/" + route, {"q": LONG, "o": HUGE, "p": HUGE})
    print(f"\n{walk.sent} requests, {len(got_in)} (url, method) pairs got past the door, {len(walk.errors)} errors")
    assert not walk.errors, "\n".join(walk.errors[:80])
