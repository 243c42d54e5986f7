"""The API as a contract: schemathesis generates requests from the OpenAPI schema the app itself
serves, for every operation, as every role of the access world (tests/access_world.py) with its
own token, as a source system with its key, and anonymously; every answer must be no server
error, carry a documented status code and content type, and match the documented body.

Examples are few per operation and derandomized (the same requests on every run), so the test
runs in a few minutes on a small machine. Open311's XML variant is asked as JSON: schemathesis
checks no XML body against a schema (the XML answers are checked by tests/dispatch/test_open311.py)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.renderers import OpenApiJsonRenderer
from drf_spectacular.settings import spectacular_settings
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.models import APIOperation

from demands.models import Channel, Demand
from demands.services import demand_submit
from demands.sources import source_system_register
from demands.workflow import Status
from departments.tokens import token_issue
from tests.access_world import build_world

EXAMPLES_PER_OPERATION = 4
ANONYMOUS = ("anonymous",)
SOURCE = "source"
# What the contract promises. (Not schemathesis' `ignored_auth`: the credentials here are sent
# beside the case, and several operations rightly answer an anonymous caller too.)
CHECKS = (
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
)


def app_schema() -> dict:
    """The schema as /api/schema/ serves it (the same generator and hooks), as plain JSON."""
    generator = spectacular_settings.DEFAULT_GENERATOR_CLASS()
    return json.loads(OpenApiJsonRenderer().render(generator.get_schema(request=None, public=True)))


@pytest.fixture
def wsgi_requests() -> Iterator[None]:
    """Requests go through the WSGI handler in the test's own transaction: as Django's test client
    does, the handler must not close the connection (and with it the transaction) between them."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def credentials(world) -> dict[str, dict[str, str]]:
    """Per actor, the headers it sends: a token for each staff role, a key for a source system."""
    headers: dict[str, dict[str, str]] = {actor: {} for actor in ANONYMOUS}
    for actor, user in world.users.items():
        if user is not None:
            headers[actor] = {"Authorization": f"Token {token_issue(user=user).key}"}
    issued = source_system_register(name="契约测试来源系统", channel=Channel.APP)
    headers[SOURCE] = {"Authorization": f"Api-Key {issued.key}", "X-Api-Key-Query": issued.key}
    return headers


def with_payload(body: dict, payload: dict[str, str]) -> dict:
    """The generated body with the world's valid value for each field it knows, of the same type."""

    def valid(name: str, generated: object) -> object:
        value = payload[name]
        if isinstance(generated, bool):
            return value in ("1", "on", "true")
        if isinstance(generated, int) and value.lstrip("-").isdigit():
            return int(value)
        if isinstance(generated, str):
            return value
        return generated

    return {name: valid(name, value) if name in payload else value for name, value in body.items()}


def triage_case() -> dict[str, str]:
    """A demand the router could not place, waiting for the dispatch centre (dispatch, reject, merge)."""
    submission = demand_submit(
        title="门口有个问题想反映一下",
        content="说不清归谁管的一件事，请中心看看",
        citizen_name="令狐冲",
        citizen_phone="13100009999",
    )
    Demand.objects.filter(pk=submission.demand.pk).update(status=Status.TRIAGE)
    return {"tracking_number": submission.demand.tracking_number}


def run_operation(
    operation: APIOperation,
    headers: dict[str, str],
    known: list[dict[str, str]],
    payload: dict[str, str],
    problems: list[str],
    actor: str,
    answered: Counter[str],
    start: int,
) -> None:
    """Every other example names the world's own records in its path (the actor's department's
    case, another's, one waiting in triage) and sends the world's valid values in its body, so
    moves that succeed are checked too, not only refusals."""
    key = headers.get("X-Api-Key-Query")
    tried = [0]
    sent = {name: value for name, value in headers.items() if name != "X-Api-Key-Query"}
    open311 = operation.path.startswith("/open311/")

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case) -> None:
        tried[0] += 1
        if tried[0] % 2:
            names = known[(start + tried[0] // 2) % len(known)]
            if case.path_parameters:
                case.path_parameters = {name: names.get(name, value) for name, value in case.path_parameters.items()}
            if isinstance(case.body, dict):
                case.body = with_payload(case.body, payload)
        if open311:
            case.path_parameters = {**(case.path_parameters or {}), "format": "json"}
            if key:
                case.query = {**(case.query or {}), "api_key": key}
        response = case.call(headers=sent)
        answered[f"{response.status_code // 100}xx"] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except AssertionError as failure:
            first = str(failure).strip().splitlines()[:4]
            body = response.get_data(as_text=True)[:200]
            problem = f"{operation.verbose_name} as {actor}: {' '.join(first)}; {response.status_code}: {body}"
            if not any(problem.split(";")[0] == seen.split(";")[0] for seen in problems):
                problems.append(problem)

    check()


@pytest.mark.django_db
def test_every_operation_keeps_its_contract_for_every_role(
    django_capture_on_commit_callbacks, settings, tmp_path, wsgi_requests
):
    settings.MEDIA_ROOT = tmp_path
    world = build_world(lambda: django_capture_on_commit_callbacks(execute=True))
    schema = schemathesis.from_dict(app_schema(), app=get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 60  # every operation of /api/v1/ and Open311 is in the schema
    problems: list[str] = []
    answered: Counter[str] = Counter()
    known = [world.values["own"], world.values["other"], triage_case()]
    for start, (actor, headers) in enumerate(credentials(world).items()):
        for operation in operations:
            run_operation(operation, headers, known, world.payload, problems, actor, answered, start)
    assert not problems, "\n".join(problems[:30]) + f"\n({len(problems)} problems)"
    # Moves that succeed are checked, not only refusals.
    assert answered["2xx"] > 150, answered
