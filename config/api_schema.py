from drf_spectacular.openapi import AutoSchema


class OperationSchema(AutoSchema):
    """One API view per operation declares its `Input` and `Output` serializers; the schema
    reads them from there, so the documentation cannot drift from what the view validates."""

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
