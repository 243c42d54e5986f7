"""Source systems on the API: `Authorization: Api-Key <key>` names the system a submission comes
from (demands.sources). A key that is wrong or withdrawn is refused (401); without the header the
caller is a citizen, as before."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from demands.models import SourceSystem
from demands.sources import source_system_for_key

KEYWORD = "Api-Key"


class SourceSystemAuthentication(BaseAuthentication):
    def authenticate(self, request) -> tuple[AnonymousUser, SourceSystem] | None:
        words = get_authorization_header(request).split()
        if not words or words[0].lower() != KEYWORD.lower().encode():
            return None
        if len(words) != 2:
            raise AuthenticationFailed(_("来源系统密钥格式不对：Authorization: Api-Key <密钥>。"))
        system = source_system_for_key(words[1].decode(errors="replace"))
        if system is None:
            raise AuthenticationFailed(_("来源系统密钥无效或已停用。"), code="bad_api_key")
        return AnonymousUser(), system

    def authenticate_header(self, request) -> str:
        return KEYWORD


def source_of(request) -> SourceSystem | None:
    return request.auth if isinstance(request.auth, SourceSystem) else None


class SourceSystemScheme(OpenApiAuthenticationExtension):
    target_class = SourceSystemAuthentication
    name = "SourceSystemKey"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A source system's key: `Api-Key <key>` (manage.py create_source_system).",
        }
