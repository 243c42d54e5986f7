"""The API's JSON parser, with limits. The standard one hands any body to Python's json module:
nesting a few thousand levels deep raises RecursionError (a server error, from an anonymous
request), and its size is bounded only by what the client sends. No API input is more than a
couple of levels deep or anywhere near Django's limit for a form body."""

from __future__ import annotations

import re

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils import json

MAX_DEPTH = 20
# A JSON string, escapes included: brackets inside one do not nest anything.
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[^\[\]{}]+")


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    depth = 0
    for char in _BRACKETS.sub("", _STRING.sub("", text)):
        depth += 1 if char in "[{" else -1
        if depth > limit:
            return True
    return False


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise ParseError(_("请求内容过大。"))
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as error:
            raise ParseError(_("请求内容不是有效的 UTF-8 文本。")) from error
        if too_deep(text):
            raise ParseError(_("JSON 嵌套超过 %(depth)s 层。") % {"depth": MAX_DEPTH})
        try:
            return json.loads(text, parse_constant=json.strict_constant if self.strict else None)
        except ValueError as error:
            raise ParseError(_("JSON 格式错误：%(error)s") % {"error": error}) from error
