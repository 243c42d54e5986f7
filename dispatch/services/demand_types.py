"""The dispatcher's correction of a demand's type (咨询, 求助, 投诉…): the citizen or the intake
operator chose it, the centre has the last word, and the figures count what the centre decided."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from config.errors import ValidationFailed
from demands.models import Demand, DemandType
from demands.services import demand_transition
from demands.workflow import Action
from dispatch.services.assignments import require_dispatcher


def demand_set_type(*, demand_id: int, actor: User, demand_type: str) -> Demand:
    """Set the demand's type, recording the old and the new on one event. The event stays off the
    citizen's timeline: the type is the centre's classification, not a step in handling."""
    require_dispatcher(actor)
    if demand_type not in DemandType.values or demand_type == DemandType.UNKNOWN:
        raise ValidationFailed(_("请选择诉求类型。"))
    with transaction.atomic():
        # Locked before reading the old type, so two dispatchers' corrections record a true chain.
        old = Demand.objects.select_for_update().values_list("demand_type", flat=True).get(pk=demand_id)
        if old == demand_type:
            raise ValidationFailed(_("诉求类型未改变。"))
        return demand_transition(
            demand_id=demand_id,
            action=Action.RETYPE,
            actor=actor,
            data={"from": old, "to": demand_type},
            changes={"demand_type": demand_type},
            is_public=False,
        )
