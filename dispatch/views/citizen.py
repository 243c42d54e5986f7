"""The citizen portal: submit, confirmation, tracking with the timeline, rating, reopening.

A citizen proves a demand is theirs with its tracking number and query code, or proves that the
phone it was given with is theirs with a one-time code texted to it (demands.phone_access); the
session then remembers it. Neither a code nor any contact detail ever appears in a URL."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from config.errors import DomainError
from config.throttle import allow, allow_submission
from config.uploads import upload_refusal
from demands.citizen_messages import citizen_texts_wanted, texted_number
from demands.merges import original_of, rated_shared_answer, shared_answer_given
from demands.models import Demand
from demands.phone_access import ACCESS_LIFETIME, CODE_LIFETIME, phone_code_check, phone_code_send
from demands.phones import mobile_number, phone_hash
from demands.privacy import mask_phone
from demands.selectors import demand_for_citizen, demands_of_phone, public_timeline
from demands.services import demand_rate, demand_submit
from demands.uploads import IMAGE_TYPES
from demands.workflow import FINAL_STATUSES, Action, Status, may_reopen
from dispatch.duplicates import open_repeat_of
from dispatch.forms.citizen import (
    RATINGS,
    DemandForm,
    PhoneCodeForm,
    PhoneForm,
    RateForm,
    ReopenForm,
    SupplementForm,
    TrackForm,
)
from dispatch.models import AssignmentRole, overdue_now
from dispatch.selectors import answer_expected
from dispatch.services import demand_follow_up, demand_reopen, info_request_answer
from dispatch.services.citizen_info import pending_info_request
from dispatch.views.common import attachment_response, form_errors, perform, perform_form, posted

SESSION_KEY = "citizen_demands"
# A phone proved with a one-time code: its number and until when (the session lives in the
# database or the cache, never in the cookie, and is dropped when the right ends).
PHONE_SESSION_KEY = "citizen_phone"
PHONE_PENDING_KEY = "citizen_phone_pending"  # the phone a code was just texted to
# The receipt (tracking number and clear query code) goes to the next page in a signed cookie that
# only the receipt page receives, for a few minutes: kept in the session it would sit in the
# session table, in clear, until the receipt was opened or the session expired (two weeks).
RECEIPT_COOKIE = "receipt"
RECEIPT_SALT = "dispatch.citizen.receipt"
RECEIPT_SECONDS = 300


def _grant(request: HttpRequest, demand: Demand) -> None:
    granted = set(request.session.get(SESSION_KEY, []))
    granted.add(demand.pk)
    request.session[SESSION_KEY] = sorted(granted)


def _granted(request: HttpRequest, tracking_number: str) -> Demand | None:
    """The demand, if this session has opened it with its query code, or has proved with a
    one-time code that the phone it was given with is in the citizen's hand (for a while)."""
    demand = Demand.objects.filter(tracking_number=tracking_number).first()
    if demand is None:
        return None
    if demand.pk in request.session.get(SESSION_KEY, []):
        return demand
    phone = _phone_granted(request)
    return demand if phone and demand.citizen_phone_hash == phone_hash(phone) else None


def _phone_granted(request: HttpRequest) -> str | None:
    """The mobile number whose demands this session may see, while the right lasts."""
    grant = request.session.get(PHONE_SESSION_KEY)
    if not grant:
        return None
    if grant["until"] <= time.time():
        del request.session[PHONE_SESSION_KEY]
        return None
    return grant["phone"]


def _granted_demand(request: HttpRequest, tracking_number: str) -> Demand:
    demand = _granted(request, tracking_number)
    if demand is None:
        raise Http404
    return demand


