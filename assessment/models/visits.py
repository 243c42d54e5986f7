"""Callback visits (回访): after a demand is answered, the centre's callback staff phone the citizen
and record whether they were contacted in time, whether the problem was solved and how satisfied
they are. The citizen's own rating on the tracking page counts as an answer too. The three rates
(三率) and the composite score are read from these rows."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from demands.models import Demand
from departments.models import Department

# A visit that cannot reach the citizen after this many calls is closed as not reachable.
VISIT_ATTEMPTS = 3


class VisitStatus(models.TextChoices):
    DUE = "due", _("待回访")
    DONE = "done", _("已回访")
    UNREACHABLE = "unreachable", _("无法联系")
    # The citizen rated the answer themselves before anyone called: their rating is the answer.
    CITIZEN_RATED = "citizen_rated", _("群众已自评")
    # The answer it was to ask about is gone (the case was reopened, merged or refused meanwhile).
    CANCELLED = "cancelled", _("已取消")


class Resolution(models.TextChoices):
    SOLVED = "solved", _("解决")
    PARTLY = "partly", _("部分解决")
    UNSOLVED = "unsolved", _("未解决")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


ANSWERED_VISIT_STATUSES = (VisitStatus.DONE, VisitStatus.CITIZEN_RATED)


class CallbackVisit(models.Model):
    """One visit per answer: a demand answered, reopened and answered again is visited twice
    (`answer_round` is the demand's reopen count when the answer went out)."""

    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="callback_visits")
    answer_round = models.PositiveSmallIntegerField(default=0)
    # The department whose answer is asked about: the lead when the reply went out.
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="callback_visits")
    answered_at = models.DateTimeField(_("答复时间"))
    status = models.CharField(_("状态"), max_length=16, choices=VisitStatus.choices, default=VisitStatus.DUE)
    due_at = models.DateTimeField(_("回访期限"))
    attempts = models.PositiveSmallIntegerField(_("已拨打次数"), default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    contacted_in_time = models.BooleanField(_("是否及时联系"), null=True, blank=True)
    resolution = models.CharField(_("解决情况"), max_length=16, choices=Resolution.choices, blank=True)
    satisfaction = models.CharField(_("满意程度"), max_length=16, choices=Satisfaction.choices, blank=True)
    notes = models.TextField(_("回访记录"), blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        constraints = [
            models.UniqueConstraint(fields=["demand", "answer_round"], name="one_visit_per_answer"),
            models.CheckConstraint(condition=Q(attempts__lte=VISIT_ATTEMPTS), name="visit_attempts_at_most_three"),
        ]
        indexes = [
            models.Index(fields=["due_at"], name="visit_due_idx", condition=Q(status="due")),
            models.Index(fields=["department", "answered_at"], name="visit_department_period_idx"),
            # The daily figures' refresh reads the visits finished since its last run.
            models.Index(fields=["finished_at"], name="visit_finished_idx"),
            # The assessment's visit cohort of a day or a period, over every department.
            models.Index(fields=["answered_at"], name="visit_answered_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.demand} · {self.get_status_display()}"

    @property
    def is_due(self) -> bool:
        return self.status == VisitStatus.DUE

    @property
    def is_answered(self) -> bool:
        return self.status in ANSWERED_VISIT_STATUSES
