"""The sample district's knowledge base (知识库): a handful of articles on matters citizens often ask
about, written for the demo (not official wording: each points to the office that decides), and
two questions callers put to the hotline that the intake operator answered from them at once
(直接答复): one the citizen has rated, one still waiting for the citizen's rating.

Run after load_demo_demands (which loads nothing once any demand exists). Idempotent: articles are
kept by title, and the two answered questions are made once."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from config.demo_clock import clock_at
from demands.citizen_messages import LOG_SENDER
from demands.models import Channel, DemandEvent, DemandType
from demands.services import demand_rate, demand_submit
from demands.workflow import Action
from dispatch.management.commands.load_demo_demands import _texts_unlogged
from dispatch.services.direct_answers import demand_answer_directly
from responsibility_lists.knowledge import article_create
from responsibility_lists.models import KnowledgeArticle, Matter

# (matter code, title, question, answer, keywords)
ARTICLES = [
    (
        "PS-1302-002",
        "居住证怎么办理",
        "刚来坪山工作租房住，办理居住证需要什么材料？去哪里办？",
        "在坪山居住并办理居住登记满一定期限的非深户籍人员，可以申领居住证。请携带本人身份证、"
        "租赁合同或住房证明（单位宿舍可由单位出具证明），到居住地所在社区工作站或派出所办理，"
        "也可以在“i深圳”APP线上申请。办理进度可在APP中查询，具体条件以公安机关公布为准。",
        ["居住证", "居住登记", "租房", "身份证"],
    ),
    (
        "PS-1202-001",
        "高龄津贴怎么申领",
        "家里老人满80岁了，高龄津贴怎么申请？需要本人到场吗？",
        "具有本市户籍、年满80周岁的老年人可以申领高龄津贴。可由本人或家属携带老人身份证、户口簿"
        "和本人银行账户信息，到户籍所在社区工作站申请，也可在“i深圳”APP线上申请，行动不便的老人无需本人到场。"
        "审核通过后按月发放到老人本人账户，具体标准以区民政部门公布为准。",
        ["高龄津贴", "老人", "80岁", "津贴"],
    ),
    (
        "PS-1103-001",
        "异地就医怎么报销医保",
        "在外地看病住院了，回来后医保怎么报销？",
        "参保人异地就医前，建议先通过“粤医保”小程序或医保窗口办理异地就医备案，备案后在当地定点医院"
        "可直接刷医保卡或医保电子凭证结算。未备案或未能直接结算的，请保存好发票、费用清单、出院小结等材料，"
        "回深后到区医疗保障窗口申请零星报销。报销比例按本市医保政策执行。",
        ["医保", "报销", "异地就医", "备案", "住院"],
    ),
    (
        "PS-1001-001",
        "小一学位申请时间和材料",
        "孩子明年上小学，学位什么时候申请？要准备哪些材料？",
        "义务教育学位申请每年春季在区教育局官网和微信公众号发布通知，一般在4月至5月网上报名。"
        "请提前准备孩子的户口簿或居住证明、出生证明、监护人的房产证明或租赁登记凭证、社保缴纳证明等材料。"
        "具体时间、材料要求和积分办法以当年区教育局公布的招生通告为准。",
        ["学位", "小一", "入学", "上小学", "报名"],
    ),
    (
        "PS-1201-001",
        "低保申请条件和流程",
        "家庭收入很低，怎么申请最低生活保障？",
        "本市户籍家庭，共同生活成员的人均月收入低于本市最低生活保障标准、且家庭财产符合规定的，"
        "可以申请低保。请由户主或家庭成员向户籍所在街道办事处（或社区工作站代收）提出书面申请，"
        "提交身份证、户口簿、收入和财产情况说明等材料，经入户调查、公示后审批。具体标准以区民政部门公布为准。",
        ["低保", "最低生活保障", "困难家庭", "救助"],
    ),
    (
        "PS-1102-001",
        "儿童预防接种去哪里打",
        "孩子要打疫苗，在坪山去哪里接种？需要预约吗？",
        "儿童常规免疫规划疫苗可在就近的社区健康服务中心（社康中心）预防接种门诊接种，首次接种请携带"
        "儿童预防接种证和出生证明。多数接种门诊需要提前预约，可通过“深圳市免疫规划”公众号或电话预约。"
        "接种时间以各门诊公布为准。",
        ["疫苗", "接种", "打针", "预约", "社康"],
    ),
    (
        "PS-0102-005",
        "生活垃圾分类投放规定",
        "厨余垃圾、可回收物怎么分？定时定点投放是什么时间？",
        "生活垃圾分为厨余垃圾、可回收物、有害垃圾和其他垃圾四类。厨余垃圾请沥干水分、去掉包装后投放；"
        "废电池、过期药品等有害垃圾请投入红色收集容器。各小区和城中村的定时定点投放时间由物业或社区公示，"
        "一般为早上和晚上各一个时段。大件家具请预约回收，不要随意丢弃。",
        ["垃圾分类", "厨余垃圾", "可回收物", "投放时间"],
    ),
    (
        "PS-1801-005",
        "水费查询和缴纳",
        "怎么查询家里的水费？可以在网上交吗？",
        "可通过供水企业的微信公众号、支付宝生活缴费或营业厅查询和缴纳水费，输入水费账单上的用户编号即可。"
        "对用水量有疑问的，可拨打供水企业客服电话申请核查水表读数，必要时可申请水表校验。",
        ["水费", "缴费", "水表", "用水量"],
    ),
]

# (title, what the caller said, where, the article used, days ago, the citizen's rating or None)
ANSWERED_QUESTIONS = [
    (
        "咨询居住证办理需要什么材料",
        "您好，我刚来坪山工作，租住在六和社区，请问办理居住证需要准备哪些材料，去哪里办？",
        "坪山街道六和社区",
        "居住证怎么办理",
        3,
        5,
    ),
    (
        "咨询老人高龄津贴怎么申请",
        "我父亲今年满80岁了，户籍在坑梓街道，请问高龄津贴怎么申请，需要本人到场吗？",
        "坑梓街道",
        "高龄津贴怎么申领",
        1,
        None,
    ),
]
INTAKE = "intake"
MAINTAINER = "maintainer"


class Command(BaseCommand):
    help = "Load the demo knowledge base and two questions answered directly from it (run after load_demo_demands)."

    def handle(self, *args, **options):
        maintainer = User.objects.filter(username=MAINTAINER).first()
        operator = User.objects.filter(username=INTAKE).first()
        if maintainer is None or operator is None:
            self.stdout.write("No sample district staff; no demo knowledge base loaded.")
            return
        made = self._articles(maintainer)
        # The demo's phone numbers are made up, and may be someone's: texted only where texts go to
        # the log (the embedded default), never through a real gateway; and not printed either.
        with _texts_unlogged():
            answered = self._answered_questions(operator, texts=settings.CITIZEN_MESSAGE_SENDER == LOG_SENDER)
        self.stdout.write(f"Knowledge base: {made} articles added; {answered} questions answered directly.")

    def _articles(self, maintainer: User) -> int:
        known = set(Matter.objects.values_list("code", flat=True).distinct())
        made = 0
        for code, title, question, answer, keywords in ARTICLES:
            if KnowledgeArticle.objects.filter(title=title).exists():
                continue
            article_create(
                actor=maintainer,
                title=title,
                question=question,
                answer=answer,
                # A district whose list lacks the matter still gets the article, under no matter.
                matter_code=code if code in known else "",
                keywords=keywords,
            )
            made += 1
        return made

    def _answered_questions(self, operator: User, *, texts: bool) -> int:
        if DemandEvent.objects.filter(action=Action.DIRECT_ANSWER).exists():
            return 0
        now = timezone.now()
        answered = 0
        for number, (title, content, place, article_title, days_ago, rating) in enumerate(ANSWERED_QUESTIONS):
            article = KnowledgeArticle.objects.filter(title=article_title).first()
            moment = timezone.localtime(now - timedelta(days=days_ago)).replace(hour=10, minute=15 + number * 7)
            with clock_at(min(moment, now)), transaction.atomic():
                # Taken and answered on the same call: routing, queued on commit, finds it answered.
                demand = demand_submit(
                    title=title,
                    content=content,
                    location_text=place,
                    citizen_name="陈女士" if number % 2 == 0 else "黄先生",
                    citizen_phone=f"1370000{number:04d}",
                    channel=Channel.HOTLINE,
                    entered_by=operator,
                    demand_type=DemandType.QUESTION,
                    text_messages=texts,
                ).demand
                demand = demand_answer_directly(
                    demand_id=demand.pk, actor=operator, article_id=article.pk if article else None
                )
            if rating is not None:
                with clock_at(min(moment + timedelta(hours=2), now)):
                    demand_rate(demand=demand, rating=rating, comment="接线员当场就答复清楚了，很方便。")
            answered += 1
        return answered
