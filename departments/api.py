"""Staff API tokens: obtain one with a username and password, give it up on logout."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import TooMany
from departments.login_guard import LOCKED_UNTIL, locked_message, seconds_until
from departments.signed_in import SignedInApi, StaffApiRequest
from departments.tokens import token_expires, token_issue, tokens_revoke


class LoginLocked(TooMany):
    code = "locked_out"


class TokenInput(AuthTokenSerializer):
    def validate(self, attrs):
        try:
            return super().validate(attrs)
        except serializers.ValidationError:
            until = getattr(self.context["request"], LOCKED_UNTIL, None)
            if until is not None:
                raise LoginLocked(locked_message(until), extra={"retry_after": seconds_until(until)}) from None
            raise


class TokenOutput(serializers.Serializer):
    token = serializers.CharField(help_text="send as `Authorization: Token <token>`")
    expires = serializers.DateTimeField(help_text="after this the token is refused (401); obtain a new one")


class TokenObtainApi(APIView):
    """Obtain an API token with a staff username and password. The token expires
    API_TOKEN_LIFETIME_HOURS after it was issued, and is revoked on logout, when the account is
    disabled and when its password changes. After too many failed attempts for a username or from
    an address, attempts are refused for a while (429, code `locked_out`, `retry_after` seconds),
    even with the right password."""

    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []

    @extend_schema(request=TokenInput, responses={200: TokenOutput}, auth=[])
    def post(self, request: Request) -> Response:
        data = TokenInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        token = token_issue(user=data.validated_data["user"])
        return Response(TokenOutput({"token": token.key, "expires": token_expires(token)}).data)


class LogoutApi(SignedInApi):
    """Log out of the API: the caller's token is deleted, and refused from then on (401)."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request: StaffApiRequest) -> Response:
        tokens_revoke(user=request.user)
        return Response(status=204)
