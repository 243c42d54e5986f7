"""API tokens that expire and are revoked: API_TOKEN_LIFETIME_HOURS after they were issued, when
their user logs out (on the site or through the API), and when the account is disabled or its
password changes. DRF's own token model is kept; its `created` is when a token was issued."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed


def token_lifetime() -> timedelta:
    return timedelta(hours=settings.API_TOKEN_LIFETIME_HOURS)


def token_expires(token: Token) -> datetime:
    return token.created + token_lifetime()


def token_issue(*, user) -> Token:
    """The user's token, a new one if the one it had has expired."""
    token, created = Token.objects.get_or_create(user=user)
    if not created and token_expires(token) <= timezone.now():
        token.delete()
        token = Token.objects.create(user=user)
    return token


def tokens_revoke(*, user) -> int:
    """Delete the user's API tokens; how many there were."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing (401) a token older than its lifetime."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expires(token) <= timezone.now():
            token.delete()
            raise AuthenticationFailed(
                _("登录凭证已过期，请重新获取（POST /api/v1/auth/token/）。"), code="token_expired"
            )
        return user, token


def revoke_on_logout(sender, request, user, **kwargs) -> None:
    """user_logged_out: leaving the site ends the API token too."""
    if user is not None:
        tokens_revoke(user=user)


def _remember_old_credentials(sender, instance, **kwargs) -> None:
    """pre_save of a user: note whether this save disables the account or changes its password,
    whoever saves it (the user admin, the password change page, code)."""
    update_fields = kwargs.get("update_fields")
    if instance.pk is None or (update_fields is not None and not {"is_active", "password"} & set(update_fields)):
        return  # a new account, or a save of other fields (last_login on every login)
    old = sender.objects.filter(pk=instance.pk).values("is_active", "password").first()
    instance._revoke_tokens = old is not None and (
        (old["is_active"] and not instance.is_active) or old["password"] != instance.password
    )


def _revoke_after_save(sender, instance, **kwargs) -> None:
    if getattr(instance, "_revoke_tokens", False):
        instance._revoke_tokens = False
        tokens_revoke(user=instance)


def connect_signals() -> None:
    from django.contrib.auth.signals import user_logged_out
    from django.db.models.signals import post_save, pre_save

    user_model = get_user_model()
    user_logged_out.connect(revoke_on_logout, dispatch_uid="departments.tokens.logout")
    pre_save.connect(_remember_old_credentials, sender=user_model, dispatch_uid="departments.tokens.pre_save")
    post_save.connect(_revoke_after_save, sender=user_model, dispatch_uid="departments.tokens.post_save")
