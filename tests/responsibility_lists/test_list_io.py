from __future__ import annotations

import pytest

from config.errors import ValidationFailed
from responsibility_lists.list_io import create_draft_from_rows, parse_limits
from responsibility_lists.models import ListVersion, Matter, VersionStatus
from tests.list_rows import row


def test_good_rows_become_a_draft(district):
    version = create_draft_from_rows(
        [row(), row(事项编码="PS-0101-010", 事项名称="违建", 主责部门="属地")], title="草稿"
    )
    assert version.status == VersionStatus.DRAFT
    ads = Matter.objects.get(version=version, code="PS-0101-009")
    assert ads.keywords == ["小广告", "牛皮癣", "乱张贴"]
    assert ads.assisted_by_territory and ads.lead_department == district.departments["CGJ"]
    assert ads.sign_hours("urgent") == 2
    assert Matter.objects.get(version=version, code="PS-0101-010").lead_is_territorial


def test_one_bad_row_imports_nothing_and_every_bad_row_is_named(district):
    before = ListVersion.objects.count()
    rows = [
        row(),
        row(事项编码="PS-0101-009"),  # duplicate code
        row(事项编码="PS-0101-011", 主责部门="不存在的局"),
        row(事项编码="PS-0101-012", 签收时限="一天"),
        row(事项编码="PS-0101-013", 主责部门=""),
    ]
    with pytest.raises(ValidationFailed) as error:
        create_draft_from_rows(rows, title="坏文件")
    messages = error.value.extra["rows"]
    assert [m.split("：")[0] for m in messages] == ["第3行", "第4行", "第5行", "第6行"]
    assert "重复" in messages[0] and "不存在" in messages[1] and "签收时限" in messages[2] and "主责部门" in messages[3]
    assert ListVersion.objects.count() == before


def test_time_limits_must_shrink_with_urgency():
    assert parse_limits("10/3/1") == {"normal": 10, "urgent": 3, "critical": 1}
    for bad in ("1/3/10", "10/3", "10/0/0", "a/b/c"):
        with pytest.raises(ValueError):
            parse_limits(bad)


def test_tables_from_older_systems_may_be_gb18030_tab_separated_or_padded(tmp_path):
    from config.tables import read_table

    gbk = tmp_path / "history.csv"
    gbk.write_bytes("标题 , 承办部门\n路灯不亮,坪山区城市管理和综合执法局\n,\n".encode("gb18030"))
    assert read_table(gbk) == [{"标题": "路灯不亮", "承办部门": "坪山区城市管理和综合执法局"}]
    tabbed = tmp_path / "history.tsv"
    tabbed.write_text("标题\t内容\n噪音, 扰民\t工地夜间施工\n", encoding="utf-8")
    assert read_table(tabbed) == [{"标题": "噪音, 扰民", "内容": "工地夜间施工"}]
    unknown = tmp_path / "history.json"
    unknown.write_text("{}", encoding="utf-8")
    with pytest.raises(ValidationFailed, match=r"\.tsv"):
        read_table(unknown)


def test_excels_escaped_carriage_returns_left_in_the_text_are_line_breaks_again(tmp_path):
    from openpyxl import Workbook

    from config.tables import read_table

    converted = tmp_path / "history.csv"
    converted.write_text("内容,编号\n1、楼盘存在隐患。_x000D_ 2、临时水电。_X000D_,x_001\n", encoding="utf-8")
    assert read_table(converted) == [{"内容": "1、楼盘存在隐患。\n 2、临时水电。\n", "编号": "x_001"}]
    workbook = Workbook()
    workbook.active.append(["内容"])
    workbook.active.append(["第一条_x000D_第二条_x000D_\n第三条"])
    spreadsheet = tmp_path / "history.xlsx"
    workbook.save(spreadsheet)
    assert read_table(spreadsheet) == [{"内容": "第一条\n第二条\n第三条"}]  # a CR LF is one line break
