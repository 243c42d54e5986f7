"""The list's pages: anyone signed in reads every version; list maintainers create drafts, edit
matters, import and export spreadsheets, compare versions and publish."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.errors import DomainError
from config.ids import id_from
from config.uploads import upload_refusal
from departments.access import has_role
from departments.signed_in import StaffRequest
from responsibility_lists.amendments import amendment_accept, amendment_decline
from responsibility_lists.conflicts import keyword_conflicts
from responsibility_lists.diff import diff_versions
from responsibility_lists.forms import ImportForm, MatterForm, PublishForm, RemoveForm, initial_for
from responsibility_lists.list_io import rows_of, write_csv, write_xlsx
from responsibility_lists.models import (
    AmendmentProposal,
    AmendmentStatus,
    ImportJob,
    ListEdit,
    ListVersion,
    Matter,
    VersionStatus,
)
from responsibility_lists.selectors import matters_of, top_categories_of, version_in_force
from responsibility_lists.services import (
    MAINTAINER_ROLES,
    import_job_create,
    matter_remove,
    matter_save,
    version_create_draft,
    version_publish,
)


def _maintainer(request: HttpRequest) -> None:
    if not has_role(request.user, *MAINTAINER_ROLES):
        raise PermissionDenied


def _refused(request: HttpRequest, error: DomainError) -> None:
    messages.error(request, error.message)
    for row in error.extra.get("rows", []):
        messages.error(request, row)


@login_required
def versions(request: StaffRequest) -> HttpResponse:
    all_versions = ListVersion.objects.annotate(matter_count=Count("matters")).select_related("based_on")
    return render(
        request,
        "responsibility_lists/versions.html",
        {
            "versions": all_versions,
            "in_force": version_in_force(),
            "is_maintainer": has_role(request.user, *MAINTAINER_ROLES),
            "import_form": ImportForm(),
            "jobs": ImportJob.objects.filter(created_by=request.user)[:5],
        },
    )


@login_required
def current_list(request: StaffRequest) -> HttpResponse:
    version = version_in_force()
    if version is None:
        return redirect("list-versions")
    return redirect("list-version", number=version.number)


@login_required
def version_detail(request: StaffRequest, number: int) -> HttpResponse:
    version = get_object_or_404(ListVersion, number=number)
    query = request.GET.get("q", "").strip()
    matters = matters_of(version)
    if query:
        # Keywords are matched one by one: a lookup on the JSON text would match its quotes and
        # commas, and SQLite stores Chinese there as \u escapes that no query matches.
        lowered = query.lower()
        by_keyword = [
            pk for pk, keywords in matters.values_list("pk", "keywords") if any(lowered in k.lower() for k in keywords)
        ]
        matters = matters.filter(Q(name__icontains=query) | Q(code__icontains=query) | Q(pk__in=by_keyword))
    category_id = id_from(request.GET.get("category"))
    if category_id is not None:
        matters = matters.filter(Q(category_id=category_id) | Q(category__parent_id=category_id))
    is_maintainer = has_role(request.user, *MAINTAINER_ROLES)
    return render(
        request,
        "responsibility_lists/version_detail.html",
        {
            "version": version,
            "categories": top_categories_of(version),
            "matters": matters,
            "query": query,
            "category_id": str(category_id or ""),
            "is_maintainer": is_maintainer,
            "editable": is_maintainer and version.status == VersionStatus.DRAFT,
            "publish_form": PublishForm(),
            "edits": ListEdit.objects.filter(version=version).select_related("actor")[:30],
            "in_force": version_in_force(),
            "conflicts": keyword_conflicts(version),
        },
    )


@login_required
def matter_detail(request: StaffRequest, number: int, code: str) -> HttpResponse:
    version = get_object_or_404(ListVersion, number=number)
    matter = get_object_or_404(matters_of(version), code=code)
    editable = has_role(request.user, *MAINTAINER_ROLES) and version.status == VersionStatus.DRAFT
    form = MatterForm(request.POST or None, version=version, editing=True, initial=initial_for(matter))
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if form.is_valid():
            try:
                matter_save(
                    version_id=version.pk,
                    actor=request.user,
                    code=matter.code,
                    category_id=form.cleaned_data["category"],
                    assisting_ids=form.cleaned_data["assisting"],
                    **form.service_fields(),
                )
            except DomainError as error:
                _refused(request, error)
            else:
                messages.success(request, _("已保存 %(code)s。") % {"code": matter.code})
                return redirect("list-matter", number=number, code=code)
    history = ListEdit.objects.filter(matter_code=code, version__number__lte=number).select_related("version", "actor")
    return render(
        request,
        "responsibility_lists/matter_detail.html",
        {
            "version": version,
            "matter": matter,
            "form": form,
            "editable": editable,
            "remove_form": RemoveForm(),
            "history": history[:50],
        },
    )


@login_required
def matter_add(request: StaffRequest, number: int) -> HttpResponse:
    _maintainer(request)
    version = get_object_or_404(ListVersion, number=number, status=VersionStatus.DRAFT)
    form = MatterForm(request.POST or None, version=version)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if Matter.objects.filter(version=version, code=code).exists():
            form.add_error("code", _("本版本已有该编码的事项。"))
        else:
            try:
                matter_save(
                    version_id=version.pk,
                    actor=request.user,
                    code=code,
                    category_id=form.cleaned_data["category"],
                    assisting_ids=form.cleaned_data["assisting"],
                    **form.service_fields(),
                )
            except DomainError as error:
                _refused(request, error)
            else:
                messages.success(request, _("已新增 %(code)s。") % {"code": code})
                return redirect("list-matter", number=number, code=code)
    return render(request, "responsibility_lists/matter_add.html", {"version": version, "form": form})


@require_POST
@login_required
def matter_delete(request: StaffRequest, number: int, code: str) -> HttpResponse:
    _maintainer(request)
    matter = get_object_or_404(Matter, version__number=number, code=code)
    form = RemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写删除原因。"))
        return redirect("list-matter", number=number, code=code)
    try:
        matter_remove(matter_id=matter.pk, actor=request.user, reason=form.cleaned_data["reason"])
    except DomainError as error:
        _refused(request, error)
        return redirect("list-matter", number=number, code=code)
    messages.success(request, _("已从草稿中删除 %(code)s。") % {"code": code})
    return redirect("list-version", number=number)


@require_POST
@login_required
def draft_create(request: StaffRequest) -> HttpResponse:
    _maintainer(request)
    try:
        draft = version_create_draft(actor=request.user)
    except DomainError as error:
        _refused(request, error)
        return redirect("list-versions")
    messages.success(request, _("已新建草稿 %(draft)s。") % {"draft": draft})
    return redirect("list-version", number=draft.number)


@require_POST
@login_required
def publish(request: StaffRequest, number: int) -> HttpResponse:
    _maintainer(request)
    version = get_object_or_404(ListVersion, number=number)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            version_publish(
                version_id=version.pk, actor=request.user, effective_from=form.cleaned_data["effective_from"]
            )
        except DomainError as error:
            _refused(request, error)
        else:
            messages.success(request, _("%(version)s 已发布。") % {"version": version})
    return redirect("list-version", number=number)


@login_required
def export(request: StaffRequest, number: int, kind: str) -> HttpResponse:
    version = get_object_or_404(ListVersion, number=number)
    rows = rows_of(version)
    filename = f"职责清单-V{version.number}-{timezone.localdate():%Y%m%d}.{kind}"
    if kind == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        write_csv(rows, _TextSink(response))
    elif kind == "xlsx":
        response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        write_xlsx(rows, response, title=f"V{version.number}")
    else:
        raise Http404
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


class _TextSink:
    def __init__(self, response: HttpResponse) -> None:
        self.response = response

    def write(self, text: str) -> None:
        self.response.write(text)


def _quote(name: str) -> str:
    return quote(name)


@login_required
def diff(request: StaffRequest) -> HttpResponse:
    all_versions = list(ListVersion.objects.order_by("number"))
    numbers = [v.number for v in all_versions]
    try:
        a = int(request.GET.get("a", numbers[-2] if len(numbers) > 1 else 0))
        b = int(request.GET.get("b", numbers[-1] if numbers else 0))
    except ValueError as error:
        raise Http404 from error
    by_number = {v.number: v for v in all_versions}
    result = diff_versions(by_number[a], by_number[b]) if a in by_number and b in by_number else None
    return render(request, "responsibility_lists/diff.html", {"versions": all_versions, "a": a, "b": b, "diff": result})


@require_POST
@login_required
def import_start(request: StaffRequest) -> HttpResponse:
    _maintainer(request)
    form = ImportForm(request.POST, request.FILES)
    if upload_refusal(request):  # the file was dropped while the request was read
        form.add_error("file", upload_refusal(request))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                # The stub types an ErrorList by what it stores; an item read from it is its message.
                messages.error(request, error)  # type: ignore[arg-type]
        return redirect("list-versions")
    job = import_job_create(upload=form.cleaned_data["file"], title=form.cleaned_data["title"], actor=request.user)
    return redirect("list-import", job_id=job.pk)


@login_required
def import_status(request: StaffRequest, job_id: int) -> HttpResponse:
    _maintainer(request)
    job = get_object_or_404(ImportJob.objects.select_related("version"), pk=job_id)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse(
            {
                "status": job.status,
                "percent": job.percent,
                "processed": job.processed_rows,
                "total": job.total_rows,
                "errors": job.errors[:200],
                "version": job.version.number if job.version else None,
            }
        )
    return render(request, "responsibility_lists/import_status.html", {"job": job})


@login_required
def amendments(request: StaffRequest) -> HttpResponse:
    """Pending proposals grouped by matter, the most disputed first."""
    _maintainer(request)
    pending = AmendmentProposal.objects.filter(status=AmendmentStatus.PENDING).select_related(
        "version", "department", "demand", "proposed_by"
    )
    groups: dict[str, list[AmendmentProposal]] = {}
    for proposal in pending.order_by("matter_code", "created_at"):
        groups.setdefault(proposal.matter_code, []).append(proposal)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    drafts = ListVersion.objects.filter(status=VersionStatus.DRAFT).order_by("-number")
    decided = AmendmentProposal.objects.exclude(status=AmendmentStatus.PENDING).select_related("decided_by")[:30]
    return render(
        request,
        "responsibility_lists/amendments.html",
        {"groups": ordered, "drafts": drafts, "decided": decided},
    )


@require_POST
@login_required
def amendment_decide(request: StaffRequest, proposal_id: int) -> HttpResponse:
    _maintainer(request)
    decision = request.POST.get("decision")
    try:
        if decision == "accept":
            draft_id = id_from(request.POST.get("draft")) or 0
            proposal = amendment_accept(
                proposal_id=proposal_id, actor=request.user, draft_id=draft_id, note=request.POST.get("note", "")
            )
            messages.success(request, _("已采纳，并写入草稿 %(draft)s。") % {"draft": proposal.applied_to})
        elif decision == "decline":
            amendment_decline(proposal_id=proposal_id, actor=request.user, reason=request.POST.get("note", ""))
            messages.success(request, _("已记录不采纳的理由。"))
        else:
            messages.error(request, _("请选择采纳或不采纳。"))
    except DomainError as error:
        _refused(request, error)
    except ValueError:
        messages.error(request, _("请选择一个草稿版本。"))
    return redirect("list-amendments")
