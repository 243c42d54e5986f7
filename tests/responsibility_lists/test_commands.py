from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from responsibility_lists.models import ListVersion, Matter


def test_export_import_diff_on_the_command_line(district, tmp_path, capsys):
    for suffix in ("xlsx", "csv"):
        path = tmp_path / f"v1.{suffix}"
        call_command("export_responsibility_list", "1", str(path))
        call_command("import_responsibility_list", str(path), "--title", f"往返 {suffix}")
    capsys.readouterr()
    call_command("diff_responsibility_lists", "1", "2")
    assert "+0 −0 ~0" in capsys.readouterr().out
    draft = ListVersion.objects.get(number=3)
    Matter.objects.filter(version=draft, code="PS-0101-001").update(name="占道经营及店外经营查处")
    call_command("diff_responsibility_lists", "1", "3", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["changed"] == [
        {"code": "PS-0101-001", "name": "占道经营及店外经营查处",
         "changes": [{"field": "事项名称", "old": "占道经营查处", "new": "占道经营及店外经营查处"}]}
    ]  # fmt: skip


def test_import_of_a_bad_file_fails_naming_the_rows(district, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    call_command("export_responsibility_list", "1", str(path))
    text = path.read_text(encoding="utf-8-sig").replace("坪山区城市管理和综合执法局", "城管委")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match="未导入任何内容"):
        call_command("import_responsibility_list", str(path))
    assert "第2行：主责部门「城管委」不存在" in capsys.readouterr().err
    assert ListVersion.objects.count() == 1


def test_admin_cannot_change_a_published_matter(district, admin_client):
    matter = district.matters["stall"]
    url = f"/admin/responsibility_lists/matter/{matter.pk}/change/"
    response = admin_client.post(url, {"name": "改名"})
    assert response.status_code == 403
    matter.refresh_from_db()
    assert matter.name == "占道经营查处"
