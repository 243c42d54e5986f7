"""The permission matrix: every page and API operation × every role × own/other department × own/other
demand, taken from the URL configuration itself, so a new view cannot escape it (a URL pattern with
no expectation below fails tests/test_access_matrix.py).

The world is the test district (tests.factories.build_district) with a user for every role and seven
demands: one of 住建局's (the citizen's own, 生态环境局 assisting) and one of 城管局's (another
department's, another citizen's), for each of the two departments a case it returned and a case it
asked more time for, and a case 住建局 returned whose return was upheld (城管局's since). Each request runs in a savepoint that is rolled back, so what one allowed
POST does never changes the next attempt. A POST sends one payload that fills every form and API
input with valid values (unknown fields are ignored), so a refusal made by a service, not only by
a view's decorator, is reached and seen.

An attempt is *refused* when it answers 401/403/404/405, redirects to a place where one proves who
one is (a login page, the tracking form), or a service raised NotAllowed (a page shows that as a
message on a redirect). It is *allowed* otherwise: 2xx, another redirect, or 400 on a POST (the
input was judged, so access was granted). A 5xx is neither and always fails.

A *leak* is content a person may not read in any answer: a refused attempt must carry none of the
cases' text or their citizens' details; any answer to a department's staff must carry nothing of
another department's cases; no one but the citizen (and the platform's administrator, in the admin)
ever gets a citizen's full name, phone or address."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from unittest import mock

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from assessment.figures import AuditFilters
from assessment.models import ExportJob, ExportStatus
from config.errors import NotAllowed
from demands.services import demand_submit
from departments.models import Membership, Role
from dispatch.models import Assignment, AssignmentRole, Supervision
from dispatch.services import assignment_return, assignment_sign, extension_request, return_rule
from responsibility_lists.amendments import amendment_file
from responsibility_lists.models import AmendmentKind, AmendmentProposal, ImportJob
from responsibility_lists.services import version_create_draft
from tests.factories import build_district, make_user
from tests.uploads import PNG

# Everyone who can reach the platform: the anonymous visitor, a citizen whose browser opened their
# own demand with its query code, a signed-in account with no role, and one person in each role
# (the department roles in 住建局; the district-wide ones in the service centre; the platform's
# administrator is a Django superuser).
ACTORS = (
    "anonymous",
    "citizen",
    "nobody",
    "intake",
    "dispatcher",
    "supervisor",
    "auditor",
    "maintainer",
    "handler",
    "head",
    "admin",
)
EVERYONE = frozenset(ACTORS)
SIGNED_IN = EVERYONE - {"anonymous", "citizen"}
NONE: frozenset[str] = frozenset()
DEPARTMENT = frozenset({"handler", "head"})
DISPATCH = frozenset({"dispatcher", "admin"})
READ_ALL = frozenset({"intake", "dispatcher", "supervisor", "auditor", "admin"})
AUDIT = frozenset({"auditor", "supervisor", "admin"})
MAINTAIN = frozenset({"maintainer", "admin"})
# The district-wide roles that review the list against the demands (hot spots).
LIST_READERS = frozenset({"maintainer", "dispatcher", "auditor", "admin"})
# Who keeps or reads the working-time calendar: the district-wide roles.
CALENDAR_READERS = frozenset({"dispatcher", "supervisor", "auditor", "maintainer", "admin"})


@dataclass(frozen=True)
class Rule:
    """Who may GET and who may POST; `scope`: "department" (a department's staff only on their own
    department's case), "citizen" (the citizen only on their own demand), "admin" (see ADMIN_SITE),
    or "" (the role decides)."""

    get: frozenset[str] = NONE
    post: frozenset[str] = NONE
    scope: str = ""


def rule(get=NONE, post=NONE, scope: str = "") -> Rule:
    return Rule(frozenset(get), frozenset(post), scope)


# The admin: no one but the platform's administrator gets in; what it may do there (a read-only
# model, a catch-all 404) the admin's own permissions decide, so its answers are not asserted.
ADMIN_SITE = rule(get={"admin"}, post={"admin"}, scope="admin")

# Keyed by URL name (namespaced: admin:…), or by the route where a pattern has no name.
EXPECTED: dict[str, Rule] = {
    # Citizens and the public
    "citizen-submit": rule(EVERYONE, EVERYONE),
    # Without a fresh receipt these send anyone to the tracking form, with a note, and show nothing.
    "citizen-submitted": rule(EVERYONE, EVERYONE),
    "citizen-followed-up": rule(EVERYONE, EVERYONE),
    "citizen-track": rule(EVERYONE, EVERYONE),
    "citizen-phone": rule(EVERYONE, EVERYONE),
    "citizen-phone-code": rule(),  # only after a code was texted to a phone in this session
    "citizen-phone-demands": rule(),  # only once a phone is proved
    "citizen-phone-end": rule(post=EVERYONE),
    "citizen-demand": rule({"citizen"}, {"citizen"}, scope="citizen"),
    "citizen-rate": rule(post={"citizen"}, scope="citizen"),
    "citizen-reopen": rule(post={"citizen"}, scope="citizen"),
    "citizen-supplement": rule(post={"citizen"}, scope="citizen"),
    "citizen-texts": rule(post={"citizen"}, scope="citizen"),
    "citizen-attachment": rule({"citizen"}, {"citizen"}, scope="citizen"),
    "privacy": rule(EVERYONE),
    "favicon.ico": rule(EVERYONE, EVERYONE),
    "set_language": rule(EVERYONE, EVERYONE),  # a GET changes nothing and goes back
    "login": rule(EVERYONE, EVERYONE),
    "logout": rule(post=EVERYONE),
    "api-schema": rule(EVERYONE),
    "api-docs": rule(EVERYONE),
    "api-token": rule(post=EVERYONE),
    "api-logout": rule(post=SIGNED_IN),  # revokes the caller's own token
    "api-citizen-submit": rule(post=EVERYONE),
    "api-citizen-track": rule(post=EVERYONE),  # whoever holds the query code
    "api-citizen-rate": rule(post=EVERYONE),
    "api-citizen-reopen": rule(post=EVERYONE),
    "api-citizen-supplement": rule(post=EVERYONE),
    # Every signed-in person
    "staff-home": rule(SIGNED_IN - {"nobody"}, SIGNED_IN - {"nobody"}),
    "notifications": rule(SIGNED_IN, SIGNED_IN),
    "working-calendar": rule(CALENDAR_READERS, CALENDAR_READERS),
    "list-current": rule(SIGNED_IN, SIGNED_IN),
    "list-versions": rule(SIGNED_IN, SIGNED_IN),
    "list-version": rule(SIGNED_IN, SIGNED_IN),
    "list-matter": rule(SIGNED_IN, MAINTAIN),
    "list-export": rule(SIGNED_IN, SIGNED_IN),
    "list-diff": rule(SIGNED_IN, SIGNED_IN),
    # The list's maintainers
    "list-new-draft": rule(post=MAINTAIN),
    "list-publish": rule(post=MAINTAIN),
    "list-matter-add": rule(MAINTAIN, MAINTAIN),
    "list-matter-delete": rule(post=MAINTAIN),
    "list-import-start": rule(post=MAINTAIN),
    "list-import": rule(MAINTAIN, MAINTAIN),
    "list-amendments": rule(MAINTAIN, MAINTAIN),
    "list-amendment-decide": rule(post=MAINTAIN),
    "list-hotspots": rule(LIST_READERS, LIST_READERS),
    "list-impact": rule(MAINTAIN, MAINTAIN),
    # The dispatch desk
    "intake": rule({"intake", *DISPATCH}, {"intake", *DISPATCH}),
    "desk": rule({*DISPATCH, "supervisor"}, {*DISPATCH, "supervisor"}),
    "desk-counts": rule({*DISPATCH, "supervisor"}, {*DISPATCH, "supervisor"}),
    "desk-find": rule(post={*DISPATCH, "supervisor"}),
    "desk-demand": rule(READ_ALL, READ_ALL),
    "desk-dispatch": rule(post=DISPATCH),
    "desk-reject": rule(post=DISPATCH),
    "desk-merge": rule(post=DISPATCH),
    "desk-amend": rule(post=DISPATCH),
    "desk-rule": rule(post=DISPATCH),
    "desk-decide-extension": rule(post=DISPATCH),
    "desk-release": rule(post=DISPATCH),
    "desk-duplicates": rule(post=DISPATCH),
    # The department workbench: a department's staff, on their own department's cases
    "workbench": rule(DEPARTMENT, DEPARTMENT),
    "workbench-templates": rule(DEPARTMENT, DEPARTMENT),
    "workbench-assignment": rule(DEPARTMENT, DEPARTMENT, scope="department"),
    "workbench-note": rule(post=DEPARTMENT, scope="department"),
    "workbench-sign": rule(post=DEPARTMENT, scope="department"),
    "workbench-reply": rule(post=DEPARTMENT, scope="department"),
    "workbench-return": rule(post=DEPARTMENT, scope="department"),
    "workbench-extension": rule(post=DEPARTMENT, scope="department"),
    "workbench-contact": rule(post=DEPARTMENT, scope="department"),
    "workbench-ask-citizen": rule(post=DEPARTMENT, scope="department"),
    "workbench-stop-waiting": rule(post=DEPARTMENT, scope="department"),
    "workbench-supervision": rule(post=DEPARTMENT, scope="department"),
    "attachment": rule(READ_ALL | DEPARTMENT, READ_ALL | DEPARTMENT, scope="department"),
    # Assessment
    "audit": rule(AUDIT, AUDIT),
    "audit-export": rule(AUDIT, AUDIT),
    "audit-export-job": rule({"auditor", "admin"}, {"auditor", "admin"}),  # the requester's own, or an auditor's
    "audit-export-download": rule({"auditor", "admin"}, {"auditor", "admin"}),
    # The staff API
    "api-demands": rule(SIGNED_IN),  # each sees the demands they may read (none for most)
    "api-demand": rule(READ_ALL | DEPARTMENT, scope="department"),
    "api-demand-dispatch": rule(post=DISPATCH),
    "api-demand-reject": rule(post=DISPATCH),
    "api-demand-merge": rule(post=DISPATCH),
    "api-return-rule": rule(post=DISPATCH),
    "api-extension-decide": rule(post=DISPATCH),
    "api-assignments": rule(SIGNED_IN),  # each sees their own departments' (none for most)
    "api-assignment-sign": rule(post=DEPARTMENT, scope="department"),
    "api-assignment-reply": rule(post=DEPARTMENT, scope="department"),
    "api-assignment-contribute": rule(post=DEPARTMENT, scope="department"),
    "api-assignment-return": rule(post=DEPARTMENT, scope="department"),
    "api-assignment-extension": rule(post=DEPARTMENT, scope="department"),
    "api-assignment-ask-citizen": rule(post=DEPARTMENT, scope="department"),
    "api-assignment-stop-waiting": rule(post=DEPARTMENT, scope="department"),
    "api-assignment-supervision": rule(post=DEPARTMENT, scope="department"),
    "api-assignment-release": rule(post=DISPATCH),
    # Django's admin: the platform's administrator only; everyone may see its login page.
    "admin:login": rule(EVERYONE, EVERYONE, scope="admin"),
    "admin:*": ADMIN_SITE,
}

# What a URL's arguments are, for the case it is about (own / other) and otherwise.
SUBJECT_KWARGS = {"tracking_number", "assignment_id", "attachment_id", "return_id", "extension_id"}


@dataclass(frozen=True)
class Endpoint:
    key: str  # the URL name, or the route where it has none
    route: str
    kwargs: tuple[str, ...]

    @property
    def expectation_key(self) -> str:
        if self.key in EXPECTED:
            return self.key
        if self.key.startswith("admin:") or self.route.startswith("admin/"):
            return "admin:*"
        return self.key

    @property
    def subjects(self) -> tuple[str, ...]:
        return ("own", "other") if SUBJECT_KWARGS & set(self.kwargs) else ("",)


def endpoints() -> list[Endpoint]:
    """Every URL pattern of the project, the API's and the admin's included."""
    found: list[Endpoint] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str, inherited: tuple[str, ...]) -> None:
        for pattern in resolver.url_patterns:
            names = _argument_names(pattern)
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern, prefix + str(pattern.pattern), inner, inherited + names)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                key = f"{namespace}{pattern.name}" if pattern.name else route
                found.append(Endpoint(key, route, inherited + names))

    walk(get_resolver(), "", "", ())
    return found


def _argument_names(pattern) -> tuple[str, ...]:
    regex = pattern.pattern.regex
    return tuple(regex.groupindex)


def unexpected() -> list[str]:
    """URL patterns that the table above says nothing about."""
    return sorted({e.key for e in endpoints() if e.expectation_key not in EXPECTED})


def expected_allowed(endpoint: Endpoint, actor: str, subject: str, method: str) -> bool | None:
    """Whether the table lets `actor` do this; None where it leaves the answer to the admin."""
    expectation = EXPECTED[endpoint.expectation_key]
    if expectation.scope == "admin" and actor == "admin":
        return None
    allowed = actor in (expectation.get if method == "GET" else expectation.post)
    if allowed and subject == "other":
        if expectation.scope == "department" and actor in DEPARTMENT:
            return False
        if expectation.scope == "citizen":
            return False
    return allowed


@dataclass
class World:
    users: dict[str, User | None]
    sessions: dict[str, str]  # actor → session key (the citizen's holds their opened demand)
    values: dict[str, dict[str, str]]  # subject → URL argument → value
    payload: dict[str, str]
    overrides: dict[str, dict[str, str]]  # URL name → arguments only it takes this way
    # Case text and citizens' details: which case, and whose eyes may see it.
    case_text: dict[str, list[str]]  # case → its title and content
    personal: dict[str, list[str]]  # case → its citizen's full name, phone and address
    readers: dict[str, set[str]] = field(default_factory=dict)  # actor → the cases they may read


CASES = {
    # case: (department, title, content, citizen name, phone, address)
    "own": ("ZJJ", "工地半夜施工噪音扰民甲", "六和城旁边的工地每天半夜施工打桩甲号", "欧阳明月", "13911112222", "六和城七栋一二零一"),
    "other": ("CGJ", "路边流动摊贩占道经营乙", "坪山大道上每天傍晚都有小贩摆摊占道经营乙号", "司马青云", "13733334444", "坪山大道八号乙座"),
    "own_returned": ("ZJJ", "工地半夜施工打桩扰民丙", "六和城旁边的工地半夜施工打桩丙号", "诸葛长风", "13655556666", "六和城九栋三零二"),
    "other_returned": ("CGJ", "小贩摆摊占道经营丁", "坪山大道小贩摆摊占道经营丁号", "上官流云", "13577778888", "坪山大道十号丁座"),
    "own_extended": ("ZJJ", "工地半夜打桩噪音戊", "六和城旁边的工地半夜打桩戊号", "东方既白", "13499990000", "六和城十一栋五零五"),
    "other_extended": ("CGJ", "流动摊贩占道己", "坪山大道上流动摊贩占道经营己号", "南宫晓月", "13300001111", "坪山大道十二号己座"),
    # 住建局 returned it and the dispatch centre agreed: it is 城管局's now, and no longer 住建局's to read.
    "upheld": ("ZJJ", "工地旁边占道堆放建材庚", "六和城旁边的工地半夜施工打桩庚号", "慕容秋水", "13200003333", "六和城十三栋八零八"),
}  # fmt: skip


def build_world(on_commit) -> World:
    """Make the district and the cases. `on_commit` runs what submitting queues on commit (a test's
    django_capture_on_commit_callbacks; a no-op context where transactions really commit)."""
    district = build_district()
    d = district.departments
    users: dict[str, User | None] = {"anonymous": None, "citizen": None}
    users.update({name: district.users[name] for name in ("nobody", "intake", "dispatcher", "auditor", "maintainer")})
    users["handler"] = district.users["zjj"]
    users["supervisor"] = make_user("supervisor", Role.SUPERVISOR, d["ZXZX"])
    users["head"] = make_user("head", Role.HEAD, d["ZJJ"])
    users["admin"] = User.objects.create_superuser("root", password="pw-for-tests-only")
    Membership.objects.create(user=users["admin"], department=d["ZXZX"], role=Role.ADMIN)

    submissions = {}
    for case, (_code, title, content, name, phone, address) in CASES.items():
        photo = SimpleUploadedFile(f"{case}.png", PNG, content_type="image/png")
        with on_commit():
            submissions[case] = demand_submit(
                title=title, content=content, citizen_name=name, citizen_phone=phone, citizen_address=address,
                location_text="坪山街道六和城" if _code == "ZJJ" else "坪山大道", attachments=[photo],
            )  # fmt: skip
    demands = {case: s.demand for case, s in submissions.items()}
    lead = {case: Assignment.objects.get(demand=demand, role=AssignmentRole.LEAD) for case, demand in demands.items()}
    for case, (code, *_rest) in CASES.items():
        assert lead[case].department == d[code], (case, lead[case].department)
    staff_of = {"ZJJ": users["handler"], "CGJ": district.users["cgj"]}
    returns = {
        side: assignment_return(
            assignment_id=lead[f"{side}_returned"].pk,
            actor=staff_of[CASES[f"{side}_returned"][0]],
            reason_code="not_ours",
            reason="不属于本部门的职责范围",
        )
        for side in ("own", "other")
    }
    upheld = assignment_return(
        assignment_id=lead["upheld"].pk, actor=users["handler"], reason_code="not_ours", reason="属于城管执法的范围"
    )
    return_rule(return_id=upheld.pk, actor=users["dispatcher"], uphold=True, department_id=d["CGJ"].pk, note="改派城管")
    extensions = {}
    for side in ("own", "other"):
        case = f"{side}_extended"
        actor = staff_of[CASES[case][0]]
        assignment_sign(assignment_id=lead[case].pk, actor=actor)
        extensions[side] = extension_request(
            assignment_id=lead[case].pk, actor=actor, extra_days=2, reason="需要协调多个部门现场核查"
        )
    for case in ("own", "other"):  # a supervisor asked both departments how their case stands
        Supervision.objects.create(
            assignment=lead[case], supervisor=users["supervisor"], note="请说明办理进展",
            response_deadline=timezone.now() + timedelta(days=1),
        )  # fmt: skip
    draft = version_create_draft(actor=users["maintainer"], based_on_id=district.version.pk)
    amendment_file(
        actor=users["dispatcher"], version_id=district.version.pk, matter_code="PS-0101-001",
        kind=AmendmentKind.ADD_KEYWORD, keyword="夜市", reason="夜市摊贩也常被投诉",
    )  # fmt: skip
    import_job = ImportJob.objects.create(
        file=ContentFile(b"code,name\n", name="list.csv"), original_name="list.csv", title="导入", created_by=users["maintainer"]
    )  # fmt: skip
    export = ExportJob.objects.create(
        kind="demands", format="csv", requested_by=users["auditor"], status=ExportStatus.DONE,
        filters=AuditFilters(date_from=date.today(), date_to=date.today()).to_json(),
        file=ContentFile("\n".join(CASES["own"][1:3]).encode(), name="demands.csv"),
    )  # fmt: skip

    sessions = {}
    for actor, user in users.items():
        store = SessionStore()
        if user is not None:
            client = Client()
            client.force_login(user)
            sessions[actor] = client.cookies[settings.SESSION_COOKIE_NAME].value
            continue
        if actor == "citizen":  # opened their own demand with its query code
            store["citizen_demands"] = [demands["own"].pk]
        store.create()
        sessions[actor] = store.session_key

    attachment = {case: demand.attachments.get() for case, demand in demands.items()}
    common = {
        "number": str(draft.number),
        "code": "PS-0101-001",
        "kind": "csv",
        "fmt": "csv",
        "app_label": "demands",
        "content_type_id": "1",
        "object_id": "1",
        "id": "1",
        "url": "nowhere/",
    }
    common["proposal_id"] = str(AmendmentProposal.objects.latest("pk").pk)  # the one filed above
    values = {}
    for subject, case in (("own", "own"), ("other", "other")):
        values[subject] = {
            **common,
            "tracking_number": demands[case].tracking_number,
            "assignment_id": str(lead[case].pk),
            "attachment_id": str(attachment[case].pk),
            "return_id": str(returns[subject].pk),
            "extension_id": str(extensions[subject].pk),
        }
    values[""] = values["own"]
    payload = {
        # Forms and API inputs, each field with a value it accepts.
        "title": "楼下餐馆油烟很大",
        "content": "楼下餐馆油烟直排，影响居民生活",
        "location_text": "坪山街道六和城",
        "urgency": "normal",
        "citizen_name": "新来者",
        "citizen_phone": "13100002222",
        "consent": "on",
        "channel": "phone",
        "tracking_number": demands["own"].tracking_number,
        "query_code": submissions["own"].query_code,
        "phone": "13100002222",
        "code": "000000",
        "rating": "5",
        "comment": "满意",
        "reason": "理由已经写明白了",
        "reason_code": "not_ours",
        "answer": "补充说明：晚上十点以后最吵",
        "question": "请问具体是哪一栋楼旁边的工地？",
        "response": "已经安排人员现场核查",
        "body": "已经现场处理完毕，谢谢反映。",
        "purpose": "需要电话联系核实现场情况",
        "department": str(d["PSJD"].pk),
        "department_id": str(d["PSJD"].pk),
        "original": demands["other_returned"].tracking_number,
        "uphold": "0",
        "approve": "1",
        "note": "裁定意见",
        "extra_days": "2",
        "kind": AmendmentKind.ADD_KEYWORD,
        "keyword": "夜市",
        "language": "en",
        "next": "/",
        "username": "nobody",
        "password": "wrong-password",
        "months": "1",
        "date_from": date.today().isoformat(),
    }
    case_text = {case: [title, content] for case, (_c, title, content, *_r) in CASES.items()}
    personal = {case: [name, phone, address] for case, (*_head, name, phone, address) in CASES.items()}
    own_department = {case for case, row in CASES.items() if row[0] == "ZJJ"} - {"upheld"}
    readers = {actor: set() for actor in ACTORS}
    for actor in READ_ALL:
        readers[actor] = set(CASES)
    for actor in DEPARTMENT:
        readers[actor] = own_department
    readers["citizen"] = {"own"}
    overrides = {
        "audit-export": {"kind": "demands", "fmt": "csv"},
        "audit-export-job": {"job_id": str(export.pk)},
        "audit-export-download": {"job_id": str(export.pk)},
        "list-import": {"job_id": str(import_job.pk)},
    }
    return World(users, sessions, values, payload, overrides, case_text, personal, readers)


@dataclass(frozen=True)
class Attempt:
    endpoint: Endpoint
    actor: str
    subject: str
    method: str
    status: int
    expected: bool | None  # None: not asserted (the administrator inside the admin)
    allowed: bool | None  # None: a server error
    leaks: tuple[str, ...]


# Where a refusal sends a browser: a login page (the admin's index sends on to its own), the
# tracking form asking for this demand's code, the phone form.
GATES = ("/accounts/login/", "/admin/login/", "/admin/", "/track/phone/")


def _refused(response, not_allowed: bool) -> bool:
    if response.status_code in (401, 403, 404, 405) or not_allowed:
        return True
    if response.status_code in (301, 302, 303, 307, 308):
        target = response.get("Location", "")
        path = target.split("?")[0]
        return path in GATES or target.startswith("/track/?number=")
    return False


def url_of(endpoint: Endpoint, values: dict[str, str]) -> str:
    kwargs = {name: values[name] for name in endpoint.kwargs}
    if not endpoint.key.startswith(("admin/", "favicon")) and endpoint.key != endpoint.route:
        return reverse(endpoint.key, kwargs=kwargs)
    # Unnamed patterns: fill the route's converters, or the regex's groups, by hand.
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], endpoint.route)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m.group(1)], path)
    return "/" + path.lstrip("^").rstrip("$")


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


@contextmanager
def _not_allowed_seen() -> Iterator[list[NotAllowed]]:
    seen: list[NotAllowed] = []
    original = NotAllowed.__init__

    def record(self, *args, **kwargs):
        seen.append(self)
        original(self, *args, **kwargs)

    with mock.patch.object(NotAllowed, "__init__", record):
        yield seen


def attempts(world: World) -> Iterator[Attempt]:
    """Every endpoint × actor × subject × method, each in a savepoint rolled back afterwards."""
    client = Client(raise_request_exception=False)
    # Refusals are expected here by the thousand: the log need not tell of each.
    quiet = logging.getLogger("django.request"), logging.getLogger("django.security")
    levels = [logger.level for logger in quiet]
    for logger in quiet:
        logger.setLevel(logging.CRITICAL)
    try:
        for endpoint in endpoints():
            for subject in endpoint.subjects:
                values = {**world.values[subject], **world.overrides.get(endpoint.key, {})}
                url = url_of(endpoint, values)
                for actor in ACTORS:
                    for method in ("GET", "POST"):
                        if method == "POST" and endpoint.expectation_key == "admin:*":
                            # Every admin URL answers GET and POST through one gate (AdminSite.admin_view);
                            # a view added around it is caught by its GET. Asking twice would double the time.
                            continue
                        yield _attempt(client, world, endpoint, url, actor, subject, method)
    finally:
        for logger, level in zip(quiet, levels, strict=True):
            logger.setLevel(level)


def _attempt(client: Client, world: World, endpoint: Endpoint, url: str, actor: str, subject: str, method: str):
    cache.clear()  # throttles: the matrix asks far more often than any person
    client.cookies.clear()
    client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[actor]
    with transaction.atomic(), _not_allowed_seen() as refusals:
        response = client.get(url) if method == "GET" else client.post(url, world.payload)
        body = _body(response)
        transaction.set_rollback(True)
    expected = expected_allowed(endpoint, actor, subject, method)
    if response.status_code >= 500:
        return Attempt(endpoint, actor, subject, method, response.status_code, expected, None, ())
    refused = _refused(response, bool(refusals))
    if method == "POST" and response.status_code == 400:
        refused = False
    return Attempt(
        endpoint,
        actor,
        subject,
        method,
        response.status_code,
        expected,
        not refused,
        _leaks(world, endpoint, actor, body, refused),
    )


def _leaks(world: World, endpoint: Endpoint, actor: str, body: str, refused: bool) -> tuple[str, ...]:
    may_read = set() if refused else set(world.readers[actor])
    if endpoint.key.startswith("api-citizen-") and not refused:
        may_read.add("own")  # the payload holds the own demand's query code: whoever has it is its citizen
    found = [text for case, texts in world.case_text.items() if case not in may_read for text in texts if text in body]
    # A citizen's own details: to that citizen, and to the administrator in the admin.
    own_details = {"own"} if actor == "citizen" and not refused else set()
    if actor == "admin" and endpoint.expectation_key == "admin:*" and not refused:
        own_details = set(CASES)
    found += [
        text for case, texts in world.personal.items() if case not in own_details for text in texts if text in body
    ]
    return tuple(found)
