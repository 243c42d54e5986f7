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
        return output if output is not None else super().get_response_serializers()

    def get_serializer_name(self, serializer, direction):
        name = super().get_serializer_name(serializer, direction)
        if name in ("Input", "Output"):
            # Nested `Input` classes share a name; the view's name tells them apart.
            return type(self.view).__name__.removesuffix("Api") + name
        return name
