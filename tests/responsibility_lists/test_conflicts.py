"""Keywords written into matters of different departments, shown to list maintainers."""

from __future__ import annotations

import re

from responsibility_lists.conflicts import keyword_conflicts
from responsibility_lists.models import Category, ListVersion
from tests.factories import make_matter
from tests.staff import logged_in


def test_a_keyword_shared_by_matters_of_different_departments_is_a_conflict(district):
    draft = ListVersion.objects.create(number=2, title="修订稿", based_on=district.version)
    city = Category.objects.create(version=draft, name="城市管理")
    d = district.departments
    make_matter(draft, city, "PS-0101-001", "占道经营查处", ["占道经营", "摆摊"], lead_department=d["CGJ"])
    make_matter(draft, city, "PS-0101-003", "夜市摆摊管理", ["摆摊", "夜市"], lead_department=d["CGJ"])
    make_matter(draft, city, "PS-0201-001", "建筑施工噪音", ["工地", "打桩"], lead_department=d["ZJJ"])
    make_matter(draft, city, "PS-0401-009", "工地扬尘", ["工地", "扬尘"], lead_department=d["SHJ"])
    make_matter(draft, city, "PS-0101-002", "违法建设查处", ["违建"], lead_is_territorial=True)
    make_matter(draft, city, "PS-0101-004", "楼顶加建", ["违建", "加建"], lead_is_territorial=True)

    conflicts = keyword_conflicts(draft)
    # The same department twice, or 属地 twice, is no conflict: the router lands in one place.
    assert [c.keyword for c in conflicts] == ["工地"]
    assert {m.code for m in conflicts[0].matters} == {"PS-0201-001", "PS-0401-009"}

    maintainer = logged_in(district.users["maintainer"])
    page = maintainer.get("/list/v2/").content.decode()
    section = page[page.index('id="keyword-conflicts"') :]
    assert "1 个关键词指向不同部门的事项" in section
    assert "PS-0401-009" in section and "工地扬尘" in section
    # The published test list has none, and its page says nothing about it.
    assert keyword_conflicts(district.version) == []
    assert 'id="keyword-conflicts"' not in maintainer.get("/list/v1/").content.decode()


def test_the_conflicts_panel_is_folded_below_the_matters_found(district):
    """A draft's conflicts are a finding to read when wanted: open above the search they pushed
    the matters found far down the page, and their matter links were taken for results."""
    draft = ListVersion.objects.create(number=2, title="修订稿", based_on=district.version)
    city = Category.objects.create(version=draft, name="城市管理")
    d = district.departments
    make_matter(draft, city, "PS-0201-001", "建筑施工噪音", ["工地", "打桩"], lead_department=d["ZJJ"])
    make_matter(draft, city, "PS-0401-009", "工地扬尘", ["工地", "扬尘"], lead_department=d["SHJ"])
    maintainer = logged_in(district.users["maintainer"])

    page = maintainer.get("/list/v2/", {"q": "扬尘"}).content.decode()
    panel = re.search(r'<details[^>]*id="keyword-conflicts"[^>]*>', page)
    assert panel is not None and "open" not in panel.group(0)
    # The search, then the one matter found, then the conflicts.
    assert page.index('name="q"') < page.index('id="matters"') < panel.start()
    assert re.findall(r'href="/list/v2/matters/([^/]+)/"', page[page.index('name="q"') : panel.start()]) == [
        "PS-0401-009"
    ]
