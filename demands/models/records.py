"""The append-only records of what happened to demands and who saw what: the events, the unmasked
contact details, the phone searches, and the daily checkpoints of the audit chains."""

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config.choice_labels import QuickChoiceLabels
from demands.models.demand import Demand
from demands.wording import SYSTEM_SENTENCES, in_reader_language
from demands.workflow import Action, Status
from departments.models import Department


class AppendOnlyError(Exception):
    pass


def _append(row: models.Model, save, args, kwargs) -> None:
    """Insert an audit row in its place in the demand's hash chain; never update one. Here, in
    save(), rather than at each call site, so that no way of creating one single row can skip the
    chain (bulk inserts call demands.audit_chain.seal themselves)."""
    if row.pk is not None:
        raise AppendOnlyError(f"{type(row).__name__} rows are append-only.")
    from demands.audit_chain import seal

    with transaction.atomic():
        seal([row])
        save(*args, **kwargs)


# Who acted, for events without a user.
ACTOR_LABELS = {"citizen": _("群众"), "system": _("系统")}


CITIZEN_FACING_REASONS = frozenset(
    {Action.REJECT, Action.MERGE, Action.ASK_CITIZEN, Action.CITIZEN_SUPPLEMENT, Action.REOPEN, Action.RATE}
)


class DemandEvent(QuickChoiceLabels, models.Model):
    """The append-only log: every change of a demand's state writes exactly one row."""

    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("动作"), max_length=32, choices=Action.choices)
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Who acted when there is no user: "citizen" or "system" (the router, a sweep).
    actor_label = models.CharField(max_length=150)  # a username, or a role of the system
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason = models.TextField(_("原因"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    # Events shown to the citizen on the tracking page; internal notes stay internal.
    is_public = models.BooleanField(default=True)
    created_at = models.DateTimeField(db_index=True)
    # The event's place in its demand's hash chain (demands.audit_chain): 1, 2, 3…, the hash of
    # the event before it, and its own keyed hash over its content. The database refuses any
    # UPDATE or DELETE of the row (migration 0015).
    seq = models.PositiveIntegerField(default=0, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    row_hash = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("诉求事件")
        verbose_name_plural = _("诉求事件")
        constraints = [models.UniqueConstraint(fields=["demand", "seq"], name="one_event_per_chain_place")]

    def __str__(self) -> str:
        return f"{self.demand_id} {self.action} {self.from_status}→{self.to_status}"

    def save(self, *args, **kwargs):
        _append(self, super().save, args, kwargs)

    @classmethod
    def first_of_new_demand(cls, **fields) -> "DemandEvent":
        """Insert the first event of a demand inserted in the same transaction (its submission):
        the chain starts here, with nothing to look up (demands.audit_chain.seal_first)."""
        from demands.audit_chain import seal_first

        event = cls(**fields)
        seal_first(event)
        super(DemandEvent, event).save(force_insert=True)
        return event

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Demand events are append-only.")

    @property
    def action_label(self) -> str:
        """The step as the timelines name it: a citizen's rating or unsatisfied answer that staff
        took by phone says so (评价（电话）), and a supervision by a supervisor's hand is told from
        the ladder's."""
        label = str(self.get_action_display())
        if self.data.get("channel") == "phone":
            return gettext("%(action)s（电话）") % {"action": label}
        if self.action == Action.SUPERVISE and self.data.get("by_hand"):
            return gettext("人工督办")
        return label

    @property
    def actor_display(self) -> str:
        return str(ACTOR_LABELS.get(self.actor_label, self.actor_label))

    @property
    def reason_for_reader(self) -> str:
        """The reason in the reader's language where the system wrote it: its wording and values
        are kept in the event's data, or it is one of the system's fixed sentences (see
        demands.wording). What a person wrote stays as written, unless it is word for word one of
        those sentences (the triage queue's one-click note is), which then says the same thing."""
        if self.reason in SYSTEM_SENTENCES:
            return gettext(self.reason)
        return in_reader_language(self.data, self.reason)

    @property
    def reason_is_for_citizens(self) -> bool:
        """Whether the citizen sees this event's wording: the reasons written to them (a refusal,
        a question) or by them; routing and internal notes stay with the staff."""
        return self.action in CITIZEN_FACING_REASONS


class ContactDisclosure(models.Model):
    """Every time a staff member unmasks a citizen's contact details, with why."""

    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="disclosures")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(_("用途"), max_length=200)
    # Set before the row is chained (its hash covers the time), not on save as auto_now_add would.
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Chained per demand like the events (demands.audit_chain), and as append-only.
    seq = models.PositiveIntegerField(default=0, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    row_hash = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("联系方式查看记录")
        verbose_name_plural = _("联系方式查看记录")
        constraints = [models.UniqueConstraint(fields=["demand", "seq"], name="one_disclosure_per_chain_place")]

    def __str__(self) -> str:
        return f"{self.user} · {self.demand.tracking_number}"

    def save(self, *args, **kwargs):
        _append(self, super().save, args, kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Contact disclosures are append-only.")


class AuditCheckpoint(models.Model):
    """The state of the audit chains at a moment, written daily (demands.tasks.audit_checkpoint)
    where the event table cannot change it: how many events and disclosures there were and the
    last id of each, a digest over all chain heads, and a signature with the chain key over all
    of it and the checkpoint before. Append-only in the database like the events. What a demand's
    own chain cannot show (its latest events deleted, a table emptied) shows against these."""

    created_at = models.DateTimeField(_("记录时间"))
    event_count = models.PositiveBigIntegerField()
    event_last_id = models.PositiveBigIntegerField(default=0)
    disclosure_count = models.PositiveBigIntegerField()
    disclosure_last_id = models.PositiveBigIntegerField(default=0)
    # sha256 over the previous checkpoint's digest and the heads recorded with this one.
    heads_digest = models.CharField(max_length=64)
    prev_signature = models.CharField(max_length=64, blank=True)
    signature = models.CharField(max_length=64)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("审计校验点")
        verbose_name_plural = _("审计校验点")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} · {self.event_count}"


class AuditCheckpointHead(models.Model):
    """A chain head recorded by a checkpoint: the last row of one demand's chain of events (or of
    disclosures) then. Only heads that moved since the checkpoint before are written."""

    checkpoint = models.ForeignKey(AuditCheckpoint, on_delete=models.PROTECT, related_name="heads")
    kind = models.CharField(max_length=16)  # "event" or "disclosure"
    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveIntegerField()
    record_id = models.PositiveBigIntegerField()
    row_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("审计校验点链头")
        verbose_name_plural = _("审计校验点链头")
        indexes = [models.Index(fields=["kind", "demand"], name="audit_head_demand_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.demand_id}#{self.seq}"


class PhoneSearch(models.Model):
    """Every search of the desk by a phone number, found or not, refused or not: who looked, for
    which number (its keyed hash only: the record must not hold the number it protects) and how
    many demands it found. A search by a full number tells whose it is as an unmask does, so it
    is recorded like one; and one row per search, not per demand found, so that the searches that
    found nothing, which is what trying the numbers behind a mask looks like, are seen too. The
    hourly limit counts these rows."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    phone_hash = models.CharField(max_length=64)
    found = models.PositiveIntegerField(_("找到件数"), default=0)
    refused = models.BooleanField(_("超出次数被拒绝"), default=False)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("电话号码查找记录")
        verbose_name_plural = _("电话号码查找记录")
        indexes = [models.Index(fields=["user", "created_at"], name="phone_search_user_idx")]

    def __str__(self) -> str:
        return f"{self.user} · {self.phone_hash[:8]}… · {self.created_at:%Y-%m-%d %H:%M}"
