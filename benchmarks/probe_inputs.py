"""Sends thousands of generated requests to every page and API operation and counts server errors.

On a scratch database with the sample district and its demo demands (benchmarks/scratch.py), a
seeded generator picks, request after request, a URL pattern of the URLconf (the admin aside), a
principal (anonymous or a user of each role), a method, path values (existing, nonexistent or
odd: huge numbers, NUL, long text, year 9999) and a query string or body that mixes plausible
values with hostile ones (NUL, impossible dates, huge, negative and non-numbers, long text, wrong
JSON types, nesting thousands deep, broken JSON) for the names the code reads. Every request is
rolled back, so each meets the same data. It prints the requests sent, the answers by status
class and every server error by URL pattern with its first exception:

    .venv/bin/python benchmarks/probe_inputs.py --requests 5000 [--seed 7] [--database-url postgres://…]

tests/test_no_server_errors.py walks the same ground systematically in the test suite; this is
the random, larger sweep."""

from __future__ import annotations

import argparse
import collections
import copy
import json
import logging
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.scratch import sample_district

PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
NUL = "a\x00b"
HUGE = str(10**30)
HOSTILE = [NUL, "9999-12-31", "0001-01-01", "2026-02-30", "-1", "0", HUGE, "1e309", "nan", "长" * 3000, "x", ""]
HOSTILE_JSON = [None, True, -1, 10**30, 1e308, [], {}, {"a": [1]}, "9999-12-31T23:59:59", "a\u0000b", "长" * 3000]
ODD_PATH = {"int": ["0", "999999", str(2**63), HUGE], "str": ["NOPE-1", NUL, "长" * 2000, "9999-12-31"]}


class Principals:
    def __init__(self) -> None:
        from django.contrib.auth.models import User
        from django.test import Client

        from departments.models import Membership

        self.clients = {"anonymous": Client(raise_request_exception=False)}
        for membership in Membership.objects.select_related("user").order_by("role", "pk"):
            name = f"{membership.role}:{membership.user.username}"
            if not any(key.startswith(f"{membership.role}:") for key in self.clients):
                self.clients[name] = Client(raise_request_exception=False)
                self.clients[name].force_login(membership.user)
        superuser = User.objects.filter(is_superuser=True).first()
        if superuser is not None:
            self.clients["superuser"] = Client(raise_request_exception=False)
            self.clients["superuser"].force_login(superuser)


def existing_values() -> dict[str, str]:
    from assessment.models import ExportJob
    from demands.models import Attachment, Demand
    from dispatch.models import Assignment, ExtensionRequest, ReturnRequest
    from responsibility_lists.models import AmendmentProposal, ImportJob, ListVersion

    def first(model, attr="pk") -> str:
        row = model.objects.order_by("pk").values_list(attr, flat=True).first()
        return str(row) if row is not None else "1"

    return {
        "tracking_number": first(Demand, "tracking_number"),
        "attachment_id": first(Attachment),
        "assignment_id": first(Assignment),
        "return_id": first(ReturnRequest),
        "extension_id": first(ExtensionRequest),
        "job_id": first(ExportJob) if ExportJob.objects.exists() else first(ImportJob),
        "proposal_id": first(AmendmentProposal),
        "number": first(ListVersion, "number"),
        "code": "PS-0101-001",
        "kind": "demands",
        "fmt": "csv",
    }


def names_read() -> list[str]:
    """The query and form names the code reads: its forms' and API inputs' fields and every name
    read straight from a request."""
    root = Path(__file__).resolve().parent.parent
    found: set[str] = set()
    read = re.compile(r"\.(?:GET|POST|query_params|data)\.get(?:list)?\(\s*[\"'](\w+)[\"']")
    field = re.compile(r"^\s+(\w+) = (?:forms|serializers|django_filters)\.\w+", re.MULTILINE)
    for pattern in ("dispatch/**/*.py", "responsibility_lists/*.py", "departments/*.py"):
        for source in root.glob(pattern):
            text = source.read_text(encoding="utf-8")
            found.update(read.findall(text))
            found.update(field.findall(text))
    return sorted(found)


