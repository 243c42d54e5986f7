"""What the auditors export (demands, events, figures) and how it is written (CSV, XLSX).

A source is a header, a row count and a row iterator; the writers do not know what they write,
so the same rows go to a streamed response or, for large exports, to a file a worker fills in
chunks (assessment.export_jobs). Contact details leave masked, as on every staff page.

A file is written in the language the auditor asked in (the page's), which a background job keeps
for its worker: headers, status, action and actor names, the figures' dimensions, and the reasons
the system wrote (a routing suggestion's, its fixed and worded sentences). What people wrote
(titles, their own reasons, names) stays as written."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import chain, islice
from typing import IO, Any

from django.conf import settings
from django.db.models import Field, Model, QuerySet
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from assessment.dispatch_quality import FirstDispatchRow, first_dispatch_rows, of_chosen_departments
from assessment.figures import AuditFilters, FigureRow, department_rows, street_rows
from assessment.models import ExportFormat, ExportKind
from demands.models import Demand, DemandEvent, contact_fields
from demands.privacy import mask_phone
from routing.reasons import describe

Row = list[Any]
TRACKING_NUMBER = gettext_lazy("受理编号")
# Characters that make a spreadsheet read a cell as a formula. Citizens write the titles, so a
# title such as "=HYPERLINK(...)" must stay text when an auditor opens the file.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES: dict[str, str] = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class ExportSource:
    kind: str
    title: str | Promise
    header: Sequence[str | Promise]
    count: Callable[[], int]
    rows: Callable[[], Iterator[Row]]
    # Columns holding a share (0–1): a spreadsheet shows them as percentages.
    percent_columns: frozenset[int] = frozenset()


def filename(kind: str, fmt: str, filters: AuditFilters) -> str:
    return f"{kind}-{filters.date_from:%Y%m%d}-{filters.date_to:%Y%m%d}.{fmt}"


def _local(value: datetime | None) -> datetime | None:
    # Spreadsheets have no time zones: write the district's local time, without the zone.
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _labels(model: type[Model], field: str) -> Callable[[Any], Any]:
    """The field's choices as text in the language being written, as get_FOO_display() gives
    them. Read once per export: get_FOO_display() hashes every lazy label again on each call,
    which was more than half of a large export's time."""
    choices = model._meta.get_field(field)
    assert isinstance(choices, Field)
    labels = {value: str(label) for value, label in choices.flatchoices}
    return lambda value: labels.get(value, value)


def _demands(filters: AuditFilters) -> QuerySet[Demand]:
    demands = Demand.objects.filter(submitted_at__gte=filters.start, submitted_at__lt=filters.end)
    if filters.department_ids:
        demands = demands.filter(lead_department_id__in=filters.department_ids)
    if filters.street_ids:
        demands = demands.filter(street_id__in=filters.street_ids)
    return demands


def demand_source(filters: AuditFilters) -> ExportSource:
    header = [
        TRACKING_NUMBER, gettext_lazy("渠道"), gettext_lazy("标题"), gettext_lazy("状态"), gettext_lazy("紧急程度"),
        gettext_lazy("街道"), gettext_lazy("社区"), gettext_lazy("事项编码"), gettext_lazy("清单版本"),
        gettext_lazy("主办部门"), gettext_lazy("提交时间"), gettext_lazy("办理期限"), gettext_lazy("答复时间"),
        gettext_lazy("办结时间"), gettext_lazy("满意度"), gettext_lazy("重办次数"), gettext_lazy("诉求类型"),
        gettext_lazy("联系电话（脱敏）"),
    ]  # fmt: skip
    demands = _demands(filters).select_related("street", "community", "matter", "list_version", "lead_department")
    # Only the phone is shown (masked): the name and address stay encrypted, unread.
    demands = demands.defer("citizen_name", "citizen_address")

    def rows() -> Iterator[Row]:
        channel, status, urgency, demand_type = (
            _labels(Demand, name) for name in ("channel", "status", "urgency", "demand_type")
        )
        for d in demands.order_by("submitted_at", "pk").iterator(chunk_size=1000):
            yield [
                d.tracking_number, channel(d.channel), d.title, status(d.status), urgency(d.urgency),
                d.street.name if d.street else "", d.community.name if d.community else "",
                d.matter.code if d.matter else "", d.list_version.number if d.list_version else None,
                d.lead_department.name if d.lead_department else "", _local(d.submitted_at), _local(d.due_at),
                _local(d.replied_at), _local(d.closed_at), d.rating, d.reopen_count, demand_type(d.demand_type),
                mask_phone(d.citizen_phone),
            ]  # fmt: skip

    return ExportSource(ExportKind.DEMANDS, pgettext_lazy("sheet", "诉求"), header, demands.count, rows)


