"""The composite score's weights (综合评分权重), set by administrators in the admin. One set is in
force at a time; the ranking page and API show the set they used next to the scores."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# The sample district's default, as Beijing's monthly 接诉即办 assessment is reported to weigh the
# three rates: response 10, resolution 45, satisfaction 45.
DEFAULT_WEIGHTS = (10, 45, 45)
# Below this many lead assignments in the period a department is listed but not ranked: a rate
# over three cases says more about luck than about the department.
DEFAULT_MINIMUM_CASES = 5


class ScoreWeights(models.Model):
    name = models.CharField(_("名称"), max_length=64)
    response_weight = models.PositiveSmallIntegerField(_("响应率权重"), default=DEFAULT_WEIGHTS[0])
    resolution_weight = models.PositiveSmallIntegerField(_("解决率权重"), default=DEFAULT_WEIGHTS[1])
    satisfaction_weight = models.PositiveSmallIntegerField(_("满意率权重"), default=DEFAULT_WEIGHTS[2])
    minimum_cases = models.PositiveIntegerField(_("参与排名的最少件数"), default=DEFAULT_MINIMUM_CASES)
    is_active = models.BooleanField(_("在用"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_active", "-created_at"]
        verbose_name = _("综合评分权重")
        verbose_name_plural = _("综合评分权重")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=Q(is_active=True),
                name="one_active_score_weights",
                violation_error_message=_("只能有一组在用的权重：请先停用现在在用的一组。"),
            ),
            models.CheckConstraint(
                condition=Q(response_weight__gt=0) | Q(resolution_weight__gt=0) | Q(satisfaction_weight__gt=0),
                name="score_weights_not_all_zero",
                violation_error_message=_("三项权重不能都为零。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.response_weight}/{self.resolution_weight}/{self.satisfaction_weight})"

    @property
    def total(self) -> int:
        return self.response_weight + self.resolution_weight + self.satisfaction_weight


def active_weights() -> ScoreWeights:
    """The set in force; the default (unsaved) when administrators have switched every set off."""
    return ScoreWeights.objects.filter(is_active=True).first() or ScoreWeights(name=str(_("默认权重")))