PLAUSIBLE = {
    "title": "小区门口路灯坏了",
    "content": "坪山街道六和城小区门口的路灯坏了一个星期，晚上出行很不安全。",
    "citizen_name": "测试",
    "citizen_phone": "13800000000",
    "urgency": "normal",
    "channel": "hotline",
    "consent": "on",
    "reason": "这件事不属于本部门的职责范围",
    "reason_code": "not_ours",
    "note": "请按清单处理",
    "body": "已经处理完毕，谢谢反映。",
    "rating": "4",
    "uphold": "true",
    "approve": "true",
    "extra_days": "2",
    "date_from": "2026-01-01",
    "date_to": "2026-03-01",
}


def routes() -> list[str]:
    from django.urls import URLResolver, get_resolver

    def walk(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    return [route for route in walk(get_resolver()) if not route.startswith("admin/")]


def one_request(rng: random.Random, route: str, existing: dict[str, str], names: list[str]) -> tuple[str, str, dict]:
    values = {}
    for match in PARAM.finditer(route):
        converter, name = match.group("converter") or "str", match.group("name")
        odd = ODD_PATH.get(converter, ODD_PATH["str"])
        values[name] = existing.get(name, "1") if rng.random() < 0.6 else rng.choice(odd)
    url = "/" + PARAM.sub(lambda m: values[m.group("name")], route)
    method = rng.choice(["get", "post"])
    chosen = rng.sample(names, k=min(len(names), rng.randint(1, 4)))
    api = route.startswith("api/")
    if method == "post" and api and rng.random() < 0.7:
        shape = rng.random()
        if shape < 0.05:
            depth = rng.choice([100, 1000, 10_000])
            body = "[" * depth + "]" * depth
        elif shape < 0.1:
            body = rng.choice(["{not json", '{"a": 1', "\x00", "[1, 2", '{"title": "\\ud800"}'])
        else:
            data = dict(PLAUSIBLE)
            for name in chosen:
                data[name] = rng.choice(HOSTILE_JSON + HOSTILE)
            body = json.dumps(data)
        return method, url, {"data": body, "content_type": "application/json"}
    data = dict(PLAUSIBLE) if method == "post" else {}
    for name in chosen:
        data[name] = rng.choice(HOSTILE)
    return method, url, {"data": data}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--demo-demands", type=int, default=30)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    # Every submission and look-up is let through: the probe is about answers, not throttles.
    sample_district(
        args.database_url,
        CITIZEN_THROTTLE_RATE="100000000/minute",
        CITIZEN_CODE_THROTTLE_RATE="100000000/minute",
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
    )
    from django.core.management import call_command
    from django.db import transaction

    call_command("load_demo_demands", count=args.demo_demands, verbosity=0)
    # Each refusal (400, 403, 404) and each server error would be logged with its traceback;
    # the summary below is what is read.
    for noisy in ("django.request", "django.security", "django.server"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL + 1)
    principals = Principals()
    existing = existing_values()
    names = names_read()
    all_routes = routes()
    rng = random.Random(args.seed)
    by_class: collections.Counter[str] = collections.Counter()
    errors: dict[str, list[str]] = collections.defaultdict(list)
    started = time.perf_counter()
    for _ in range(args.requests):
        route = rng.choice(all_routes)
        who = rng.choice(list(principals.clients))
        method, url, kwargs = one_request(rng, route, existing, names)
        client = principals.clients[who]
        cookies = copy.deepcopy(client.cookies)  # a logout or a new session must not outlive the request
        try:
            with transaction.atomic():
                response = getattr(client, method)(url, **kwargs)
                raise _RollBack
        except _RollBack:
            pass
        client.cookies = cookies
        by_class[f"{response.status_code // 100}xx"] += 1
        if response.status_code >= 500:
            exc = getattr(response, "exc_info", None)
            errors[route].append(f"{method.upper()} as {who}: {exc[0].__name__}: {exc[1]}"[:200] if exc else method)
    elapsed = time.perf_counter() - started
    print(f"routes: {len(all_routes)}  principals: {len(principals.clients)}  names: {len(names)}  seed: {args.seed}")
    print(f"requests sent: {args.requests} in {elapsed:.0f} s  by status: {dict(sorted(by_class.items()))}")
    print(f"server errors: {sum(len(v) for v in errors.values())}")
    for route, found in sorted(errors.items(), key=lambda item: -len(item[1])):
        print(f"  {len(found):5d}  /{route}  e.g. {found[0]}")


class _RollBack(Exception):
    pass


if __name__ == "__main__":
    main()
