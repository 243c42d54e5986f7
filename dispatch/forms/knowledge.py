"""The knowledge base's forms: an article as the list maintainers write it, and a direct answer."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from config.form_fields import choice_field
from departments.pickers import filterable
from responsibility_lists.models import KnowledgeArticle
from responsibility_lists.selectors import matters_of, version_in_force


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    matter_code = forms.ChoiceField(label=_("清单事项"), required=False, choices=())
    question = forms.CharField(
        label=_("常见问题"), widget=forms.Textarea(attrs={"rows": 3}), help_text=_("群众通常怎么问")
    )
    answer = forms.CharField(
        label=_("答复口径"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("直接答复群众时使用的完整答复，可由受理员按实际情况修改后发送"),
    )
    keywords = forms.CharField(label=_("关键词"), required=False, help_text=_("用顿号“、”分隔，帮助检索和推荐"))
    is_published = forms.BooleanField(label=_("发布（受理员和分拨员可见、可推荐）"), required=False, initial=True)

    def __init__(self, *args, current_code: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        version = version_in_force()
        matters = list(matters_of(version).values_list("code", "name")) if version else []
        choices = [("", _("（不对应具体事项）")), *((code, f"{code} {name}") for code, name in matters)]
        if current_code and current_code not in {code for code, _name in matters}:
            # A matter the list in force no longer has: kept, and said so.
            choices.append((current_code, _("%(code)s（现行清单中已无此事项）") % {"code": current_code}))
        choice_field(self.fields, "matter_code").choices = choices
        filterable(self.fields["matter_code"])

    @staticmethod
    def initial_for(article: KnowledgeArticle) -> dict:
        return {
            "title": article.title,
            "matter_code": article.matter_code,
            "question": article.question,
            "answer": article.answer,
            "keywords": "、".join(article.keywords),
            "is_published": article.is_published,
        }


class DirectAnswerForm(forms.Form):
    """The answer given at once: an article chosen among those suggested, its answer as written or
    the staff member's own words."""

    article = forms.IntegerField(required=False, widget=forms.HiddenInput)
    body = forms.CharField(
        label=_("答复内容"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("留空则使用所选知识库文章的答复口径"),
    )
