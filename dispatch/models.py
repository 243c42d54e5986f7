from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from config.choice_labels import QuickChoiceLabels
from demands.fields import EncryptedTextField
from demands.models import Demand
from demands.wording import in_reader_language
from departments.models import Department
from dispatch.assignment_workflow import OPEN_ASSIGNMENT_STATUSES, AssignmentRole, AssignmentStatus
from dispatch.querysets import AssignmentQuerySet, next_due
from dispatch.querysets import overdue_now as overdue_now
from responsibility_lists.models import AmendmentProposal, Matter


class DeadlineState(models.TextChoices):
    """Where an assignment stands against its own handling deadline, as the pages and API show it."""

    ON_TIME = "on_time", _("正常")
    WARNED = "warned", _("临期")
    OVERDUE = "overdue", _("已超期")
    DONE_ON_TIME = "done_on_time", _("按期完成")
    DONE_LATE = "done_late", _("逾期完成")


class Assignment(QuickChoiceLabels, models.Model):
    """A demand handed to one department, as lead or assisting, with its own deadlines. An
    assisting department's handling deadline is its own part's: a share of the lead's time."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="assignments")
    # Every index here is written again when the sweep stamps a rung (the stamps are in partial
    # index predicates, so those updates are never HOT): keep only indexes that queries use.
    # (department, status, handle_deadline) below serves lookups by department.
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="assignments", db_index=False)
    role = models.CharField(_("角色"), max_length=8, choices=AssignmentRole.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=AssignmentStatus.choices, default=AssignmentStatus.PENDING_SIGN
    )
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    dispatched_at = models.DateTimeField()
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    # A dispatch after a return counts as a second dispatch (二次分拨) in the figures.
    is_redispatch = models.BooleanField(default=False)
    sign_deadline = models.DateTimeField(_("签收期限"))
    handle_deadline = models.DateTimeField(_("办理期限"))
    # The escalation ladder: each step's moment is computed ahead, and the sweep stamps when
    # the step was taken, so a step is taken once (the stamp is the claim).
    warn_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(null=True, blank=True)
    supervise_at = models.DateTimeField(null=True, blank=True)
    supervised_at = models.DateTimeField(null=True, blank=True)
    escalate_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # Signing late is a rung of its own, taken once while the assignment waits to be signed.
    sign_overdue_at = models.DateTimeField(null=True, blank=True)
    # The clock stands still while the case waits on someone else (an extension decision, the
    # citizen's answer): the rungs wait, and the time is given back when the pause ends.
    paused_since = models.DateTimeField(_("暂停计时自"), null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    # An assisting department let go when the lead returned the case: the ruling on that return
    # brings it back with the case. No index: the ruling reads the demand's few assignments.
    released_by_return = models.ForeignKey(
        "ReturnRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="released_assists",
        db_index=False,
    )

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["-dispatched_at"]
        verbose_name = _("派单")
        verbose_name_plural = _("派单")
        constraints = [
            # At most one open lead per demand: a second dispatch first closes the first lead.
            models.UniqueConstraint(
                fields=["demand"],
                condition=Q(role=AssignmentRole.LEAD, status__in=list(OPEN_ASSIGNMENT_STATUSES)),
                name="one_open_lead_per_demand",
            ),
            models.UniqueConstraint(
                fields=["demand", "department"],
                condition=Q(status__in=list(OPEN_ASSIGNMENT_STATUSES)),
                name="one_open_assignment_per_department",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "status", "handle_deadline"]),
            # A department's inbox in its order (what is due next first), of open assignments: the
            # first page is read from it, not sorted out of every open case (40 ms for 17,900 at
            # 10 M demands), and the inbox is counted from it alone.
            models.Index(
                F("department"), next_due(), F("id"), name="assignment_inbox",
                condition=Q(status__in=list(OPEN_ASSIGNMENT_STATUSES)),
            ),
            # What each department finished in the last 30 days (answered, on time, returned:
            # dispatch/department_figures.py). A finished assignment's moment never changes.
            models.Index(
                fields=["department", "finished_at"], name="assignment_finished",
                condition=Q(finished_at__isnull=False),
            ),
            # The assessment's cohort: the lead assignments dispatched in a day or a period. The
            # moment of dispatch never changes, so the index costs no HOT update.
            models.Index(
                fields=["dispatched_at"], name="assignment_lead_dispatched", condition=Q(role=AssignmentRole.LEAD),
            ),
            # One partial index per rung of the ladder: the sweep reads only open, running rows
            # still waiting for that step, so its cost follows the due rows, not the table.
            models.Index(
                fields=["sign_deadline"], name="assignment_sign_late_due",
                condition=Q(status=AssignmentStatus.PENDING_SIGN, sign_overdue_at__isnull=True),
            ),
            models.Index(
                fields=["warn_at"], name="assignment_warn_due",
                condition=Q(status__in=list(OPEN_ASSIGNMENT_STATUSES), warned_at__isnull=True, paused_since__isnull=True),
            ),
            models.Index(
                fields=["handle_deadline"], name="assignment_overdue_due",
                condition=Q(status__in=list(OPEN_ASSIGNMENT_STATUSES), overdue_at__isnull=True, paused_since__isnull=True),
            ),
            # The desk's overdue queue, counted on every visit to the desk: the lead assignments
            # overdue now and not yet supervised. Without it, every open lead is read (120,000
            # at 10 M demands, 250 ms) to find the few thousand whose deadline has passed.
            models.Index(
                fields=["handle_deadline"], name="assignment_overdue_queue",
                condition=Q(
                    role=AssignmentRole.LEAD, status__in=list(OPEN_ASSIGNMENT_STATUSES), paused_since__isnull=True,
                    supervised_at__isnull=True,
                ),
            ),
            models.Index(
                fields=["supervise_at"], name="assignment_supervise_due",
                condition=Q(
                    status__in=list(OPEN_ASSIGNMENT_STATUSES), supervised_at__isnull=True, paused_since__isnull=True
                ),
            ),
            models.Index(
                fields=["escalate_at"], name="assignment_escalate_due",
                condition=Q(
                    status__in=list(OPEN_ASSIGNMENT_STATUSES), escalated_at__isnull=True, paused_since__isnull=True
                ),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.demand.tracking_number} → {self.department} ({self.get_role_display()})"

    # What the pages ask of one assignment, named so that no template compares status strings.
    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ASSIGNMENT_STATUSES

    @property
    def awaits_signing(self) -> bool:
        return self.status == AssignmentStatus.PENDING_SIGN

    @property
    def is_in_hand(self) -> bool:
        """Signed for and being worked on."""
        return self.status == AssignmentStatus.SIGNED

    @property
    def is_assisting(self) -> bool:
        return self.role == AssignmentRole.ASSIST

    @property
    def is_overdue_now(self) -> bool:
        """`overdue_now` (dispatch.querysets) read on one loaded row, for its page."""
        return self.is_open and self.paused_since is None and self.handle_deadline < timezone.now()

    @property
    def deadline_state(self) -> str | None:
        """On time, warned or overdue while open; done on time or late once its part is given
        (answered or contributed); None when it was let go or returned."""
        if self.status == AssignmentStatus.DONE:
            on_time = self.finished_at is not None and self.finished_at <= self.handle_deadline
            return DeadlineState.DONE_ON_TIME if on_time else DeadlineState.DONE_LATE
        if not self.is_open:
            return None
        if self.is_overdue_now:
            return DeadlineState.OVERDUE
        if self.warned_at is not None or (
            self.paused_since is None and self.warn_at is not None and self.warn_at <= timezone.now()
        ):
            return DeadlineState.WARNED
        return DeadlineState.ON_TIME

    @property
    def deadline_state_label(self) -> str:
        state = self.deadline_state
        return str(DeadlineState(state).label) if state else ""

    @property
    def lead_deadline(self) -> datetime | None:
        """For an assisting department: the handling deadline of the case's open lead, which its
        part must come in before (annotated by `with_lead_deadline()` on lists)."""
        if not self.is_assisting:
            return None
        if hasattr(self, "lead_handle_deadline"):
            return self.lead_handle_deadline
        lead = Assignment.objects.of_demand(self.demand_id).lead().open().only("handle_deadline").first()
        return lead.handle_deadline if lead else None


class ReturnReason(models.TextChoices):
    NOT_OURS = "not_ours", _("非本单位职责")
    WRONG_TERRITORY = "wrong_territory", _("不属本辖区")
    NEEDS_ANOTHER = "needs_another", _("需其他部门共同办理")
    INSUFFICIENT_INFO = "insufficient_info", _("诉求信息不全")
    DUPLICATE = "duplicate", _("重复诉求")


class RulingStatus(models.TextChoices):
    PENDING = "pending", _("待裁定")
    UPHELD = "upheld", _("退单成立")
    OVERRULED = "overruled", _("退单不成立")
    # The case was merged, refused or answered before anyone ruled: there is nothing left to rule.
    WITHDRAWN = "withdrawn", _("已撤回")


class ReturnRequest(QuickChoiceLabels, models.Model):
    """A department's return (退单) of its lead assignment, and the dispatch centre's ruling."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="returns")
    reason_code = models.CharField(_("退单原因"), max_length=32, choices=ReturnReason.choices)
    reason = models.TextField(_("退单说明"))
    suggested_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=RulingStatus.choices, default=RulingStatus.PENDING)
    ruled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ruled_at = models.DateTimeField(null=True, blank=True)
    ruling_note = models.TextField(_("裁定意见"), blank=True)
    redispatched_to = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("退单")
        verbose_name_plural = _("退单")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"], condition=Q(status="pending"), name="one_pending_return_per_assignment"
            )
        ]
        indexes = [
            # A department no longer holds a case whose return was upheld (dispatch.selectors.
            # held_assignments): every inbox and case page asks, one assignment at a time, instead
            # of hashing every upheld return (100 ms at 10 M demands).
            models.Index(fields=["assignment"], condition=Q(status=RulingStatus.UPHELD), name="return_upheld"),
        ]

    def __str__(self) -> str:
        return f"{self.assignment} · {self.get_reason_code_display()}"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    DENIED = "denied", _("已驳回")
    WITHDRAWN = "withdrawn", _("已撤回")