def event_source(filters: AuditFilters) -> ExportSource:
    events = DemandEvent.objects.filter(created_at__gte=filters.start, created_at__lt=filters.end)
    if filters.department_ids:
        events = events.filter(demand__lead_department_id__in=filters.department_ids)
    if filters.street_ids:
        events = events.filter(demand__street_id__in=filters.street_ids)
    events = events.select_related("demand", "department").defer(*contact_fields("demand__"))

    def rows() -> Iterator[Row]:
        action, from_status, to_status = (_labels(DemandEvent, name) for name in ("action", "from_status", "to_status"))
        for e in events.order_by("created_at", "pk").iterator(chunk_size=2000):
            yield [
                e.demand.tracking_number, _local(e.created_at), action(e.action),
                from_status(e.from_status) if e.from_status else "", to_status(e.to_status),
                e.actor_display, e.department.name if e.department else "", _event_reason(e),
            ]  # fmt: skip

    header = [
        TRACKING_NUMBER, gettext_lazy("时间"), gettext_lazy("动作"), gettext_lazy("原状态"), gettext_lazy("新状态"),
        gettext_lazy("操作人"), gettext_lazy("部门"), gettext_lazy("原因"),
    ]  # fmt: skip
    return ExportSource(ExportKind.EVENTS, gettext_lazy("事件日志"), header, events.count, rows)


def _event_reason(event: DemandEvent) -> str:
    # As on the case timeline: what the system wrote (a routing suggestion's reasons, its fixed and
    # worded sentences) in the file's language; what a person wrote stays as written.
    reasons = (event.data or {}).get("reasons")
    return describe(reasons) if reasons else event.reason_for_reader


def _figure_row(dimension: str, row: FigureRow) -> Row:
    rate = row.on_time_rate
    return [
        dimension, row.name or _("未定位"), row.received, row.open, row.answered, row.on_time, row.due,
        round(rate, 4) if rate is not None else None, row.overdue, row.returns,
        round(row.rating, 2) if row.rating is not None else None,
    ]  # fmt: skip


def _quality_row(dimension: str, row: FirstDispatchRow) -> Row:
    def share(value: float | None) -> float | None:
        return round(value, 4) if value is not None else None

    return [
        dimension, row.name, row.dispatched, row.answered, row.first_dispatch_right,
        share(row.first_dispatch_accuracy), row.redispatched, share(row.second_dispatch_rate), row.returned,
        share(row.return_rate),
    ]  # fmt: skip


def dispatch_quality_source(filters: AuditFilters) -> ExportSource:
    """The audit page's dispatch quality: the district, then per department and per matter of the
    first dispatch (every matter, not only the page's forty)."""
    header = [
        gettext_lazy("维度"), gettext_lazy("名称"), gettext_lazy("首派件数"), gettext_lazy("已答复/办结"),
        gettext_lazy("仍由首派部门答复"), gettext_lazy("首次分拨准确率"), gettext_lazy("二次分拨"),
        gettext_lazy("二次分拨率"), gettext_lazy("首派部门退单"), gettext_lazy("退单率"),
    ]  # fmt: skip

    def rows() -> Iterator[Row]:
        departments = first_dispatch_rows(filters, by="department")
        # Each dispatched demand has one first department, so the district is their sum.
        district = FirstDispatchRow(
            key=None,
            name=_("全区"),
            **{
                name: sum(getattr(r, name) for r in departments)
                for name in ("dispatched", "answered", "first_dispatch_right", "redispatched", "returned")
            },
        )
        yield _quality_row(_("全区"), district)
        # Chosen departments narrow their rows, as on the page; the district and the matters stay
        # the whole district's.
        for row in of_chosen_departments(departments, filters):
            yield _quality_row(_("首派部门"), row)
        for row in first_dispatch_rows(filters, by="matter"):
            yield _quality_row(_("首派事项"), replace(row, name=row.name or _("未定事项")))

    return ExportSource(
        ExportKind.DISPATCH_QUALITY,
        gettext_lazy("分拨质量"),
        header,
        lambda: sum(1 for _row in rows()),
        rows,
        percent_columns=frozenset({5, 7, 9}),
    )


def figure_source(filters: AuditFilters) -> ExportSource:
    header = [
        gettext_lazy("维度"), gettext_lazy("名称"), gettext_lazy("收件"), gettext_lazy("在办"),
        gettext_lazy("已答复/办结"), gettext_lazy("按时答复"), gettext_lazy("到期（已答复 + 当前超期）"),
        gettext_lazy("按时率"), gettext_lazy("当前超期"),
        pgettext_lazy("export column", "退单"), gettext_lazy("平均满意度"),
    ]  # fmt: skip

    def rows() -> Iterator[Row]:
        for row in department_rows(filters):
            yield _figure_row(_("部门"), row)
        for row in street_rows(filters):
            yield _figure_row(_("街道"), row)

    # A few dozen rows at most: counting them is as cheap as computing them.
    return ExportSource(
        ExportKind.FIGURES,
        gettext_lazy("统计"),
        header,
        lambda: sum(1 for _row in rows()),
        rows,
        percent_columns=frozenset({7}),
    )


