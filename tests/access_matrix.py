"""The permission matrix: every page and API operation × every role × own/other department × own/other
demand, taken from the URL configuration itself, so a new view cannot escape it (a URL pattern with
no expectation below fails tests/test_access_matrix.py).

The world it is tried on is tests/access_world.py; the attempts and what counts as refused,
allowed and leaked, tests/access_attempts.py."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

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
    "callback",
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
# Who answers citizens from the knowledge base, and who keeps it.
KNOWLEDGE_READERS = frozenset({"intake", "dispatcher", "supervisor", "maintainer", "admin"})
# Who keeps or reads the working-time calendar: the district-wide roles.
CALENDAR_READERS = frozenset({"dispatcher", "supervisor", "auditor", "maintainer", "callback", "admin"})
# The callback visit queue (回访): the callback staff work it, supervisors and the administrator read it.
VISIT_READERS = frozenset({"callback", "supervisor", "admin"})


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
    # The public map and its points: no personal data in either (dispatch.places).
    "public-map": rule(EVERYONE),
    "public-map-points": rule(EVERYONE),
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
    # Open311 GeoReport v2: reading is public (nothing personal in it); submitting needs a source
    # system's api_key, which no person's session carries.
    "open311-discovery": rule(EVERYONE),
    "open311-services": rule(EVERYONE),
    "open311-service": rule(EVERYONE),
    "open311-requests": rule(EVERYONE),
    "open311-request": rule(EVERYONE),
    "open311-token": rule(),  # no token is ever handed out: 404 for anyone
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
    # The knowledge base (知识库): read by those who answer citizens, written by the maintainers.
    "knowledge": rule(KNOWLEDGE_READERS, KNOWLEDGE_READERS),
    "knowledge-new": rule(MAINTAIN, MAINTAIN),
    "knowledge-article": rule(KNOWLEDGE_READERS, MAINTAIN),
    # The dispatch desk
    "intake": rule({"intake", *DISPATCH}, {"intake", *DISPATCH}),
    "desk": rule({*DISPATCH, "supervisor"}, {*DISPATCH, "supervisor"}),
    "desk-counts": rule({*DISPATCH, "supervisor"}, {*DISPATCH, "supervisor"}),
    "desk-find": rule(post={*DISPATCH, "supervisor"}),
    "desk-demand": rule(READ_ALL, READ_ALL),
    "desk-dispatch": rule(post=DISPATCH),
    "desk-reject": rule(post=DISPATCH),
    "desk-retype": rule(post=DISPATCH),
    "desk-merge": rule(post=DISPATCH),
    "desk-amend": rule(post=DISPATCH),
    "desk-rule": rule(post=DISPATCH),
    "desk-decide-extension": rule(post=DISPATCH),
    "desk-release": rule(post=DISPATCH),
    "desk-duplicates": rule(post=DISPATCH),
    "desk-supervise": rule(post={"supervisor", "admin"}),  # 督办 by hand
    "desk-convene": rule(post=DISPATCH),  # 疑难件会商
    "desk-instruct": rule(post={"supervisor", "admin"}),  # 领导批示, recorded for the leader
    # A citizen's rating given by phone: the hotline's intake and dispatch staff, the callback staff.
    "desk-phone-rating": rule(post={"intake", "dispatcher", "callback", "admin"}),
    # A question answered at once from the knowledge base (直接答复): the hotline's intake and dispatch staff.
    "desk-direct-answer": rule(post={"intake", *DISPATCH}),
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
    # 答复审核: a department's head on its own department's reply (the world's replies wait at
    # the department's stage; the centre's reviewers decide at the centre's stage).
    "reply-review-decide": rule(post={"head"}, scope="department"),
    "workbench-instruction": rule(post=DEPARTMENT, scope="department"),  # 批示反馈 by the lead
    # Down and up the territory: a street office's staff pass their case to a community (none in
    # this world is a street's), a head gives it to the department's handlers or sections; the
    # department withdraws. The holder's pages are tried on a delegation no one here holds.
    "workbench-delegate": rule(),
    "workbench-assign": rule(post={"head"}, scope="department"),
    "workbench-delegation-withdraw": rule(),
    "workbench-delegation": rule(),
    "workbench-delegation-answer": rule(),
    "workbench-delegation-send-up": rule(),
    "attachment": rule(READ_ALL | DEPARTMENT, READ_ALL | DEPARTMENT, scope="department"),
    # Assessment
    "audit": rule(AUDIT, AUDIT),
    "audit-export": rule(AUDIT, AUDIT),
    "audit-export-job": rule({"auditor", "admin"}, {"auditor", "admin"}),  # the requester's own, or an auditor's
    "audit-export-download": rule({"auditor", "admin"}, {"auditor", "admin"}),
    "audit-ranking": rule(AUDIT, AUDIT),
    "audit-territory": rule(AUDIT, AUDIT),  # each street's communities: passed down, answered, sent up
    "api-assessment-ranking": rule(AUDIT),
    # Periodic reports: read as the rankings are; published by auditors and the administrator.
    "audit-reports": rule(AUDIT, AUDIT),
    "audit-report-preview": rule(AUDIT, AUDIT),
    "audit-report-publish": rule(post={"auditor", "admin"}),
    "audit-report": rule(AUDIT, AUDIT),
    "audit-report-xlsx": rule(AUDIT, AUDIT),
    "audit-report-pdf": rule(AUDIT, AUDIT),
    "api-reports": rule(AUDIT),
    "api-report": rule(AUDIT),
    "api-report-xlsx": rule(AUDIT),
    "api-report-pdf": rule(AUDIT),
    "api-report-publish": rule(post={"auditor", "admin"}),
    "api-assessment-figures": rule(AUDIT),
    "list-version-scorecard": rule(AUDIT | MAINTAIN, AUDIT | MAINTAIN),
    # A head appeals their department's cases; auditors rule and export.
    "appeals": rule({"head", "auditor", "admin"}, {"head", "auditor", "admin"}),
    "appeal-new": rule(post={"head"}),
    "appeal-rule": rule(post={"auditor", "admin"}),
    # The evidence: whoever sees the appeal (the head of its department, the auditors).
    "appeal-evidence": rule({"head", "auditor", "admin"}, {"head", "auditor", "admin"}),
    "appeals-csv": rule({"auditor", "admin"}, {"auditor", "admin"}),
    "audit-hot-topics": rule(AUDIT, AUDIT),
    "audit-hot-topic-cluster": rule(AUDIT, AUDIT),  # where a cluster's notice leads
    # Adopting the month's key problem and following it: supervisors and the administrator.
    "audit-hot-topics-adopt": rule(post={"supervisor", "admin"}),
    "audit-hot-topics-key-problem": rule(post={"supervisor", "admin"}),
    "visits": rule(VISIT_READERS, VISIT_READERS),
    "visit": rule(VISIT_READERS, VISIT_READERS),
    "visit-record": rule(post={"callback"}),
    "visit-contact": rule(post={"callback"}),  # each view of the phone is recorded
    # The staff API
    "api-demands": rule(SIGNED_IN),  # each sees the demands they may read (none for most)
    "api-demand": rule(READ_ALL | DEPARTMENT, scope="department"),
    "api-demand-dispatch": rule(post=DISPATCH),
    "api-demand-reject": rule(post=DISPATCH),
    "api-demand-merge": rule(post=DISPATCH),
    "api-demand-supervise": rule(post={"supervisor", "admin"}),
    "api-demand-convene": rule(post=DISPATCH),
    "api-demand-instructions": rule(post={"supervisor", "admin"}),
    "api-instruction-answer": rule(post=DEPARTMENT, scope="department"),
    "api-demand-phone-rating": rule(post={"intake", "dispatcher", "callback", "admin"}),
    "api-demand-direct-answer": rule(post={"intake", *DISPATCH}),
    "api-knowledge-articles": rule(KNOWLEDGE_READERS, MAINTAIN),
    "api-knowledge-article": rule(KNOWLEDGE_READERS, MAINTAIN),
    "api-return-rule": rule(post=DISPATCH),
    "api-extension-decide": rule(post=DISPATCH),
    "api-appeals": rule({"head", "auditor", "admin"}),
    "api-appeal-submit": rule(post={"head"}),
    "api-appeal-rule": rule(post={"auditor", "admin"}),
    "api-assignments": rule(SIGNED_IN),  # each sees their own departments' (none for most)
    "api-reviews": rule(SIGNED_IN),  # each sees the replies waiting for their review (none for most)
    "api-review-decide": rule(post={"head"}, scope="department"),
    "api-assignment-sign": rule(post=DEPARTMENT, scope="department"),
    "api-assignment-reply": rule(post=DEPARTMENT, scope="department"),
    "api-assignment-contribute": rule(post=DEPARTMENT, scope="department"),
    "api-assignment-return": rule(post=DEPARTMENT, scope="department"),
    "api-assignment-extension": rule(post=DEPARTMENT, scope="department"),
    "api-assignment-ask-citizen": rule(post=DEPARTMENT, scope="department"),
    "api-assignment-stop-waiting": rule(post=DEPARTMENT, scope="department"),
    "api-assignment-supervision": rule(post=DEPARTMENT, scope="department"),
    "api-assignment-release": rule(post=DISPATCH),
    "api-assignment-delegate": rule(),  # a street office's staff only: none in this world
    "api-assignment-internal-assign": rule(post={"head"}, scope="department"),
    "api-delegations": rule(SIGNED_IN),  # each sees what they hold (none here)
    "api-delegation-answer": rule(),
    "api-delegation-send-up": rule(),
    "api-delegation-withdraw": rule(),
    "api-version-scorecard": rule(AUDIT | MAINTAIN),
    "api-hot-topics": rule(AUDIT),
    "api-key-problem-adopt": rule(post={"supervisor", "admin"}),
    "api-key-problem-update": rule(post={"supervisor", "admin"}),
    "api-visits": rule(VISIT_READERS),
    "api-visit-record": rule(post={"callback"}),
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
