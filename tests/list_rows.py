"""A row of a responsibility list as a spreadsheet holds it (the columns `list_io` reads and writes)."""

from __future__ import annotations

from responsibility_lists.list_io import COLUMNS


def row(**overrides) -> dict[str, str]:
    """A valid row for a new matter, with the columns in `overrides` changed."""
    base = dict.fromkeys(COLUMNS, "")
    base.update(
        {
            "大类": "城市管理",
            "小类": "市容秩序",
            "事项编码": "PS-0101-009",
            "事项名称": "乱贴小广告",
            "关键词": "小广告、牛皮癣、乱张贴",
            "主责部门": "坪山区城市管理和综合执法局",
            "协办部门": "属地",
            "签收时限": "4/2/1",
            "办理时限": "5/2/1",
        }
    )
    base.update(overrides)
    return base
