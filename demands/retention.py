"""What is kept of a citizen, and for how long. A demand closed, merged or refused longer ago than
`PERSONAL_DATA_RETENTION_DAYS` loses its citizen: name, phone, address and any other contact
details, the attached files, the bodies of the text messages sent to them and the one-time codes
texted to their phone. What the case was (title, content, place, category, matter, departments,
times, rating) stays, for the figures and the list's next revision; the demand shows on staff
pages as 已匿名. An event records when and what kinds of data went, never the data itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from demands.models import Attachment, CitizenMessage, Demand, PhoneCode
from demands.services import SYSTEM, demand_transition
from demands.wording import worded
from demands.workflow import FINAL_STATUSES, Action

# The citizen's personal data on a demand, in one place: everything anonymising blanks. A field
# added to the demand that names or reaches the person belongs here.
# The phone's keyed hash is one: whoever holds the key can test a number against it.
PERSONAL_FIELDS: tuple[str, ...] = ("citizen_name", "citizen_phone", "citizen_address", "citizen_phone_hash")

# The kinds of data anonymising removes, as the dry run names them (never their values).
KINDS = {
    "contact": _("姓名、电话、地址等联系方式"),
    "attachments": _("附件（文件一并删除）"),
    "text_messages": _("短信正文"),
    "phone_codes": _("手机验证码记录"),
}


def retention_cutoff(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)


def demands_due(now: datetime | None = None) -> QuerySet[Demand]:
    """Closed, merged or refused before the retention period began, and not anonymised yet."""
    return Demand.objects.filter(
        status__in=FINAL_STATUSES, closed_at__lt=retention_cutoff(now), anonymised_at__isnull=True
    ).order_by("closed_at", "pk")


def _phone_hashes(demands: QuerySet[Demand]) -> set[str]:
    # The column is the same keyed hash the one-time codes are filed under (demands.phones).
    return set(demands.exclude(citizen_phone_hash="").values_list("citizen_phone_hash", flat=True))


@dataclass
class Plan:
    """How many demands are due, and how much of each kind of data would go."""

    demands: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def anonymisation_plan(now: datetime | None = None) -> Plan:
    due = demands_due(now)
    return Plan(
        demands=due.count(),
        counts={
            # Name and phone are required at intake: every demand not yet anonymised holds them
            # (the columns are encrypted, so SQL cannot tell an empty one from a full one).
            "contact": due.count(),
            "attachments": Attachment.objects.filter(demand__in=due).count(),
            "text_messages": CitizenMessage.objects.filter(demand__in=due).exclude(body="").count(),
            "phone_codes": PhoneCode.objects.filter(phone_hash__in=_phone_hashes(due)).count(),
        },
    )


def demand_anonymise(*, demand_id: int, now: datetime | None = None) -> bool:
    """Remove one demand's personal data, if it is due; False when it is not (already done,
    reopened, or not old enough). The files go once the rows' removal has committed."""
    moment = now or timezone.now()
    with transaction.atomic():
        demand = Demand.objects.select_for_update().filter(pk=demand_id).first()
        if demand is None or demand.anonymised_at is not None or demand.status not in FINAL_STATUSES:
            return False
        if demand.closed_at is None or demand.closed_at >= retention_cutoff(moment):
            return False
        caller = demand.citizen_phone_hash
        attachments = list(Attachment.objects.filter(demand=demand))
        files = [a.file.name for a in attachments if a.file]
        removed = {
            "attachments": len(attachments),
            "text_messages": CitizenMessage.objects.filter(demand=demand)
            .exclude(body="")
            .update(body="", last_error=""),
            "phone_codes": PhoneCode.objects.filter(phone_hash=caller).delete()[0] if caller else 0,
        }
        Attachment.objects.filter(demand=demand).delete()
        reason, wording = worded(
            gettext_noop("超过个人信息保存期限（%(days)s日），群众个人信息已匿名化。"),
            days=settings.PERSONAL_DATA_RETENTION_DAYS,
        )
        demand_transition(
            demand_id=demand.pk,
            action=Action.ANONYMISE,
            actor=None,
            actor_label=SYSTEM,
            reason=reason,
            data={**wording, "removed": removed},
            is_public=False,
            changes={**dict.fromkeys(PERSONAL_FIELDS, ""), "wants_text_messages": False, "anonymised_at": moment},
        )
        transaction.on_commit(lambda: _delete_files(files))
    return True


def _delete_files(names: list[str]) -> None:
    storage = Attachment._meta.get_field("file").storage
    for name in names:
        storage.delete(name)


def anonymise_due_demands(*, now: datetime | None = None, limit: int | None = None) -> int:
    """Anonymise every demand that is due, one transaction each (a lock held briefly per demand)."""
    due = demands_due(now).values_list("pk", flat=True)
    ids = list(due[:limit] if limit else due)
    return sum(demand_anonymise(demand_id=demand_id, now=now) for demand_id in ids)
