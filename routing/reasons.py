"""Why the router suggests a candidate, kept as data and read in the reader's language.

Each candidate carries its reasons as small records ({"kind": "keywords", "words": […]}, …), so a
dispatch officer who works in English reads them in English. The candidate's `reason` text is
the same reasons in Chinese, the language of record, for the API and the audit trail; an export
says them in the language it is written in."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

KEYWORDS = "keywords"
DESCRIBED = "described"
TERRITORY = "territory"
HISTORY = "history"
NEIGHBOURS = "neighbours"
PAST_MATTER = "past_matter"
RECORD_LANGUAGE = "zh-hans"


def describe(reasons: list[dict]) -> str:
    """The reasons as one sentence in the active language."""
    separator = pgettext("between the words of a list", "、")
    texts = []
    for reason in reasons:
        kind = reason["kind"]
        if kind == KEYWORDS:
            texts.append(_("命中关键词：%(words)s") % {"words": separator.join(reason["words"])})
        elif kind == DESCRIBED:
            texts.append(_("与事项「%(matter)s」描述相近") % {"matter": reason["matter"]})
        elif kind == TERRITORY:
            place = reason["place"] or _("未识别")
            texts.append(_("属地事项，按地点「%(place)s」派往属地街道") % {"place": place})
        elif kind == HISTORY:
            texts.append(_("相似历史诉求由该部门办理（%(share)s）") % {"share": f"{reason['share']:.0%}"})
        elif kind == NEIGHBOURS:
            texts.append(
                _("最相近的%(of)s件历史诉求中%(count)s件由该部门办理") % {"of": reason["of"], "count": reason["count"]}
            )
        elif kind == PAST_MATTER:
            texts.append(
                _("最相近的%(of)s件历史诉求中%(count)s件按事项「%(matter)s」办理")
                % {"of": reason["of"], "count": reason["count"], "matter": reason["matter"]}
            )
    return pgettext("between the reasons for a suggestion", "；").join(texts)


def on_record(reasons: list[dict]) -> str:
    """The reasons in the language of record, whoever's request routed the demand: the same
    inputs and versions must give the same answer, word for word."""
    with translation.override(RECORD_LANGUAGE):
        return describe(reasons)