def submit(request: HttpRequest) -> HttpResponse:
    form = DemandForm(posted(request), request.FILES or None, upload_refusal=upload_refusal(request))
    if request.method == "POST" and not allow_submission(request, phone_hash(request.POST.get("citizen_phone", ""))):
        form.add_error(None, _("提交过于频繁，请稍后再试；紧急情况请拨打 12345 热线。"))
        return render(request, "demands/citizen_submit.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        data = form.submission()
        # A repeat of the caller's own open demand is shown first, with the choice of adding it
        # there as a follow-up or still submitting it as new ("new" is that second answer).
        choice = request.POST.get("repeat", "")
        if choice == "follow_up":
            return _follow_up(request, form, request.POST.get("repeat_of", ""))
        repeat = None
        if choice != "new":
            repeat = open_repeat_of(phone=data["citizen_phone"], title=data["title"], content=data["content"])
        if repeat is not None:
            # Only the number: the phone is what the caller typed, and may be someone else's.
            context = {"form": form, "repeat_of": repeat.tracking_number, "files_left": bool(data["attachments"])}
            return render(request, "demands/citizen_submit.html", context)
        try:
            submission = demand_submit(**data)
        except DomainError as error:
            for field, message in error.extra.get("fields", {}).items():
                form.add_error(field if field in form.fields else None, message)
            if not error.extra.get("fields"):
                form.add_error(None, error.message)
        else:
            _grant(request, submission.demand)
            # Shown once on the next page: the code is not stored in clear anywhere.
            demand = submission.demand
            mobile = texted_number(demand)
            receipt = {
                "tracking_number": demand.tracking_number,
                "query_code": submission.query_code,
                "texted_to": mask_phone(mobile) if mobile else "",
            }
            response = redirect("citizen-submitted")
            response.set_cookie(
                RECEIPT_COOKIE,
                signing.dumps(receipt, salt=RECEIPT_SALT),
                max_age=RECEIPT_SECONDS,
                path=reverse("citizen-submitted"),
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Strict",
            )
            return response
    return render(request, "demands/citizen_submit.html", {"form": form})


def _follow_up(request: HttpRequest, form: DemandForm, tracking_number: str) -> HttpResponse:
    """Add the submission to the caller's open demand as a follow-up (催办). The session is not
    given the demand: following it still takes its query code."""
    data = form.cleaned_data
    try:
        demand = demand_follow_up(
            tracking_number=tracking_number,
            citizen_name=data["citizen_name"],
            citizen_phone=data["citizen_phone"],
            title=data["title"],
            content=data["content"],
        )
    except DomainError as error:
        form.add_error(None, error.message)
        return render(request, "demands/citizen_submit.html", {"form": form})
    request.session["just_followed_up"] = {"tracking_number": demand.tracking_number, "count": demand.follow_up_count}
    return redirect("citizen-followed-up")


def followed_up(request: HttpRequest) -> HttpResponse:
    done = request.session.pop("just_followed_up", None)
    if done is None:
        return redirect("citizen-track")
    return render(request, "demands/citizen_followed_up.html", {"done": done})


def submitted(request: HttpRequest) -> HttpResponse:
    try:
        receipt = signing.loads(request.COOKIES.get(RECEIPT_COOKIE, ""), salt=RECEIPT_SALT, max_age=RECEIPT_SECONDS)
    except signing.BadSignature:  # none, altered, or older than the window
        receipt = None
    if receipt is None:
        # A reload of the receipt: the code was shown once and is not kept anywhere to show again.
        messages.info(request, _("受理编号和查询码只在提交后显示一次；请凭您记下的受理编号和查询码查询。"))
        response: HttpResponse = redirect("citizen-track")
    else:
        demand = _granted(request, receipt["tracking_number"])
        expected = answer_expected(demand) if demand else None
        response = render(request, "demands/citizen_submitted.html", {"receipt": receipt, "expected": expected})
    response.delete_cookie(RECEIPT_COOKIE, path=reverse("citizen-submitted"), samesite="Strict")
    return response


def track(request: HttpRequest) -> HttpResponse:
    # A saved link to a demand page brings its number here (see demand_page).
    number = request.GET.get("number", "")[:32]
    form = TrackForm(posted(request), initial={"tracking_number": number} if number else None)
    # Query codes cannot be guessed at speed: one client gets the API's allowance of tries. (The
    # session remembers an opened demand, so following one's own case asks no more.)
    if request.method == "POST" and not allow(request, "citizen-track", settings.CITIZEN_TRACK_RATE):
        form.add_error(None, _("查询过于频繁，请稍后再试；如忘记查询码，请拨打 12345 热线。"))
        return render(request, "demands/citizen_track.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        demand = demand_for_citizen(
            tracking_number=form.cleaned_data["tracking_number"], query_code=form.cleaned_data["query_code"]
        )
        if demand is None:
            form.add_error(None, _("受理编号或查询码不正确。"))
        else:
            _grant(request, demand)
            return redirect("citizen-demand", tracking_number=demand.tracking_number)
    return render(request, "demands/citizen_track.html", {"form": form})


@sensitive_post_parameters("phone")
def phone_lookup(request: HttpRequest) -> HttpResponse:
    """Step one of looking up by phone: text a one-time code to it. The page answers the same
    whether or not the phone has demands, and a code is texted either way."""
    form = PhoneForm(posted(request))
    if request.method == "POST" and not allow(request, "citizen-phone-code", settings.CITIZEN_CODE_THROTTLE_RATE):
        form.add_error(None, _("获取验证码过于频繁，请稍后再试；急事请拨打12345热线。"))
        return render(request, "demands/citizen_phone.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        try:
            phone_code_send(phone=form.cleaned_data["phone"])
        except DomainError as error:
            form.add_error("phone" if "fields" in error.extra else None, error.message)
            return render(request, "demands/citizen_phone.html", {"form": form}, status=error.status_code)
        request.session[PHONE_PENDING_KEY] = mobile_number(form.cleaned_data["phone"])
        return redirect("citizen-phone-code")
    return render(request, "demands/citizen_phone.html", {"form": form})


@sensitive_post_parameters("code")
def phone_code(request: HttpRequest) -> HttpResponse:
    """Step two: the code typed back opens the phone's demands in this session for a while."""
    phone = request.session.get(PHONE_PENDING_KEY)
    if not phone:
        return redirect("citizen-phone")
    form = PhoneCodeForm(posted(request))
    context = {"form": form, "masked_phone": mask_phone(phone), "minutes": int(CODE_LIFETIME.total_seconds() // 60)}
    if request.method == "POST" and not allow(request, "citizen-track", settings.CITIZEN_TRACK_RATE):
        form.add_error(None, _("查询过于频繁，请稍后再试；急事请拨打12345热线。"))
        return render(request, "demands/citizen_phone_code.html", context, status=429)
    if request.method == "POST" and form.is_valid():
        if phone_code_check(phone=phone, code=form.cleaned_data["code"]) is None:
            form.add_error("code", _("验证码不正确或已失效。输错5次或超过10分钟需重新获取。"))
        else:
            # A new session key: whoever knew the old one (a shared computer) gets nothing.
            request.session.cycle_key()
            del request.session[PHONE_PENDING_KEY]
            request.session[PHONE_SESSION_KEY] = {
                "phone": phone,
                "until": time.time() + ACCESS_LIFETIME.total_seconds(),
            }
            return redirect("citizen-phone-demands")
    return render(request, "demands/citizen_phone_code.html", context)


def phone_demands(request: HttpRequest) -> HttpResponse:
    """The demands of the phone this session proved, newest first; each opens as with its code."""
    phone = _phone_granted(request)
    if phone is None:
        messages.info(request, _("凭手机号查询的有效时间已过，请重新获取验证码。"))
        return redirect("citizen-phone")
    until = timezone.localtime(datetime.fromtimestamp(request.session[PHONE_SESSION_KEY]["until"], tz=UTC))
    context = {"demands": demands_of_phone(mobile=phone), "masked_phone": mask_phone(phone), "until": until}
    return render(request, "demands/citizen_phone_demands.html", context)


@require_POST
def phone_end(request: HttpRequest) -> HttpResponse:
    """Leave: the phone's demands close in this browser (on a shared computer, say)."""
    request.session.pop(PHONE_SESSION_KEY, None)
    messages.success(request, _("已退出手机号查询。"))
    return redirect("citizen-track")


def demand_page(request: HttpRequest, tracking_number: str) -> HttpResponse:
    demand = _granted(request, tracking_number)
    if demand is None:
        # A saved or shared link, opened in another browser: the query code opens it. The same
        # answer whether or not the number exists, so the page tells a stranger nothing.
        messages.info(request, _("请输入这件诉求的查询码后查看。"))
        return redirect(f"{reverse('citizen-track')}?{urlencode({'number': tracking_number})}")
    original = original_of(demand)  # a merged demand shares its answer, or its refusal
    refusal = (
        original.events.filter(action=Action.REJECT).last() if original and original.status == Status.REJECTED else None
    )
    # A merged demand is handled as its original: that one's department and time limit are the
    # citizen's now (its own assignments were let go at the merge).
    handled = original or demand
    context = {
        "demand": demand,
        "handled": handled,
        "texts_reach": mobile_number(demand.citizen_phone) is not None,
        "by_phone": _phone_granted(request) is not None,
        "timeline": public_timeline(demand),
        "replies": (original or demand).replies.filter(is_contribution=False).select_related("department"),
        "original": original,
        "original_refusal": refusal.reason_for_reader if refusal else "",
        "final_statuses": FINAL_STATUSES,
        "overdue": handled.assignments.filter(overdue_now(timezone.now()), role=AssignmentRole.LEAD).exists(),
        "can_rate": demand.status == Status.REPLIED
        or (demand.status == Status.MERGED and not rated_shared_answer(demand) and shared_answer_given(original)),
        "can_reopen": may_reopen(demand),
        "info_request": pending_info_request(demand),
        "attachments": [(a, a.content_type in IMAGE_TYPES) for a in demand.attachments.all()],
        "rating_label": dict(RATINGS).get(demand.rating, "") if demand.rating is not None else "",
        "supplement_form": SupplementForm(auto_id="supplement_%s"),
        "rate_form": RateForm(auto_id="rate_%s"),
        "reopen_form": ReopenForm(auto_id="reopen_%s"),
    }
    return render(request, "demands/citizen_demand.html", context)


def attachment(request: HttpRequest, tracking_number: str, attachment_id: int) -> FileResponse:
    """A file the citizen sent with the demand, to whoever has opened the demand (never openly:
    media has no public address). Served as the type its bytes were checked to be at upload, not
    the type the browser claimed, so nothing but an image is ever shown in the page."""
    demand = _granted_demand(request, tracking_number)
    found = demand.attachments.filter(pk=attachment_id).first()
    if found is None:
        raise Http404
    response = attachment_response(found, inline_images=True)
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@require_POST
def rate(request: HttpRequest, tracking_number: str) -> HttpResponse:
    demand = _granted_demand(request, tracking_number)
    form = RateForm(request.POST)
    if form.is_valid():
        perform(
            request,
            lambda: demand_rate(
                demand=demand, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]
            ),
            _("感谢您的评价。") if demand.status == Status.MERGED else _("感谢您的评价，诉求已办结。"),
        )
    else:
        form_errors(request, form)
    return redirect("citizen-demand", tracking_number=tracking_number)


@require_POST
def reopen(request: HttpRequest, tracking_number: str) -> HttpResponse:
    demand = _granted_demand(request, tracking_number)
    form = ReopenForm(request.POST)
    if form.is_valid():
        perform(
            request,
            lambda: demand_reopen(demand=demand, reason=form.cleaned_data["reason"]),
            # A direct answer had no department to send it back to (dispatch.services.direct_answers).
            _("已退回承办部门重新办理。") if demand.lead_department_id else _("已转交分拨中心派单办理。"),
        )
    else:
        messages.error(request, _("请说明不满意的原因。"))
    return redirect("citizen-demand", tracking_number=tracking_number)


@require_POST
def supplement(request: HttpRequest, tracking_number: str) -> HttpResponse:
    demand = _granted_demand(request, tracking_number)
    perform_form(
        request,
        SupplementForm,
        lambda data: info_request_answer(demand=demand, answer=data["answer"]),
        _("感谢您补充信息，承办部门将继续办理。"),
    )
    return redirect("citizen-demand", tracking_number=tracking_number)


@require_POST
def texts(request: HttpRequest, tracking_number: str) -> HttpResponse:
    demand = _granted_demand(request, tracking_number)
    wanted = request.POST.get("wanted") == "1"
    perform(
        request,
        lambda: citizen_texts_wanted(demand=demand, wanted=wanted),
        _("之后的办理进展会用短信告诉您。") if wanted else _("已停止短信通知，您仍可在这里查询进度。"),
    )
    return redirect("citizen-demand", tracking_number=tracking_number)
