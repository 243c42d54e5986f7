"""Daily figures (逐日汇总): the additive parts of the assessment figures, one row per local day ×
department × street × community × matter. assessment/daily.py builds and reads them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from departments.models import Community, Department, Street
from responsibility_lists.models import Matter


class DailyFigures(models.Model):
    """A day's row holds two cohorts, each on the day that puts it in a period (see rates.py): the
    lead assignments dispatched that day, and the callback visits whose answer went out that day.
    Every count adds up over days; the working times are kept as the list of values (hours), so
    the median and the 90th percentile of a month stay exact."""

    day = models.DateField()
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    street = models.ForeignKey(Street, on_delete=models.CASCADE, null=True, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, null=True, related_name="+")
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, null=True, related_name="+")
    # The demand's type (demands.models.DemandType) as it stood when the day was built; a
    # correction leaves an event, so the day is rebuilt.
    demand_type = models.CharField(max_length=16, blank=True, default="")
    # The lead assignments dispatched that day.
    received = models.PositiveIntegerField(default=0)
    response_known = models.PositiveIntegerField(default=0)
    responded = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    returned = models.PositiveIntegerField(default=0)
    redispatched = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    supervised = models.PositiveIntegerField(default=0)
    sign_hours = models.JSONField(default=list)
    reply_hours = models.JSONField(default=list)
    # The visits whose answer went out that day.
    visits_answered = models.PositiveIntegerField(default=0)
    unreachable = models.PositiveIntegerField(default=0)
    resolution_known = models.PositiveIntegerField(default=0)
    solved = models.PositiveIntegerField(default=0)
    partly = models.PositiveIntegerField(default=0)
    satisfaction_known = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    basically = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("逐日考核汇总")
        verbose_name_plural = _("逐日考核汇总")
        # A period's read is a range of days, filtered by department or street at most.
        indexes = [models.Index(fields=["day", "department"], name="daily_figures_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} · {self.department_id} · {self.received}"


class DailyFiguresDay(models.Model):
    """That a day's rows were built, and when: the moment its time-dependent figures (overdue now,
    sign deadline passed) were read at."""

    day = models.DateField(primary_key=True)
    built_at = models.DateTimeField()
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("已汇总日期")
        verbose_name_plural = _("已汇总日期")

    def __str__(self) -> str:
        return f"{self.day} · {self.rows} · {self.built_at:%Y-%m-%d %H:%M}"


class DailyFiguresWatermark(models.Model):
    """One row: every change to a case before `through` is in the daily figures. The refresh reads
    the changes since it (less a margin for transactions still committing) and rebuilds the days
    they touched."""

    # Empty until the first refresh, which builds every day.
    through = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("逐日汇总进度")
        verbose_name_plural = _("逐日汇总进度")

    def __str__(self) -> str:
        return f"{self.through:%Y-%m-%d %H:%M}" if self.through else "—"


class MonthlyFigures(models.Model):
    """A closed calendar month's figures for one dimension, as rate_rows gave them from the daily
    figures when `built_at`: the counts, and the median and 90th percentile of the working times.
    The month a ranking, a report or the API asks for most is then one row, whatever the volume:
    ranking hours exactly needs every case's hours, which a month of a city holds by the hundred
    thousand. Read only while no day of the month was rebuilt since (assessment/monthly.py)."""

    month = models.DateField(help_text="The month's first day.")
    dimension = models.CharField(max_length=32)
    built_at = models.DateTimeField()
    # One object per group, in rate_rows' order: key, name, the counts, and the (median, p90)
    # pairs of the sign and reply hours.
    rows = models.JSONField(default=list)

    class Meta:
        verbose_name = _("月度考核汇总")
        verbose_name_plural = _("月度考核汇总")
        constraints = [models.UniqueConstraint(fields=["month", "dimension"], name="monthly_figures_once")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} · {self.dimension} · {self.built_at:%Y-%m-%d %H:%M}"
