"""Direct answers (直接答复): a question (咨询) the knowledge base answers is answered by the intake
operator or a dispatcher at once, before any department has it, and closed at first contact.

To the citizen it is an answer like any other: the tracking page shows it, the usual text message
tells them, they rate it or send it back (and then a dispatcher places it with a department, as
there is none to send it back to). For the figures it is an answer given on time by the centre
whose staff gave it: no department was dispatched it, so none is charged with it."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import IllegalTransition, NotAllowed, NotFound, ValidationFailed
from config.queue import enqueue_on_commit
from demands.models import Demand, DemandType, Reply
from demands.services import demand_transition
from demands.workflow import Action, target_of
from departments.access import DISPATCH_ROLES, has_role
from departments.models import Department, Membership, Role
from departments.selectors import resolve_location
from responsibility_lists.models import KnowledgeArticle, Matter
from responsibility_lists.selectors import version_in_force
from responsibility_lists.services import MAINTAINER_ROLES

DIRECT_ANSWER_ROLES = (Role.INTAKE_OPERATOR, *DISPATCH_ROLES)
# Who reads the knowledge base: those who answer citizens from it, supervisors, and its maintainers.
KNOWLEDGE_READERS = (*DIRECT_ANSWER_ROLES, Role.SUPERVISOR, *MAINTAINER_ROLES)
ANSWER_MIN_LENGTH = 10


def may_answer_directly(demand: Demand) -> bool:
    """Whether the demand is one a direct answer may close now (the service says why not)."""
    return (
        demand.demand_type == DemandType.QUESTION
        and demand.reopen_count == 0
        and target_of(Action.DIRECT_ANSWER, demand.status) is not None
    )


def answering_department(actor: User) -> Department:
    """The department a direct answer is given in the name of: the centre the staff member works
    in (the citizen reads its name above the answer, and the callback visit asks about it)."""
    membership = (
        Membership.objects.filter(user=actor, role__in=DIRECT_ANSWER_ROLES)
        .select_related("department")
        .order_by("pk")
        .first()
    )
    if membership is None:
        raise ValidationFailed(_("您的账号没有所属部门，不能以部门名义答复群众。"))
    return membership.department


def demand_answer_directly(*, demand_id: int, actor: User, body: str = "", article_id: int | None = None) -> Demand:
    """Answer a question at first contact, from a knowledge-base article (its answer, or the
    staff member's own words based on it) or in their own words alone. Refused for any other
    type of demand, once a department has it, and for an answer the citizen sent back."""
    if not has_role(actor, *DIRECT_ANSWER_ROLES):
        raise NotAllowed(_("只有受理员和分拨员可以直接答复。"))
    article = None
    if article_id:
        article = KnowledgeArticle.objects.filter(pk=article_id, is_published=True).first()
        if article is None:
            raise ValidationFailed(
                _("所选知识库文章不存在或已停用。"), extra={"fields": {"article": _("请重新选择。")}}
            )
    text = body.strip() or (article.answer.strip() if article else "")
    if len(text) < ANSWER_MIN_LENGTH:
        raise ValidationFailed(
            _("答复内容太短，请写明答复（至少10个字）。"), extra={"fields": {"body": _("内容太短。")}}
        )
    department = answering_department(actor)
    with transaction.atomic():
        demand = Demand.objects.select_for_update().filter(pk=demand_id).first()
        if demand is None:
            raise NotFound(_("该诉求不存在。"))
        if demand.demand_type != DemandType.QUESTION:
            raise IllegalTransition(
                _("只有咨询类诉求可以直接答复；该诉求为「%(type)s」，请派单办理。")
                % {"type": demand.get_demand_type_display()}
            )
        if demand.reopen_count:
            raise IllegalTransition(_("群众对直接答复不满意、要求重办的诉求，须派单给承办部门办理。"))
        now = timezone.now()
        # The list the answer was given under, and the matter of the article used, place the case
        # in the figures by matter and category as a dispatch would; its place, by street.
        version = demand.list_version or version_in_force()
        matter = demand.matter
        if matter is None and article is not None and article.matter_code and version is not None:
            matter = Matter.objects.filter(version=version, code=article.matter_code).first()
        changes: dict = {"replied_at": now, "list_version": version, "matter": matter}
        if demand.street_id is None:
            place = resolve_location(demand.location_text, demand.title, demand.content)
            changes.update(street_id=place.street_id, community_id=place.community_id)
        Reply.objects.create(demand=demand, department=department, author=actor, body=text)
        data = {"article": article.pk, "article_title": article.title} if article else {}
        demand = demand_transition(
            demand_id=demand.pk,
            action=Action.DIRECT_ANSWER,
            actor=actor,
            department=department,
            data=data,
            changes=changes,
        )
        # The callback staff's visit about this answer (回访), if it is among those sampled.
        enqueue_on_commit("assessment.schedule_visit", demand.pk)
    return demand
