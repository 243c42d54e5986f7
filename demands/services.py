"""Writes on demands. Every change of a demand's state goes through `demand_transition`, which
locks the row, checks the move against the one transition map, and writes exactly one event in
the same transaction. The named services below (and those in dispatch.services) call it."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from config.errors import IllegalTransition, NotAllowed, ValidationFailed
from config.queue import enqueue_on_commit
from config.uploads import megabytes, too_large_message, too_many_files_message
from demands import citizen_messages
from demands.merges import original_of, rated_shared_answer, shared_answer_given
from demands.models import (
    CITIZEN_ADDRESS_MAX_LENGTH,
    CITIZEN_NAME_MAX_LENGTH,
    CITIZEN_PHONE_MAX_LENGTH,
    CONTENT_MAX_LENGTH,
    CONTENT_TOO_LONG,
    HIGHEST_RATING,
    LOWEST_RATING,
    TITLE_MAX_LENGTH,
    TITLE_TOO_LONG,
    Attachment,
    Channel,
    ContactDisclosure,
    DailySequence,
    Demand,
    DemandEvent,
    DemandType,
    SourceSystem,
)
from demands.models.sources import SOURCE_REFERENCE_MAX_LENGTH
from demands.uploads import Detected, detect_type
from demands.wording import worded
from demands.workflow import Action, Status, target_of
from departments.access import has_role
from departments.models import Community, Department, Role
from departments.selectors import resolve_point
from responsibility_lists.models import Urgency

CITIZEN = "citizen"
SYSTEM = "system"
QUERY_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
QUERY_CODE_LENGTH = 8


def hash_query_code(tracking_number: str, code: str) -> str:
    """What is kept of a query code: a keyed hash. The key stays outside the database, so a
    leaked copy of it cannot be searched offline for the codes (2⁴⁰ of them is a short search).
    The plain hash inside is the form codes were once kept in, which is how the migration that
    keyed them could convert rows without knowing a code (demands/migrations/0012)."""
    normalized = code.strip().upper()
    return keyed_query_code_hash(hashlib.sha256(f"{tracking_number}:{normalized}".encode()).hexdigest())


def keyed_query_code_hash(plain_hash: str) -> str:
    return hmac.new(settings.QUERY_CODE_KEY.encode(), plain_hash.encode(), hashlib.sha256).hexdigest()


def demand_transition(
    *,
    demand_id: int,
    action: str,
    actor: User | None,
    actor_label: str = "",
    department: Department | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
    is_public: bool = True,
) -> Demand:
    """Move a demand by `action`, or refuse with the reason. Call inside `transaction.atomic`."""
    demand = Demand.objects.select_for_update().get(pk=demand_id)
    target = target_of(action, demand.status)
    if target is None:
        raise IllegalTransition(
            _("诉求 %(number)s 当前状态为「%(status)s」，不能执行「%(action)s」。")
            % {"number": demand.tracking_number, "status": demand.get_status_display(), "action": Action(action).label},
            extra={"status": demand.status, "action": action},
        )
    refuse_unknown_fields(Demand, changes)
    from_status = demand.status
    for field, value in (changes or {}).items():
        setattr(demand, field, value)
    demand.status = target
    demand.save()
    event = DemandEvent.objects.create(
        demand=demand,
        action=action,
        from_status=from_status,
        to_status=target,
        actor=actor,
        actor_label=actor_label or (actor.get_username() if actor else SYSTEM),
        department=department,
        reason=reason,
        data=data or {},
        is_public=is_public,
        created_at=timezone.now(),
    )
    citizen_messages.tell(event)
    return demand


def refuse_unknown_fields(model: type[models.Model], changes: dict[str, Any] | None) -> None:
    """A change to a field the model does not have would be set on the object and never saved:
    a typo would drop it without a word. Refused instead, before anything is written."""
    known = {name for field in model._meta.concrete_fields for name in (field.name, field.attname)}
    unknown = sorted(set(changes or {}) - known)
    if unknown:
        raise TypeError(f"{model.__name__} has no field {', '.join(unknown)}")


def _next_tracking_number() -> str:
    """The day's next number, taken in a transaction of its own before the demand's: the day's
    counter row is locked only for this one statement, not for the whole submission, so
    submissions from every web process do not queue behind one another. A submission that
    fails after taking its number leaves a gap; no number is ever given twice.

    The counter's commit need not wait for its flush to disk (synchronous_commit off): the
    demand's own commit, later, flushes the log up to and past it, so a demand that survives a
    crash has its number counted too, and a count lost in a crash lost its demand with it."""
    today = timezone.localdate()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        cursor.execute(
            f"INSERT INTO {DailySequence._meta.db_table} (day, last) VALUES (%s, 1) "
            f"ON CONFLICT (day) DO UPDATE SET last = {DailySequence._meta.db_table}.last + 1 RETURNING last",
            [today],
        )
        number = cursor.fetchone()[0]
    return f"{settings.DISTRICT_CODE}-{today:%Y%m%d}-{number:06d}"


@dataclass(frozen=True)
class Submission:
    demand: Demand
    query_code: str  # shown to the citizen once, never stored in clear


def demand_submit(
    *,
    title: str,
    content: str,
    citizen_name: str,
    citizen_phone: str,
    citizen_address: str = "",
    location_text: str = "",
    urgency: str = Urgency.NORMAL,
    channel: str = Channel.WEB,
    entered_by: User | None = None,
    attachments: Iterable[UploadedFile] = (),
    community_id: int | None = None,
    category_hint: str = "",
    language: str = "",
    text_messages: bool = True,
    demand_type: str = DemandType.UNKNOWN,
    source: SourceSystem | None = None,
    source_reference: str = "",
    upstream_deadline: datetime | None = None,
    point: tuple[Decimal, Decimal] | None = None,
    media_url: str = "",
    requested_service_code: str = "",
) -> Submission:
    """Take in a demand. It and its first event commit before routing is queued, so a broker
    outage delays routing but never loses the demand (the reconciler picks it up). `language` is
    the citizen's; by default the page's when citizens submit themselves, and the language of
    record when staff enter a demand on their behalf. A demand from a source system takes the
    system's channel and keeps its number there (`source_reference`, one demand per number) and,
    for a case a higher platform hands down, that platform's deadline."""
    if source is not None:
        channel = source.channel
    elif channel not in (Channel.WEB, Channel.APP, Channel.API) and not has_role(
        entered_by, Role.INTAKE_OPERATOR, Role.DISPATCH_OFFICER, Role.ADMIN
    ):
        raise NotAllowed(_("只有受理员可以代群众登记电话、来信或来访诉求。"))
    errors = submission_errors(title=title, content=content, name=citizen_name, phone=citizen_phone)
    errors.update(_source_errors(source, source_reference.strip(), upstream_deadline))
    errors.update(_place_errors(point, media_url.strip()))
    if len(citizen_address.strip()) > CITIZEN_ADDRESS_MAX_LENGTH:
        errors["citizen_address"] = _("联系地址不能超过255字。")
    if urgency not in Urgency.values:
        errors["urgency"] = _("紧急程度无效。")
    if demand_type not in DemandType.values:
        errors["demand_type"] = _("诉求类型无效。")
    community = Community.objects.filter(pk=community_id).first() if community_id else None
    if community_id and community is None:
        errors["community"] = _("所选社区不存在。")
    files = list(attachments)
    stored_types: dict[int, str] = {}
    problem = attachments_problem(files)
    for upload in [] if problem else files:
        detected = attachment_type(upload)
        if detected.content_type is None:
            problem = problem or detected.reason
        else:
            stored_types[id(upload)] = detected.content_type
    if problem:
        errors["attachments"] = problem
    if errors:
        raise ValidationFailed("；".join(errors.values()), extra={"fields": errors})
    street_id = community.street_id if community else None
    if community is None and point is not None:
        community, street_id = _place_of(point)

    code = "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))
    tracking_number = _next_tracking_number()
    with transaction.atomic():
        if source is not None and source_reference.strip():
            _refuse_a_taken_reference(source, source_reference.strip())
        now = timezone.now()
        demand = Demand.objects.create(
            tracking_number=tracking_number,
            query_code_hash=hash_query_code(tracking_number, code),
            channel=channel,
            entered_by=entered_by,
            citizen_name=citizen_name.strip(),
            citizen_phone=citizen_phone.strip(),
            citizen_address=citizen_address.strip(),
            wants_text_messages=text_messages,
            title=title.strip(),
            content=content.strip(),
            location_text=location_text.strip(),
            street_id=street_id,
            community=community,
            # A community picked from the list or placed by the citizen's point on the map: either
            # outranks a place the text happens to name.
            community_picked=community is not None,
            category_hint=category_hint.strip()[:100],
            citizen_language=_citizen_language(language, channel),
            urgency=urgency,
            demand_type=demand_type,
            source_system=source,
            source_reference=source_reference.strip(),
            upstream_deadline=upstream_deadline,
            latitude=point[0] if point else None,
            longitude=point[1] if point else None,
            media_url=media_url.strip(),
            requested_service_code=requested_service_code.strip()[:32],
            submitted_at=now,
        )
        for upload in files:
            Attachment.objects.create(
                demand=demand,
                file=upload,
                original_name=upload.name or "attachment",
                # Never the browser's claim: a file kept as text/html would be served as a page.
                content_type=stored_types[id(upload)],
                size=upload.size or 0,
            )
        event = DemandEvent.first_of_new_demand(
            demand=demand,
            action=Action.SUBMIT,
            from_status="",
            to_status=Status.SUBMITTED,
            actor=entered_by,
            actor_label=entered_by.get_username() if entered_by else CITIZEN,
            data={"channel": channel, **_source_data(source, source_reference.strip(), upstream_deadline)},
            created_at=now,
        )
        citizen_messages.tell(event)
        enqueue_on_commit("dispatch.route_demand", demand.pk)
    return Submission(demand=demand, query_code=code)


