"""What the auditors export (demands, events, figures) and how it is written (CSV, XLSX).

A source is a header, a row count and a row iterator; the writers do not know what they write,
so the same rows go to a streamed response or, for large exports, to a file a worker fills in
chunks (dispatch.services.exports). Contact details leave masked, as on every staff page."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from demands.models import Demand, DemandEvent
from demands.privacy import mask_phone
from dispatch.audit_figures import AuditFilters, FigureRow, department_rows, street_rows
from dispatch.models import ExportFormat, ExportKind

Row = list[Any]
# Characters that make a spreadsheet read a cell as a formula. Citizens write the titles, so a
# title such as "=HYPERLINK(...)" must stay text when an auditor opens the file.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class ExportSource:
    kind: str
    title: str
    header: list[str]
    count: Callable[[], int]
    rows: Callable[[], Iterator[Row]]


def filename(kind: str, fmt: str, filters: AuditFilters) -> str:
    return f"{kind}-{filters.date_from:%Y%m%d}-{filters.date_to:%Y%m%d}.{fmt}"


def _local(value: datetime | None) -> datetime | None:
    # Spreadsheets have no time zones: write the district's local time, without the zone.
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _demands(filters: AuditFilters) -> QuerySet[Demand]:
    demands = Demand.objects.filter(submitted_at__gte=filters.start, submitted_at__lt=filters.end)
    if filters.department_ids:
        demands = demands.filter(lead_department_id__in=filters.department_ids)
    if filters.street_ids:
        demands = demands.filter(street_id__in=filters.street_ids)
    return demands


def demand_source(filters: AuditFilters) -> ExportSource:
    header = [
        "受理编号", "渠道", "标题", "状态", "紧急程度", "街道", "社区", "事项编码", "清单版本",
        "主办部门", "提交时间", "办理期限", "答复时间", "办结时间", "满意度", "重办次数", "联系电话（脱敏）",
    ]  # fmt: skip
    demands = _demands(filters).select_related("street", "community", "matter", "list_version", "lead_department")

    def rows() -> Iterator[Row]:
        for d in demands.order_by("submitted_at", "pk").iterator(chunk_size=1000):
            yield [
                d.tracking_number, d.get_channel_display(), d.title, d.get_status_display(), d.get_urgency_display(),
                d.street.name if d.street else "", d.community.name if d.community else "",
                d.matter.code if d.matter else "", d.list_version.number if d.list_version else None,
                d.lead_department.name if d.lead_department else "", _local(d.submitted_at), _local(d.due_at),
                _local(d.replied_at), _local(d.closed_at), d.rating, d.reopen_count, mask_phone(d.citizen_phone),
            ]  # fmt: skip

    return ExportSource(ExportKind.DEMANDS, "诉求", header, demands.count, rows)


def event_source(filters: AuditFilters) -> ExportSource:
    events = DemandEvent.objects.filter(created_at__gte=filters.start, created_at__lt=filters.end)
    if filters.department_ids:
        events = events.filter(demand__lead_department_id__in=filters.department_ids)
    if filters.street_ids:
        events = events.filter(demand__street_id__in=filters.street_ids)
    events = events.select_related("demand", "department")

    def rows() -> Iterator[Row]:
        for e in events.order_by("created_at", "pk").iterator(chunk_size=2000):
            yield [
                e.demand.tracking_number, _local(e.created_at), e.get_action_display(),
                e.get_from_status_display() if e.from_status else "", e.get_to_status_display(),
                e.actor_label, e.department.name if e.department else "", e.reason,
            ]  # fmt: skip

    header = ["受理编号", "时间", "动作", "原状态", "新状态", "操作人", "部门", "原因"]
    return ExportSource(ExportKind.EVENTS, "事件日志", header, events.count, rows)


def _figure_row(dimension: str, row: FigureRow) -> Row:
    rate = row.on_time_rate
    return [
        dimension, row.name or "未定位", row.received, row.open, row.answered, row.on_time,
        round(rate, 4) if rate is not None else None, row.overdue, row.returns,
        round(row.rating, 2) if row.rating is not None else None,
    ]  # fmt: skip


def figure_source(filters: AuditFilters) -> ExportSource:
    header = ["维度", "名称", "收件", "在办", "已答复/办结", "按时答复", "按时率", "当前超期", "退单", "平均满意度"]

    def rows() -> Iterator[Row]:
        for row in department_rows(filters):
            yield _figure_row("部门", row)
        for row in street_rows(filters):
            yield _figure_row("街道", row)

    # A few dozen rows at most: counting them is as cheap as computing them.
    return ExportSource(ExportKind.FIGURES, "统计", header, lambda: sum(1 for _ in rows()), rows)


SOURCES: dict[str, Callable[[AuditFilters], ExportSource]] = {
    ExportKind.DEMANDS: demand_source,
    ExportKind.EVENTS: event_source,
    ExportKind.FIGURES: figure_source,
}


def source_for(kind: str, filters: AuditFilters) -> ExportSource:
    return SOURCES[kind](filters)


def _chinese(rows: Iterable[Row]) -> Iterator[Row]:
    # Files read the same whoever asked and in whatever language the page was: status and action
    # names are written in the platform's own language, also from a worker with no request.
    with translation.override(settings.LANGUAGE_CODE):
        yield from rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) and not isinstance(value, int | float) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(source: ExportSource, rows: Iterable[Row] | None = None) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so that Excel, which most district offices open these in, reads the Chinese right
    yield writer.writerow(source.header)
    for row in _chinese(source.rows() if rows is None else rows):
        yield writer.writerow([_text(value) for value in row])


def write_csv(source: ExportSource, out: IO[bytes], rows: Iterable[Row] | None = None) -> None:
    for line in csv_lines(source, rows):
        out.write(line.encode("utf-8"))


def write_xlsx(source: ExportSource, out: IO[bytes], rows: Iterable[Row] | None = None) -> None:
    """Write-only mode keeps memory flat: rows go to a temporary sheet file as they come."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(source.title)
    sheet.append(source.header)
    for row in _chinese(source.rows() if rows is None else rows):
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    book.save(out)


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # text, even though it starts like a formula
    return cell


WRITERS: dict[str, Callable[[ExportSource, IO[bytes], Iterable[Row] | None], None]] = {
    ExportFormat.CSV: write_csv,
    ExportFormat.XLSX: write_xlsx,
}
