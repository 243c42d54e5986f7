from drf_spectacular.generators import EndpointEnumerator, SchemaGenerator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

IDEMPOTENCY_KEY = OpenApiParameter(
    name="Idempotency-Key",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Send a create again with the same key and body to get the first answer again (header "
        "Idempotent-Replayed: true) without creating twice; the same key with another body is 422, "
        "while the first is still running 409. Kept 24 hours per client."
    ),
)


class OperationSchema(AutoSchema):
    """One API view per operation declares its `Input` and `Output` serializers; the schema
    reads them from there, so the documentation cannot drift from what the view validates."""

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        # Views that answer a repeated create once (dispatch.api.idempotency.IdempotentCreate).
        if self.method == "POST" and getattr(self.view, "idempotent_creates", False):
            parameters = [*parameters, IDEMPOTENCY_KEY]
        return parameters

    def get_request_serializer(self):
        if hasattr(self.view, "Input"):
            return self.view.Input  # None: the operation takes no body
        return super().get_request_serializer()

    def get_response_serializers(self):
        output = getattr(self.view, "Output", None)
        if output is None:
            return super().get_response_serializers()
        # A POST that creates answers 201 (`output_statuses = (201,)`), or 200 or 201 as it goes.
        statuses = getattr(self.view, "output_statuses", None)
        if statuses and self.method == "POST":
            return {status: output for status in statuses}
        return output

    def get_serializer_name(self, serializer, direction):
        name = super().get_serializer_name(serializer, direction)
        if name in ("Input", "Output"):
            # Nested `Input` classes share a name; the view's name tells them apart.
            return type(self.view).__name__.removesuffix("Api") + name
        return name


class FormatSuffixEnumerator(EndpointEnumerator):
    """DRF leaves out every URL ending in `.{format}`; Open311's URLs all end so (`.json`/`.xml`,
    as the GeoReport specification has them), and every operation belongs in the schema."""

    def should_include_endpoint(self, path, callback):
        if path.endswith(".{format}"):
            path = path.removesuffix(".{format}") + "-format"  # judged as any other path
        return super().should_include_endpoint(path, callback)


class OperationSchemaGenerator(SchemaGenerator):
    endpoint_inspector_cls = FormatSuffixEnumerator


ERROR = {
    "type": "object",
    "description": (
        "Every refusal on /api/v1/: a machine-readable `code` (invalid, not_authenticated, "
        "authentication_failed, permission_denied, not_allowed, not_found, illegal_transition, "
        "throttled…), a `detail` for a person, and for a request that does not validate `fields` "
        "(each field's messages). Some refusals add what they know (retry_after, repeat_of…)."
    ),
    "properties": {
        "code": {"type": "string"},
        "detail": {"type": "string"},
        "fields": {
            "type": "object",
            "additionalProperties": {},
            "description": "per field, its messages (a list, or an object for a nested field)",
        },
    },
    "required": ["code", "detail"],
    "additionalProperties": {},
}
OPEN311_ERROR = {
    "type": "array",
    "description": "GeoReport v2's error list",
    "items": {
        "type": "object",
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
        "required": ["code", "description"],
    },
}
ERROR_DESCRIPTIONS = {
    "400": "The request does not validate (`fields`) or cannot be read.",
    "401": "No credentials, or credentials refused (an expired token).",
    "403": "The caller may not do this.",
    "404": "Nothing of that name, or nothing the caller may see.",
    "409": "Refused in the record's present state, or a create with the same key still running.",
    "413": "The body is too large.",
    "415": "The body is of a type this operation does not take.",
    "422": "An Idempotency-Key used before with another body.",
    "429": "Too many requests: try again after `Retry-After` seconds.",
}
READ_ERRORS = ("400", "401", "403", "404", "429")
WRITE_ERRORS = (*READ_ERRORS, "409", "413", "415", "422")


def add_error_responses(result, generator, request, public):
    """Postprocessing hook: the one error body (`Error`, or Open311's `Open311Error` list) on the
    4xx answers of every operation, beside the answers the operation documents itself."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR
    schemas["Open311Error"] = OPEN311_ERROR
    for path, operations in result.get("paths", {}).items():
        component = "Open311Error" if path.startswith("/open311/") else "Error"
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            reference = {"$ref": f"#/components/schemas/{component}"}
            for status in WRITE_ERRORS if method != "get" else READ_ERRORS:
                if status not in responses:
                    content = {"application/json": {"schema": reference}}
                    if component == "Open311Error":
                        content["application/xml"] = {"schema": reference}
                    responses[status] = {"description": ERROR_DESCRIPTIONS[status], "content": content}
    return result