# The most working days one extension may add to a deadline.
MAX_EXTENSION_DAYS = Decimal(30)


class ExtensionRequest(QuickChoiceLabels, models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="extensions")
    extra_days = models.DecimalField(_("延长工作日"), max_digits=5, decimal_places=1)
    reason = models.TextField(_("延期理由"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)
    previous_deadline = models.DateTimeField(null=True, blank=True)
    new_deadline = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"],
                condition=Q(status="pending"),
                name="one_pending_extension_per_assignment",
            ),
            models.CheckConstraint(condition=Q(extra_days__gt=0), name="extension_adds_time"),
        ]

    def __str__(self) -> str:
        return f"{self.assignment} +{self.extra_days}"


class InfoRequestStatus(models.TextChoices):
    PENDING = "pending", _("等待群众补充")
    ANSWERED = "answered", _("群众已补充")
    LAPSED = "lapsed", _("逾期未补充")
    WITHDRAWN = "withdrawn", _("已撤回")


class InfoRequest(models.Model):
    """The handling department asks the citizen for more information; the clock stands still
    until the citizen answers, the department goes on without the answer, or the wait lapses."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="info_requests")
    question = models.TextField(_("需补充的内容"))
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField()
    # Past this moment the clock runs again even without an answer: a pause cannot hide a case.
    lapses_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=InfoRequestStatus.choices, default=InfoRequestStatus.PENDING)
    answer = models.TextField(_("群众补充"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The case waits for the citizen as a whole: the assisting departments still open when the
    # lead asked, whose clocks stood still with the lead's and run again when the wait ends.
    paused_assists = models.ManyToManyField(Assignment, related_name="+", blank=True)

    class Meta:
        ordering = ["-asked_at"]
        verbose_name = _("补充信息请求")
        verbose_name_plural = _("补充信息请求")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"], condition=Q(status="pending"), name="one_pending_info_request_per_assignment"
            )
        ]
        indexes = [
            models.Index(fields=["lapses_at"], name="info_request_lapse_due", condition=Q(status="pending")),
        ]

    def __str__(self) -> str:
        return f"{self.assignment} · {self.get_status_display()}"


class DuplicateStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    MERGED = "merged", _("已合并")
    DISMISSED = "dismissed", _("非重复")


class DuplicateSuggestion(models.Model):
    """A new demand that looks like an open one from the same place, offered to the dispatch
    officer to merge; the officer decides, nothing is merged automatically."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="duplicate_suggestions")
    original = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="+")
    similarity = models.FloatField()
    status = models.CharField(max_length=16, choices=DuplicateStatus.choices, default=DuplicateStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("疑似重复诉求")
        verbose_name_plural = _("疑似重复诉求")
        constraints = [models.UniqueConstraint(fields=["demand", "original"], name="one_suggestion_per_pair")]

    def __str__(self) -> str:
        return f"{self.demand_id} ~ {self.original_id} ({self.similarity:.2f})"


# The note of a supervision the sweep opens: stored as written (the language of record), read in
# the reader's language.
AUTOMATIC_SUPERVISION_NOTE = gettext_noop("超期未办结，系统自动列入督办，请承办部门说明情况并限期办结。")


class Supervision(models.Model):
    """督办: a supervisor follows a case and the department must answer by a deadline. Opened by
    the ladder when a case runs late, or by a supervisor's hand on any case in hand; an answered
    supervision is over, and the case may be put under supervision again."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="supervisions")
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    note = models.TextField(_("督办意见"))
    response_deadline = models.DateTimeField(_("反馈期限"))
    # Put under supervision by a supervisor's decision (人工督办), not by the ladder's clock.
    by_hand = models.BooleanField(_("人工督办"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    response = models.TextField(_("督办反馈"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    # Whether the supervised assignment is still open, kept by the one writer of its status
    # (dispatch.services.transitions): the desk lists the supervisions of cases in hand, and most
    # supervisions ever opened are of cases long answered. On PostgreSQL an index in the queue's
    # order holds the open ones (dispatch migration 0032; SQLite cannot index NULLS FIRST).
    assignment_open = models.BooleanField(default=True, db_default=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("督办")
        verbose_name_plural = _("督办")
        constraints = [
            # One open supervision per assignment: the ladder's, or one by hand, until it is answered.
            models.UniqueConstraint(
                fields=["assignment"],
                condition=Q(responded_at__isnull=True),
                name="one_open_supervision_per_assignment",
            )
        ]

    def __str__(self) -> str:
        return f"督办 {self.assignment}"

    @property
    def is_open(self) -> bool:
        return self.responded_at is None

    @property
    def kind_label(self) -> str:
        return gettext("人工督办") if self.by_hand else gettext("超期督办")

    @property
    def note_for_reader(self) -> str:
        return gettext(self.note) if self.note == AUTOMATIC_SUPERVISION_NOTE else self.note


class ReviewStage(models.TextChoices):
    DEPARTMENT = "department", _("部门负责人审核")
    CENTRE = "centre", _("分拨中心审核")


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过")
    SENT_BACK = "sent_back", _("已退回修改")
    # The case ended otherwise while the reply waited (returned, merged): nothing to decide.
    WITHDRAWN = "withdrawn", _("已撤回")


class ReplyReview(models.Model):
    """A lead's reply held for approval before the citizen sees it (答复审核): one row per stage
    of one submission. The department's head reviews first, then the centre where a centre rule
    applies; the last approval sends the reply, a sending back returns it to the handler."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reply_reviews")
    body = models.TextField(_("答复内容"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"))
    stage = models.CharField(_("审核环节"), max_length=16, choices=ReviewStage.choices)
    status = models.CharField(_("状态"), max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("审核意见"), blank=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("答复审核")
        verbose_name_plural = _("答复审核")
        constraints = [
            # One reply waits at a time: a handler resubmits only after it was sent back.
            models.UniqueConstraint(
                fields=["assignment"], condition=Q(status="pending"), name="one_pending_review_per_assignment"
            )
        ]
        indexes = [models.Index(fields=["stage", "status"], name="reply_review_queue_idx")]

    def __str__(self) -> str:
        return f"答复审核 {self.assignment}"


class CentreReviewRule(models.Model):
    """The centre reviews the replies of a category of the list (大类 or 小类, by name, so the rule
    holds across list versions) or of one matter (by its stable code)."""

    category_name = models.CharField(
        _("清单类别名称"), max_length=128, blank=True, help_text=_("大类或小类的名称，按名称匹配，跨清单版本有效。")
    )
    matter_code = models.CharField(_("事项编码"), max_length=32, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["category_name", "matter_code"]
        verbose_name = _("中心审核规则")
        verbose_name_plural = _("中心审核规则")
        constraints = [
            models.CheckConstraint(
                condition=~Q(category_name="") | ~Q(matter_code=""), name="centre_rule_names_something"
            )
        ]

    def __str__(self) -> str:
        return self.category_name or self.matter_code


class LeaderInstruction(models.Model):
    """领导批示: a leader's instruction on a case, recorded by the leader or, dictated, by a supervisor
    or an administrator who names the leader. It shows at the top of the case for everyone handling
    it; the case's lead department answers it (批示反馈) by its deadline."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="leader_instructions")
    leader_name = models.CharField(_("批示领导"), max_length=64)
    text = models.TextField(_("批示内容"))
    deadline = models.DateTimeField(_("反馈期限"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("批示反馈"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("领导批示")
        verbose_name_plural = _("领导批示")
        indexes = [models.Index(fields=["answered_at", "deadline"], name="instruction_open_idx")]

    def __str__(self) -> str:
        return f"批示 {self.demand_id} {self.leader_name}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None

    @property
    def answered_late(self) -> bool:
        return self.answered_at is not None and self.answered_at > self.deadline


class HardCaseConsultation(models.Model):
    """疑难件会商: a dispatcher convened the departments of a hard case; who took part, what they
    decided (who leads, who assists) and, where the list should change, the amendment proposed.
    The decision re-dispatched the case."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="consultations")
    convened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    participants = models.ManyToManyField(Department, related_name="+", verbose_name=_("参会部门"))
    lead = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("主办部门"))
    assisting = models.ManyToManyField(Department, related_name="+", blank=True, verbose_name=_("协办部门"))
    decision = models.TextField(_("会商意见"))
    proposal = models.ForeignKey(AmendmentProposal, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("疑难件会商")
        verbose_name_plural = _("疑难件会商")

    def __str__(self) -> str:
        return f"会商 {self.demand_id}"


class Notification(models.Model):
    """An in-app notice to one person; sent by email too when they have an address."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=32)
    message = models.CharField(max_length=255)  # in the language of record (and in the emails)
    data = models.JSONField(default=dict, blank=True)  # its wording, read in the reader's language
    # The ladder's notices are fanned out from its events; one notice per person per event.
    event = models.ForeignKey("demands.DemandEvent", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "event"], condition=Q(event__isnull=False), name="one_notice_per_person_per_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.message}"

    @property
    def message_for_reader(self) -> str:
        return in_reader_language(self.data, self.message)


class ReplyTemplate(models.Model):
    """A department's ready wording for common answers; shared ones (no department) serve all."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, null=True, blank=True, related_name="reply_templates"
    )
    title = models.CharField(_("模板名称"), max_length=60)
    body = models.TextField(_("模板内容"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("答复模板")
        verbose_name_plural = _("答复模板")
        constraints = [
            models.UniqueConstraint(fields=["department", "title"], name="reply_template_title_unique"),
        ]

    def __str__(self) -> str:
        return self.title


class IdempotencyRecord(models.Model):
    """A create sent over the API with an `Idempotency-Key` (dispatch/api/idempotency.py): what
    was asked and what was answered, so a retry of it is answered the same instead of creating
    again. `status_code` is empty while the first request is still being handled. Kept for
    IDEMPOTENCY_KEY_HOURS."""

    client = models.CharField(max_length=80)  # "system:3", "user:12" or "address:10.0.0.1"
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    # The answer as JSON, encrypted like citizens' contact details: it may hold a query code
    # (shown once to the citizen) or a name. Gone after IDEMPOTENCY_KEY_HOURS, so no key rotation.
    response_body = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="one_record_per_client_key")]

    def __str__(self) -> str:
        return f"{self.client} {self.key}"


class DelegationKind(models.TextChoices):
    # A street office passes the case down to one of its communities (下派).
    DOWN = "down", _("下派社区")
    # A department head gives the case to one of the department's handlers or sections (内部派单).
    INTERNAL = "internal", _("内部派单")


class DelegationStatus(models.TextChoices):
    OPEN = "open", _("办理中")
    ANSWERED = "answered", _("已答复")
    SENT_UP = "sent_up", _("已上报")
    WITHDRAWN = "withdrawn", _("已撤回")


class Delegation(QuickChoiceLabels, models.Model):
    """A department that holds a case passes it on inside its territory or its own house: a street
    office to one of its communities (下派), a head to a handler or a section (内部派单). The
    department's own assignment stays in hand with its own clock: it remains answerable to the
    centre, and replies to it when the community (or section) has answered, or sent it back up."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="delegations")
    kind = models.CharField(_("类型"), max_length=16, choices=DelegationKind.choices)
    # Who holds it now: a community station or a section (a department), or one handler.
    to_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("承接单位")
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    delegated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    delegated_at = models.DateTimeField()
    # Inside the assignment's own handling deadline: the holder answers before the department must.
    deadline = models.DateTimeField(_("答复期限"))
    note = models.TextField(_("下派说明"), blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=DelegationStatus.choices, default="open")
    answer = models.TextField(_("答复内容"), blank=True)
    # Why it was sent back up (上报), or withdrawn.
    reason = models.TextField(_("上报理由"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-delegated_at", "-pk"]
        verbose_name = _("下派")
        verbose_name_plural = _("下派")
        constraints = [
            # One holder at a time of each kind: passing it again first ends the open one.
            models.UniqueConstraint(
                fields=["assignment", "kind"], condition=Q(status="open"), name="one_open_delegation_per_kind"
            ),
            models.CheckConstraint(
                condition=Q(to_department__isnull=True, to_user__isnull=False)
                | Q(to_department__isnull=False, to_user__isnull=True),
                name="delegation_has_one_holder",
            ),
        ]
        indexes = [
            models.Index(fields=["to_department", "status"], name="delegation_to_department"),
            models.Index(fields=["to_user", "status"], name="delegation_to_user"),
        ]

    def __str__(self) -> str:
        return f"{self.assignment} ⇒ {self.holder_name}"

    @property
    def holder_name(self) -> str:
        if self.to_department is not None:
            return self.to_department.display_name
        return self.to_user.get_full_name() or self.to_user.username if self.to_user else ""

    @property
    def is_open(self) -> bool:
        return self.status == DelegationStatus.OPEN

    @property
    def is_overdue_now(self) -> bool:
        return self.is_open and self.deadline < timezone.now()

    @property
    def answered_on_time(self) -> bool:
        return (
            self.status == DelegationStatus.ANSWERED and self.closed_at is not None and self.closed_at <= self.deadline
        )


class WebhookKind(models.TextChoices):
    """The changes of a demand told to subscribed systems: the status it moved to."""

    DISPATCHED = "dispatched", _("已派单")
    REPLIED = "replied", _("已答复")
    CLOSED = "closed", _("已办结")
    # Refused as outside the district's remit: for a case handed down, returned to the platform.
    RETURNED = "returned", _("退回（不予受理）")
    REOPENED = "reopened", _("重办")


class WebhookSubscription(models.Model):
    """A system told of demands' changes by signed HTTP POSTs (dispatch/webhooks.py): a source
    system of its own demands, or, with no source system, of every demand."""

    name = models.CharField(_("名称"), max_length=64, unique=True)
    url = models.URLField(_("接收地址"), max_length=500)
    # Signs every body (HMAC-SHA256); kept encrypted, since signing needs it in clear.
    secret = EncryptedTextField(_("签名密钥"))
    source_system = models.ForeignKey(
        "demands.SourceSystem",
        verbose_name=_("来源系统"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhook_subscriptions",
        help_text=_("只推送该来源系统提交的诉求；留空则推送全部诉求。"),
    )
    kinds = models.JSONField(_("推送的变化"), default=list, blank=True, help_text=_("留空则推送全部变化。"))
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    # The sequence number given to the last delivery: each subscriber reads its events in order.
    last_sequence = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = _("推送订阅")
        verbose_name_plural = _("推送订阅")

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待推送")
    DELIVERED = "delivered", _("已送达")


class WebhookDelivery(models.Model):
    """One change of one demand for one subscription: written with the change itself (the outbox),
    sent in `sequence` order and tried again with a growing wait until the receiver takes it.
    Nothing is ever given up: a receiver down for days gets everything when it is back."""

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey("demands.DemandEvent", on_delete=models.PROTECT, related_name="+")
    sequence = models.PositiveBigIntegerField()
    kind = models.CharField(_("变化"), max_length=16, choices=WebhookKind.choices)
    payload = models.JSONField()
    status = models.CharField(_("状态"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"))
    last_status_code = models.PositiveSmallIntegerField(_("最近应答码"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("产生时间"))
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    class Meta:
        ordering = ["subscription", "sequence"]
        verbose_name = _("推送记录")
        verbose_name_plural = _("推送记录")
        constraints = [
            models.UniqueConstraint(fields=["subscription", "sequence"], name="one_delivery_per_sequence"),
            models.UniqueConstraint(fields=["subscription", "event"], name="one_delivery_per_event"),
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="webhook_delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.subscription} #{self.sequence} {self.kind}"
