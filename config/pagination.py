"""The API's lists page by cursor: a page holds `results` and the links `next` and `previous`
(null at either end), which carry an opaque `cursor`. A row added or removed meanwhile never
shifts a page, as an offset would. Each list names its own stable order (`cursor_ordering` on the
view, ending in a unique field); `page_size` asks for up to MAX_PAGE_SIZE rows."""

from __future__ import annotations

from rest_framework.pagination import CursorPagination

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class CursorPage(CursorPagination):
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    ordering = ("-pk",)

    def get_ordering(self, request, queryset, view):
        ordering = getattr(view, "cursor_ordering", None) or self.ordering
        return (ordering,) if isinstance(ordering, str) else tuple(ordering)