SOURCES: dict[str, Callable[[AuditFilters], ExportSource]] = {
    ExportKind.DEMANDS: demand_source,
    ExportKind.EVENTS: event_source,
    ExportKind.FIGURES: figure_source,
    ExportKind.DISPATCH_QUALITY: dispatch_quality_source,
}


def source_for(kind: str, filters: AuditFilters) -> ExportSource:
    return SOURCES[kind](filters)


def file_language(language: str | None) -> str:
    """The language a file is written in: the one asked for where the platform speaks it, else the
    language of record."""
    known = {code for code, _name in settings.LANGUAGES}
    return language if language in known else settings.LANGUAGE_CODE


def _lines(source: ExportSource, rows: Iterable[Row] | None, language: str | None) -> Iterator[list[Any]]:
    # The header and every row are read under the file's language, also from a worker with no
    # request and from a streamed response read after its view has returned.
    with translation.override(file_language(language)):
        yield [
            PERCENT_HEADER % {"column": name} if number in source.percent_columns else str(name)
            for number, name in enumerate(source.header)
        ]
        yield from source.rows() if rows is None else rows


# Shares are percentages in every file, and their column says so: a spreadsheet cell formatted as
# a percentage, a CSV number such as 87.5 (a fraction in one file and a percentage in another
# was read wrongly).
PERCENT_HEADER = gettext_lazy("%(column)s（%%）")


def _percent(value: Any) -> Any:
    return round(value * 100, 1) if isinstance(value, float) else value


def _clean(text: str) -> str:
    """The text without the control characters a spreadsheet cannot hold (\\x01, \\x0b…, as a
    paste from another program brings into a title): openpyxl refuses them, which failed the
    whole file. Removed before the formula check, so that "\\x01=HYPERLINK(…)" stays text too."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    text = str(value) if isinstance(value, int | float) else _clean(str(value))
    return "'" + text if text.startswith(FORMULA_START) and not isinstance(value, int | float) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(source: ExportSource, rows: Iterable[Row] | None = None, language: str | None = None) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so that Excel, which most district offices open these in, reads the Chinese right
    lines = _lines(source, rows, language)
    yield writer.writerow(next(lines))
    for row in lines:
        yield writer.writerow(
            [_text(_percent(value) if n in source.percent_columns else value) for n, value in enumerate(row)]
        )


def write_csv(
    source: ExportSource, out: IO[bytes], rows: Iterable[Row] | None = None, language: str | None = None
) -> None:
    for line in csv_lines(source, rows, language):
        out.write(line.encode("utf-8"))


def write_xlsx(
    source: ExportSource, out: IO[bytes], rows: Iterable[Row] | None = None, language: str | None = None
) -> None:
    """Write-only mode keeps memory flat: rows go to a temporary sheet file as they come. Its
    column widths must be set before the first row, so they are measured on the header and the
    first rows (a few hundred are read ahead; the rest stream as before)."""
    book = Workbook(write_only=True)
    lines = _lines(source, rows, language)
    header = next(lines)
    ahead = list(islice(lines, WIDTH_SAMPLE_ROWS))
    with translation.override(file_language(language)):
        sheet = book.create_sheet(str(source.title))
    sheet.freeze_panes = "A2"  # the header stays in view while scrolling
    for number, width in enumerate(_column_widths(header, ahead), start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    sheet.append([_xlsx_cell(sheet, name) for name in header])
    for row in chain(ahead, lines):
        sheet.append([_xlsx_cell(sheet, value, column in source.percent_columns) for column, value in enumerate(row)])
    book.save(out)


WIDTH_SAMPLE_ROWS = 500
WIDEST_COLUMN = 60  # long texts (a demand's content) wrap in the cell rather than push the sheet wide


def _shown_width(value: Any) -> int:
    """How many character widths a value takes in a spreadsheet cell: CJK characters count double,
    a date and time takes its full 'YYYY-MM-DD HH:MM:SS', a percentage its '100.0%'."""
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 19
    if isinstance(value, float):
        return max(6, len(f"{value:.4f}"))
    return sum(2 if ord(char) > 0x2E80 else 1 for char in str(value))


def _column_widths(header: list[Any], rows: list[Row]) -> list[float]:
    widths: list[float] = []
    for number, name in enumerate(header):
        widest = max([_shown_width(name), *(_shown_width(row[number]) for row in rows if number < len(row))])
        widths.append(min(WIDEST_COLUMN, max(6, widest + 2)))
    return widths


def _xlsx_cell(sheet: Any, value: Any, percent: bool = False) -> Any:
    if percent and isinstance(value, float):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "0.0%"
        return cell
    if isinstance(value, Promise):
        value = str(value)
    if not isinstance(value, str):
        return value
    value = _clean(value)
    if not value.startswith(FORMULA_START):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # text, even though it starts like a formula
    return cell


WRITERS: dict[str, Callable[[ExportSource, IO[bytes], Iterable[Row] | None, str | None], None]] = {
    ExportFormat.CSV: write_csv,
    ExportFormat.XLSX: write_xlsx,
}
