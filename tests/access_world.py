"""The world the permission matrix (tests/access_matrix.py) is tried on.

The world is the test district (tests.factories.build_district) with a user for every role and seven
demands: one of 住建局's (the citizen's own, 生态环境局 assisting) and one of 城管局's (another
department's, another citizen's), for each of the two departments a case it returned and a case it
asked more time for, and a case 住建局 returned whose return was upheld (城管局's since). A POST
sends one payload (`World.payload`) that fills every form and API input with valid values (unknown
fields are ignored), so a refusal made by a service, not only by a view's decorator, is reached."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from assessment.figures import AuditFilters
from assessment.models import (
    Appeal,
    CallbackVisit,
    ClusterNotice,
    ClusterNoticeDemand,
    ExportJob,
    ExportStatus,
    KeyProblem,
    ReportKind,
)
from assessment.reports import last_closed_period, report_publish
from demands.services import demand_submit
from departments.models import Membership, Role
from dispatch.models import Assignment, AssignmentRole, LeaderInstruction, ReplyReview, ReviewStage, Supervision
from dispatch.services import assignment_return, assignment_sign, extension_request, return_rule
from responsibility_lists.amendments import amendment_file
from responsibility_lists.knowledge import article_create
from responsibility_lists.models import AmendmentKind, AmendmentProposal, ImportJob
from responsibility_lists.services import version_create_draft
from tests.access_matrix import ACTORS, DEPARTMENT, READ_ALL
from tests.factories import build_district, make_user
from tests.uploads import PNG


@dataclass
class World:
    users: dict[str, User | None]
    sessions: dict[str, str]  # actor → session key (the citizen's holds their opened demand)
    values: dict[str, dict[str, str]]  # subject → URL argument → value
    payload: dict[str, str]
    overrides: dict[str, dict[str, str]]  # URL name → arguments only it takes this way
    # Case text and citizens' details: which case, and whose eyes may see it.
    case_text: dict[str, list[str]]  # case → its title and content
    personal: dict[str, list[str]]  # case → its citizen's full name, phone and address
    readers: dict[str, set[str]] = field(default_factory=dict)  # actor → the cases they may read


CASES = {
    # case: (department, title, content, citizen name, phone, address)
    "own": ("ZJJ", "工地半夜施工噪音扰民甲", "六和城旁边的工地每天半夜施工打桩甲号", "欧阳明月", "13911112222", "六和城七栋一二零一"),
    "other": ("CGJ", "路边流动摊贩占道经营乙", "坪山大道上每天傍晚都有小贩摆摊占道经营乙号", "司马青云", "13733334444", "坪山大道八号乙座"),
    "own_returned": ("ZJJ", "工地半夜施工打桩扰民丙", "六和城旁边的工地半夜施工打桩丙号", "诸葛长风", "13655556666", "六和城九栋三零二"),
    "other_returned": ("CGJ", "小贩摆摊占道经营丁", "坪山大道小贩摆摊占道经营丁号", "上官流云", "13577778888", "坪山大道十号丁座"),
    "own_extended": ("ZJJ", "工地半夜打桩噪音戊", "六和城旁边的工地半夜打桩戊号", "东方既白", "13499990000", "六和城十一栋五零五"),
    "other_extended": ("CGJ", "流动摊贩占道己", "坪山大道上流动摊贩占道经营己号", "南宫晓月", "13300001111", "坪山大道十二号己座"),
    # 住建局 returned it and the dispatch centre agreed: it is 城管局's now, and no longer 住建局's to read.
    "upheld": ("ZJJ", "工地旁边占道堆放建材庚", "六和城旁边的工地半夜施工打桩庚号", "慕容秋水", "13200003333", "六和城十三栋八零八"),
}  # fmt: skip


def build_world(on_commit) -> World:
    """Make the district and the cases. `on_commit` runs what submitting queues on commit (a test's
    django_capture_on_commit_callbacks; a no-op context where transactions really commit)."""
    district = build_district()
    d = district.departments
    users: dict[str, User | None] = {"anonymous": None, "citizen": None}
    users.update({name: district.users[name] for name in ("nobody", "intake", "dispatcher", "auditor", "maintainer")})
    users["handler"] = district.users["zjj"]
    users["supervisor"] = make_user("supervisor", Role.SUPERVISOR, d["ZXZX"])
    users["head"] = make_user("head", Role.HEAD, d["ZJJ"])
    users["callback"] = make_user("callback", Role.CALLBACK_OFFICER, d["ZXZX"])
    users["admin"] = User.objects.create_superuser("root", password="pw-for-tests-only")
    Membership.objects.create(user=users["admin"], department=d["ZXZX"], role=Role.ADMIN)

    submissions = {}
    for case, (_code, title, content, name, phone, address) in CASES.items():
        photo = SimpleUploadedFile(f"{case}.png", PNG, content_type="image/png")
        with on_commit():
            submissions[case] = demand_submit(
                title=title, content=content, citizen_name=name, citizen_phone=phone, citizen_address=address,
                location_text="坪山街道六和城" if _code == "ZJJ" else "坪山大道", attachments=[photo],
            )  # fmt: skip
    demands = {case: s.demand for case, s in submissions.items()}
    lead = {case: Assignment.objects.get(demand=demand, role=AssignmentRole.LEAD) for case, demand in demands.items()}
    for case, (code, *_rest) in CASES.items():
        assert lead[case].department == d[code], (case, lead[case].department)
    staff_of = {"ZJJ": users["handler"], "CGJ": district.users["cgj"]}
    returns = {
        side: assignment_return(
            assignment_id=lead[f"{side}_returned"].pk,
            actor=staff_of[CASES[f"{side}_returned"][0]],
            reason_code="not_ours",
            reason="不属于本部门的职责范围",
        )
        for side in ("own", "other")
    }
    upheld = assignment_return(
        assignment_id=lead["upheld"].pk, actor=users["handler"], reason_code="not_ours", reason="属于城管执法的范围"
    )
    return_rule(return_id=upheld.pk, actor=users["dispatcher"], uphold=True, department_id=d["CGJ"].pk, note="改派城管")
    extensions = {}
    for side in ("own", "other"):
        case = f"{side}_extended"
        actor = staff_of[CASES[case][0]]
        assignment_sign(assignment_id=lead[case].pk, actor=actor)
        extensions[side] = extension_request(
            assignment_id=lead[case].pk, actor=actor, extra_days=2, reason="需要协调多个部门现场核查"
        )
    reviews = {  # a reply of each department's case waiting for its head's review (答复审核)
        case: ReplyReview.objects.create(
            assignment=lead[case],
            body="已经现场处理完毕",
            submitted_by=staff_of[CASES[case][0]],
            submitted_at=timezone.now(),
            stage=ReviewStage.DEPARTMENT,
        )
        for case in ("own", "other")
    }
    for case in ("own", "other"):  # a supervisor asked both departments how their case stands
        Supervision.objects.create(
            assignment=lead[case], supervisor=users["supervisor"], note="请说明办理进展",
            response_deadline=timezone.now() + timedelta(days=1),
        )  # fmt: skip
    instructions = {  # a leader's instruction on each department's case, not yet answered
        side: LeaderInstruction.objects.create(
            demand=demands[side],
            leader_name="区长",
            text="请尽快解决并报告结果",
            deadline=timezone.now() + timedelta(days=1),
            recorded_by=users["supervisor"],
        )
        for side in ("own", "other")
    }
    # A callback visit on each department's case, as if answered (the matrix asks who reaches them,
    # not whether a call about an unanswered case is accepted).
    visits = {
        case: CallbackVisit.objects.create(
            demand=demands[case],
            department=d[CASES[case][0]],
            answered_at=timezone.now(),
            due_at=timezone.now() + timedelta(days=1),
        )
        for case in ("own", "other")
    }
    draft = version_create_draft(actor=users["maintainer"], based_on_id=district.version.pk)
    amendment_file(
        actor=users["dispatcher"], version_id=district.version.pk, matter_code="PS-0101-001",
        kind=AmendmentKind.ADD_KEYWORD, keyword="夜市", reason="夜市摊贩也常被投诉",
    )  # fmt: skip
    article = article_create(
        actor=users["maintainer"], title="夜市摊位怎么申请", question="夜市摊位去哪里申请？",
        answer="请向所在街道办事处执法队申请夜市摊位。", matter_code="PS-0101-001", keywords="夜市、摊位",
    )  # fmt: skip
    import_job = ImportJob.objects.create(
        file=ContentFile(b"code,name\n", name="list.csv"), original_name="list.csv", title="导入", created_by=users["maintainer"]
    )  # fmt: skip
    appeal = Appeal.objects.create(
        assignment=lead["own"], department=lead["own"].department, period=date.today().replace(day=1),
        reason="不属本部门职责", submitted_by=users["head"], submitted_at=timezone.now(),
        evidence=ContentFile(PNG, name="permit.png"),
    )  # fmt: skip
    cluster = ClusterNotice.objects.create(place="六和社区", title=CASES["own"][1], recipients=1)
    ClusterNoticeDemand.objects.create(notice=cluster, demand=demands["own"])
    key_problem = KeyProblem.objects.create(
        month=date.today().replace(day=1), item_key="cluster:1", kind="cluster", title="电梯困人", adopted_by=users["supervisor"]
    )  # fmt: skip
    report = report_publish(
        actor=users["auditor"], kind=ReportKind.MONTHLY, period_start=last_closed_period(ReportKind.MONTHLY)[0]
    )
    export = ExportJob.objects.create(
        kind="demands", format="csv", requested_by=users["auditor"], status=ExportStatus.DONE,
        filters=AuditFilters(date_from=date.today(), date_to=date.today()).to_json(),
        file=ContentFile("\n".join(CASES["own"][1:3]).encode(), name="demands.csv"),
    )  # fmt: skip

    sessions = {}
    for actor, user in users.items():
        store = SessionStore()
        if user is not None:
            client = Client()
            client.force_login(user)
            sessions[actor] = client.cookies[settings.SESSION_COOKIE_NAME].value
            continue
        if actor == "citizen":  # opened their own demand with its query code
            store["citizen_demands"] = [demands["own"].pk]
        store.create()
        sessions[actor] = store.session_key

    attachment = {case: demand.attachments.get() for case, demand in demands.items()}
    common = {
        "number": str(draft.number),
        "code": "PS-0101-001",
        "kind": "csv",
        "fmt": "csv",
        "app_label": "demands",
        "content_type_id": "1",
        "object_id": "1",
        "id": "1",
        "url": "nowhere/",
        "format": "json",  # Open311's answers
        "service_code": "PS-0101-001",
        "token": "no-such-token",
        "visit_id": str(visits["own"].pk),
    }
    common["proposal_id"] = str(AmendmentProposal.objects.latest("pk").pk)  # the one filed above
    values = {}
    for subject, case in (("own", "own"), ("other", "other")):
        values[subject] = {
            **common,
            "tracking_number": demands[case].tracking_number,
            "service_request_id": demands[case].tracking_number,
            "assignment_id": str(lead[case].pk),
            "attachment_id": str(attachment[case].pk),
            "return_id": str(returns[subject].pk),
            "extension_id": str(extensions[subject].pk),
            "instruction_id": str(instructions[subject].pk),
            "review_id": str(reviews[subject].pk),
        }
    values[""] = values["own"]
    payload = {
        # Forms and API inputs, each field with a value it accepts.
        "title": "楼下餐馆油烟很大",
        "content": "楼下餐馆油烟直排，影响居民生活",
        "location_text": "坪山街道六和城",
        "urgency": "normal",
        "citizen_name": "新来者",
        "citizen_phone": "13100002222",
        "consent": "on",
        "channel": "phone",
        "tracking_number": demands["own"].tracking_number,
        "query_code": submissions["own"].query_code,
        "phone": "13100002222",
        "code": "000000",
        "rating": "5",
        "comment": "满意",
        "reason": "理由已经写明白了",
        "reason_code": "not_ours",
        "answer": "补充说明：晚上十点以后最吵",
        "question": "请问具体是哪一栋楼旁边的工地？",
        "response": "已经安排人员现场核查",
        "body": "已经现场处理完毕，谢谢反映。",
        "purpose": "需要电话联系核实现场情况",
        "department": str(d["PSJD"].pk),
        "department_id": str(d["PSJD"].pk),
        "original": demands["other_returned"].tracking_number,
        "uphold": "0",
        "approve": "1",
        "note": "裁定意见",
        "extra_days": "2",
        "leader_name": "区长 张某",
        "text": "请督促尽快解决并报告结果",
        "kind": AmendmentKind.ADD_KEYWORD,
        "keyword": "夜市",
        "language": "en",
        "next": "/",
        "username": "nobody",
        "password": "wrong-password",
        "months": "1",
        "outcome": "not_reached",
        "reached": "false",
        "date_from": date.today().isoformat(),
    }
    case_text = {case: [title, content] for case, (_c, title, content, *_r) in CASES.items()}
    personal = {case: [name, phone, address] for case, (*_head, name, phone, address) in CASES.items()}
    own_department = {case for case, row in CASES.items() if row[0] == "ZJJ"} - {"upheld"}
    readers = {actor: set() for actor in ACTORS}
    for actor in READ_ALL:
        readers[actor] = set(CASES)
    for actor in DEPARTMENT:
        readers[actor] = own_department
    readers["citizen"] = {"own"}
    readers["callback"] = set(visits)  # the cases in the visit queue
    overrides = {
        "audit-export": {"kind": "demands", "fmt": "csv"},
        "audit-export-job": {"job_id": str(export.pk)},
        # No case of this world is passed down: a delegation's pages answer no one.
        **{
            name: {"delegation_id": "424242"}
            for name in (
                "workbench-delegation-withdraw",
                "workbench-delegation",
                "workbench-delegation-answer",
                "workbench-delegation-send-up",
                "api-delegation-answer",
                "api-delegation-send-up",
                "api-delegation-withdraw",
            )
        },
        "appeal-rule": {"appeal_id": str(appeal.pk)},
        "api-appeal-rule": {"appeal_id": str(appeal.pk)},
        "appeal-evidence": {"appeal_id": str(appeal.pk)},
        "audit-hot-topic-cluster": {"notice_id": str(cluster.pk)},
        "api-key-problem-update": {"problem_id": str(key_problem.pk)},
        "audit-export-download": {"job_id": str(export.pk)},
        "list-import": {"job_id": str(import_job.pk)},
        "knowledge-article": {"article_id": str(article.pk)},
        "api-knowledge-article": {"article_id": str(article.pk)},
        **{
            name: {"report_id": str(report.pk)}
            for name in (
                "audit-report",
                "audit-report-xlsx",
                "audit-report-pdf",
                "api-report",
                "api-report-xlsx",
                "api-report-pdf",
            )
        },
    }
    return World(users, sessions, values, payload, overrides, case_text, personal, readers)
