"""Each matter says what share of the lead's handling time its assisting departments get: edited on
a draft, shown, compared, imported and exported with the list, frozen once published, and followed
by the dispatches made under the version."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from departments.working_time import current_clock
from dispatch.models import Assignment
from responsibility_lists.list_io import ASSIST_SHARE_COLUMN, parse_rows, rows_of
from responsibility_lists.models import ListVersion, Matter
from responsibility_lists.services import version_import
from tests.responsibility_lists.test_pages import _edit_form
from tests.staff import latest_lead, logged_in


def test_a_maintainer_sets_the_share_on_a_draft_and_dispatches_follow_it(district, submit):
    maintainer = logged_in(district.users["maintainer"])
    maintainer.post("/list/versions/new-draft/")
    draft = ListVersion.objects.get(status="draft")
    noise = Matter.objects.get(version=draft, code="PS-0201-001")
    assert noise.assist_share_percent == 50  # copied from the published version
    page = f"/list/v{draft.number}/matters/{noise.code}/"
    assert 'name="assist_share_percent"' in maintainer.get(page).content.decode()
    refused = maintainer.post(page, _edit_form(noise, assist_share_percent="5"))
    assert refused.status_code == 200 and Matter.objects.get(pk=noise.pk).assist_share_percent == 50
    maintainer.post(page, _edit_form(noise, assist_share_percent="60"))
    assert Matter.objects.get(pk=noise.pk).assist_share_percent == 60
    diff = maintainer.get(f"/list/diff/?a=1&b={draft.number}").content.decode()
    assert ASSIST_SHARE_COLUMN in diff

    maintainer.post(f"/list/v{draft.number}/publish/", {"effective_from": ""})
    assert "主办办理时限的 60%" in maintainer.get(page).content.decode()
    # Published: the database itself refuses a change of the share (its triggers survived the
    # migration that added the column).
    with pytest.raises(Exception, match="published"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE responsibility_lists_matter SET assist_share_percent = 70 WHERE id = %s", [noise.pk])

    demand = submit().demand
    lead, assist = latest_lead(demand), Assignment.objects.get(demand=demand, role="assist")
    assert lead.matter_id == noise.pk
    clock = current_clock()
    lead_hours = clock.working_hours_between(lead.dispatched_at, lead.handle_deadline)
    assist_hours = clock.working_hours_between(assist.dispatched_at, assist.handle_deadline)
    assert assist_hours == pytest.approx(lead_hours * 0.6, abs=0.05)


def test_the_share_goes_out_and_comes_back_with_the_list(district):
    rows = rows_of(district.version)
    assert {row[ASSIST_SHARE_COLUMN] for row in rows} == {"50"}
    rows[1][ASSIST_SHARE_COLUMN] = "70%"
    rows[2][ASSIST_SHARE_COLUMN] = ""  # blank: the default
    imported = version_import(rows=rows, actor=district.users["maintainer"], title="带协办比例")
    shares = dict(Matter.objects.filter(version=imported).values_list("code", "assist_share_percent"))
    assert shares[rows[1]["事项编码"]] == 70 and shares[rows[2]["事项编码"]] == 50


def test_a_share_out_of_range_is_a_row_error(district):
    rows = rows_of(district.version)
    rows[0][ASSIST_SHARE_COLUMN] = "5"
    rows[1][ASSIST_SHARE_COLUMN] = "一半"
    _parsed, errors = parse_rows(rows)
    assert [e.row for e in errors] == [2, 3]
    assert all(ASSIST_SHARE_COLUMN in e.reason for e in errors)


def test_the_sample_list_gives_every_matter_a_share():
    from responsibility_lists.list_io import read_csv
    from responsibility_lists.management.commands.load_sample_district import SAMPLE_DIR

    shares = {row[ASSIST_SHARE_COLUMN] for row in read_csv(SAMPLE_DIR / "matters.csv")}
    assert shares == {"40", "50", "60"}
