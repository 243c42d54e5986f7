"""Writes on the responsibility list."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from config.errors import IllegalTransition, NotAllowed
from departments.access import has_role
from departments.models import Role
from responsibility_lists.models import ListVersion, VersionStatus


def version_publish(*, version_id: int, actor: User, effective_from: datetime | None = None) -> ListVersion:
    """Freeze a draft and make it law from `effective_from` (now by default). Versions already in
    force before that moment are retired once it takes effect; demands keep the version they
    were routed under, whatever happens later."""
    if not has_role(actor, Role.LIST_MAINTAINER, Role.ADMIN):
        raise NotAllowed("只有清单维护员可以发布清单。")
    now = timezone.now()
    effective = effective_from or now
    with transaction.atomic():
        version = ListVersion.objects.select_for_update().get(pk=version_id)
        if version.status != VersionStatus.DRAFT:
            raise IllegalTransition(f"{version} 已发布，不能再次发布。")
        if not version.matters.exists():
            raise IllegalTransition("空的清单不能发布。")
        version.status = VersionStatus.PUBLISHED
        version.published_at = now
        version.published_by = actor
        version.effective_from = effective
        version.save()
        if effective <= now:
            ListVersion.objects.filter(status=VersionStatus.PUBLISHED, effective_from__lt=effective).exclude(
                pk=version.pk
            ).update(status=VersionStatus.RETIRED)
    return version