def _place_of(point: tuple[Decimal, Decimal]) -> tuple[Community | None, int | None]:
    """The community and street whose outlines hold the point (latitude, longitude), as far as
    they are drawn; outside them all, neither (the address text places the demand then)."""
    place = resolve_point(point[0], point[1])
    community = Community.objects.filter(pk=place.community_id).first() if place.community_id else None
    return community, place.street_id


def _source_errors(source: SourceSystem | None, reference: str, deadline: datetime | None) -> dict[str, str]:
    if source is None:
        return {}
    errors: dict[str, str] = {}
    if len(reference) > SOURCE_REFERENCE_MAX_LENGTH:
        errors["source_reference"] = _("来源编号不能超过64个字符。")
    if deadline is not None and not source.hands_down:
        errors["upstream_deadline"] = _("只有上级平台转办的诉求才带上级办理期限。")
    elif deadline is not None and deadline <= timezone.now():
        errors["upstream_deadline"] = _("上级办理期限已过，请核实后再转办。")
    return errors


def _place_errors(point: tuple[Decimal, Decimal] | None, media_url: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if point is not None and not (-90 <= point[0] <= 90 and -180 <= point[1] <= 180):
        errors["point"] = _("坐标超出范围：纬度须在-90到90之间，经度须在-180到180之间。")
    if media_url and (len(media_url) > 500 or not media_url.startswith(("http://", "https://"))):
        errors["media_url"] = _("图片链接须为http或https地址，且不超过500个字符。")
    return errors


def _refuse_a_taken_reference(source: SourceSystem, reference: str) -> None:
    """One demand per number of the source's: the source's row is locked first, so two tries of
    the same number at once take one demand, and the second is told which."""
    SourceSystem.objects.select_for_update().filter(pk=source.pk).first()
    if taken := source.demands.filter(source_reference=reference).first():
        raise IllegalTransition(
            _("来源编号%(reference)s已受理为%(number)s，不再重复受理。")
            % {"reference": reference, "number": taken.tracking_number},
            extra={"tracking_number": taken.tracking_number},
        )


def _source_data(source: SourceSystem | None, reference: str, deadline: datetime | None) -> dict[str, str]:
    if source is None:
        return {}
    data = {"source": source.name}
    if reference:
        data["source_reference"] = reference
    if deadline is not None:
        data["upstream_deadline"] = deadline.isoformat()
    return data


def _citizen_language(language: str, channel: str) -> str:
    if not language and channel in (Channel.WEB, Channel.APP, Channel.API):
        language = translation.get_language() or ""
    try:
        return translation.get_supported_language_variant(language or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


def submission_errors(*, title: str, content: str, name: str, phone: str) -> dict[str, str]:
    """What is wrong with a submission's own fields, by field: the service's rule, which the web
    form also applies, so a citizen sees every problem at once."""
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("请填写标题。")
    elif len(title.strip()) > TITLE_MAX_LENGTH:
        errors["title"] = str(TITLE_TOO_LONG)
    if len(content.strip()) < 5:
        errors["content"] = _("请把诉求内容写清楚（至少5个字）。")
    elif len(content.strip()) > CONTENT_MAX_LENGTH:
        errors["content"] = str(CONTENT_TOO_LONG)
    if not name.strip():
        errors["citizen_name"] = _("请填写姓名。")
    elif len(name.strip()) > CITIZEN_NAME_MAX_LENGTH:
        errors["citizen_name"] = _("姓名不能超过64字。")
    digits = phone.strip().replace("-", "").replace(" ", "")
    if not (digits.isdigit() and 7 <= len(digits) <= 15) or len(phone.strip()) > CITIZEN_PHONE_MAX_LENGTH:
        errors["citizen_phone"] = _("请填写有效的联系电话。")
    return errors


def attachments_problem(uploads: list[UploadedFile]) -> str | None:
    """What is wrong with a submission's files as a whole: more of them, or more bytes, than one
    submission may carry. The upload handler (config.uploads) drops such files while the request
    is read; this is the rule itself, for callers that are not a web request."""
    if len(uploads) > settings.ATTACHMENTS_PER_SUBMISSION:
        return too_many_files_message()
    if sum(upload.size or 0 for upload in uploads) > settings.ATTACHMENTS_TOTAL_MAX_BYTES:
        return too_large_message()
    return None


def attachment_type(upload: UploadedFile) -> Detected:
    """The type to store for one file, from its bytes, or why it is refused."""
    if (upload.size or 0) > settings.ATTACHMENT_MAX_BYTES:
        return Detected(
            None,
            _("附件「%(name)s」超过 %(size)s MB。")
            % {"name": upload.name, "size": megabytes(settings.ATTACHMENT_MAX_BYTES)},
        )
    detected = detect_type(upload)
    if detected.content_type not in settings.ATTACHMENT_CONTENT_TYPES:
        reason = detected.reason or _("不接受这种类型的文件。")
        return Detected(None, _("附件「%(name)s」无法接受：%(reason)s") % {"name": upload.name, "reason": reason})
    return detected


# The channel a rating or an unsatisfied answer came by when staff recorded it for the citizen.
PHONE = "phone"


def awaits_rating(demand: Demand) -> bool:
    """Whether the citizen may rate now: the answer is out and not rated or closed yet; for a
    merged demand, the shared answer is given and this citizen has not rated it."""
    if demand.status == Status.REPLIED:
        return True
    return (
        demand.status == Status.MERGED and not rated_shared_answer(demand) and shared_answer_given(original_of(demand))
    )


def demand_rate(*, demand: Demand, rating: int, comment: str = "", taken_by: User | None = None) -> Demand:
    """The citizen rates the reply; a rating closes the case. A merged demand's citizen rates the
    answer of the demand it was merged into, once it is given, and their demand stays merged.
    `taken_by`: the staff member who took the rating from the citizen by phone; it is the
    citizen's own all the same, recorded with its channel and who took it."""
    if rating not in range(LOWEST_RATING, HIGHEST_RATING + 1):
        raise ValidationFailed(
            _("评分须为 %(lowest)s 到 %(highest)s。") % {"lowest": LOWEST_RATING, "highest": HIGHEST_RATING}
        )
    now = timezone.now()
    changes: dict[str, Any] = {"rating": rating, "rating_comment": comment.strip(), "rated_at": now}
    with transaction.atomic():
        current = Demand.objects.select_for_update().get(pk=demand.pk)
        if current.status == Status.MERGED:
            if rated_shared_answer(current):
                raise IllegalTransition(_("您已评价过这件诉求。"))
            if not shared_answer_given(original_of(current)):
                raise IllegalTransition(_("合并办理的诉求答复后才能评价。"))
        else:
            changes["closed_at"] = now
            # The stars answer the callback visit of this answer (回访), if it is still to be made.
            enqueue_on_commit("assessment.visit_citizen_rated", current.pk, current.reopen_count, rating)
        data: dict[str, Any] = {"rating": rating}
        if taken_by is not None:
            data.update(channel=PHONE, taken_by=taken_by.get_username())
        return demand_transition(
            demand_id=current.pk,
            action=Action.RATE,
            actor=taken_by,
            actor_label=CITIZEN,
            data=data,
            reason=comment.strip(),
            changes=changes,
        )


def demand_auto_close(*, demand_id: int) -> bool:
    """Close a replied demand the citizen left unrated. Idempotent: a demand already moved on is
    left alone and False is returned."""
    cutoff = timezone.now() - timedelta(days=settings.AUTO_CLOSE_AFTER_DAYS)
    with transaction.atomic():
        demand = Demand.objects.select_for_update().get(pk=demand_id)
        if demand.status != Status.REPLIED or demand.replied_at is None or demand.replied_at > cutoff:
            return False
        reason, wording = worded(
            gettext_noop("答复后%(days)s日内未评价，系统自动办结。"), days=settings.AUTO_CLOSE_AFTER_DAYS
        )
        demand_transition(
            demand_id=demand_id,
            action=Action.AUTO_CLOSE,
            actor=None,
            actor_label=SYSTEM,
            reason=reason,
            data=wording,
            changes={"closed_at": timezone.now()},
        )
    return True


def demand_disclose_contact(*, demand: Demand, user: User, purpose: str) -> ContactDisclosure:
    """Record that a staff member unmasked the citizen's contact details, and why."""
    if not purpose.strip():
        raise ValidationFailed(_("请说明查看联系方式的用途。"))
    return ContactDisclosure.objects.create(demand=demand, user=user, purpose=purpose.strip()[:200])
