"""A periodic report's downloads: a spreadsheet (XLSX) and a printable PDF with charts, both drawn
from the report's frozen figures only, so that a file downloaded today matches the one a district
office circulated on the day of publication."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from assessment.exports import FORMULA_START, _clean
from assessment.models import PeriodicReport
from assessment.reports import Comparison, report_comparison

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A CID font every PDF reader carries: the file needs no embedded font and stays small.
PDF_FONT = "STSong-Light"
PERCENT, SCORE, HOURS, COUNT, TEXT = "0.0%", "0.0", "0.0", "0", "@"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    number_format: str


def figure_columns() -> list[Column]:
    """The figures of a row of the frozen JSON (assessment.ranking.figures_json), in page order."""
    return [
        Column("received", _("派单"), COUNT),
        Column("response_rate", _("响应率"), PERCENT),
        Column("resolution_rate", _("解决率"), PERCENT),
        Column("satisfaction_rate", _("满意率"), PERCENT),
        Column("on_time_rate", _("按时办结率"), PERCENT),
        Column("return_rate", _("退单率"), PERCENT),
        Column("redispatch_rate", _("二次分拨率"), PERCENT),
        Column("reopen_rate", _("重办率"), PERCENT),
        Column("supervised", _("督办"), COUNT),
        Column("visits_answered", _("回访答复"), COUNT),
        Column("visits_unreachable", _("无法联系"), COUNT),
        Column("sign_hours_median", _("签收用时中位数（工作小时）"), HOURS),
        Column("sign_hours_p90", _("签收用时P90（工作小时）"), HOURS),
        Column("reply_hours_median", _("答复用时中位数（工作小时）"), HOURS),
        Column("reply_hours_p90", _("答复用时P90（工作小时）"), HOURS),
    ]


def report_title(report: PeriodicReport) -> str:
    return _("坪山区民生诉求考核%(kind)s：%(start)s 至 %(end)s") % {
        "kind": report.get_kind_display(),
        "start": report.period_start.strftime("%Y-%m-%d"),
        "end": report.period_end.strftime("%Y-%m-%d"),
    }


def filename(report: PeriodicReport, extension: str) -> str:
    return f"report-{report.kind}-{report.period_start:%Y%m%d}.{extension}"


def summary_lines(report: PeriodicReport) -> list[str]:
    """What a reader needs before the tables: who published it when, the weights, the appeals."""
    w = report.weights
    lines = [
        _("发布：%(when)s，%(who)s") % {
            "when": timezone.localtime(report.published_at).strftime("%Y-%m-%d %H:%M"),
            "who": report.published_by.get_full_name() or report.published_by.get_username(),
        },
        _(
            "综合评分 =（响应率 × %(r)s + 解决率 × %(s)s + 满意率 × %(t)s）÷ 权重之和 × 100，权重为“%(name)s”；"
            "期间派单少于 %(n)s 件或三率不全的部门列出但不参与排名。"
        ) % {"r": w["response"], "s": w["resolution"], "t": w["satisfaction"], "name": w["name"], "n": w["minimum_cases"]},
    ]  # fmt: skip
    lines.extend(appeal_lines(report))
    return lines


def appeal_lines(report: PeriodicReport) -> list[str]:
    lines = []
    if report.open_appeals:
        lines.append(_("发布时有 %(n)s 件本期诉求的考核申诉待裁定。") % {"n": report.open_appeals})
    if report.appeals_close_at:
        lines.append(
            _("本期申诉期至 %(when)s 结束。")
            % {"when": timezone.localtime(report.appeals_close_at).strftime("%Y-%m-%d %H:%M")}
        )
    if lines:
        lines.append(_("申诉成立后实时数字会变化，本报告保持发布时的数字。"))
    return lines


# --- XLSX --------------------------------------------------------------------------------------


def _put(sheet: Worksheet, row: int, column: int, value: Any, number_format: str | None = None) -> None:
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        value = _clean(value)
        cell.value = value
        if value.startswith(FORMULA_START):
            cell.data_type = "s"  # a department or street named "=…" stays text
    else:
        cell.value = value
    if number_format and isinstance(value, int | float):
        cell.number_format = number_format


def _sheet_title(text: str) -> str:
    # Sheet names hold at most 31 characters and none of []:*?/\ .
    return "".join(" " if char in "[]:*?/\\" else char for char in text)[:31]


def _table(sheet: Worksheet, first_row: int, header: list[str], rows: list[list[tuple[Any, str | None]]]) -> int:
    for column, label in enumerate(header, start=1):
        _put(sheet, first_row, column, label)
    for offset, cells in enumerate(rows, start=1):
        for column, (value, number_format) in enumerate(cells, start=1):
            _put(sheet, first_row + offset, column, value, number_format)
    for column, label in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = max(8, min(40, len(label) * 2 + 2))
    return first_row + len(rows)


def _ranking_sheet(book: Workbook, table: dict[str, Any]) -> None:
    sheet = book.create_sheet(_sheet_title(_("排名-%(type)s") % {"type": table["title"]}))
    columns = figure_columns()
    header = [_("名次"), _("部门"), _("综合评分"), *(c.label for c in columns)]
    rows = [
        [
            (row["rank"] if row["ranked"] else _("不排名"), None),
            (row["department"], None),
            (row["score"], SCORE),
            *((row[c.key], c.number_format) for c in columns),
        ]
        for row in table["rows"]
    ]
    last = _table(sheet, 1, header, rows)
    sheet.column_dimensions["B"].width = 36
    sheet.freeze_panes = "C2"
    if any(row["score"] is not None for row in table["rows"]):
        chart = BarChart()
        chart.type = "bar"  # horizontal: the department names are long
        chart.title = _("综合评分")
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
        chart.add_data(Reference(sheet, min_col=3, min_row=1, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=2, min_row=2, max_row=last))
        chart.legend = None
        chart.height, chart.width = max(6, 1 + 0.8 * len(rows)), 18
        sheet.add_chart(chart, f"A{last + 3}")


def _breakdown_sheet(book: Workbook, breakdown: dict[str, Any]) -> None:
    sheet = book.create_sheet(_sheet_title(_("按%(by)s") % {"by": breakdown["title"]}))
    columns = figure_columns()
    rows = [[(row["name"], None), *((row[c.key], c.number_format) for c in columns)] for row in breakdown["rows"]]
    _table(sheet, 1, [breakdown["title"], *(c.label for c in columns)], rows)
    sheet.column_dimensions["A"].width = 30
    sheet.freeze_panes = "B2"


def _comparison_sheet(book: Workbook, comparison: Comparison) -> None:
    sheet = book.create_sheet(_sheet_title(_("较上期")))
    previous = comparison.previous
    if previous is None:
        _put(sheet, 1, 1, _("没有更早发布的同类报告，无法比较。"))
        return
    _put(sheet, 1, 1, _("与上一期 %(start)s 至 %(end)s 的报告比较。") % period_of(previous))
    header = [
        _("部门类型"), _("部门"), _("本期评分"), _("上期评分"), _("评分变化"), _("本期名次"), _("上期名次"),
        _("响应率变化"), _("解决率变化"), _("满意率变化"), _("按时办结率变化"), _("说明"),
    ]  # fmt: skip
    rows = [
        [
            (table.title, None),
            (row.department, None),
            (row.score, SCORE),
            (row.previous_score, SCORE),
            (row.score_change, SCORE),
            (row.rank, COUNT),
            (row.previous_rank, COUNT),
            *(
                (row.changes[key], PERCENT)
                for key in ("response_rate", "resolution_rate", "satisfaction_rate", "on_time_rate")
            ),
            (presence_label(row.presence), None),
        ]
        for table in comparison.tables
        for row in table.rows
    ]
    _table(sheet, 3, header, rows)
    sheet.column_dimensions["B"].width = 36


def presence_label(presence: str) -> str:
    return {"new": _("本期新增"), "absent": _("本期无派单")}.get(presence, "")


def period_of(report: PeriodicReport) -> dict[str, str]:
    return {"start": report.period_start.strftime("%Y-%m-%d"), "end": report.period_end.strftime("%Y-%m-%d")}


def report_xlsx(report: PeriodicReport) -> bytes:
    figures = report.figures
    book = Workbook()
    summary = book.active
    summary.title = _sheet_title(_("概要"))
    for row, line in enumerate([report_title(report), *summary_lines(report)], start=1):
        _put(summary, row, 1, line)
    summary.column_dimensions["A"].width = 120
    for table in figures["ranking"]["tables"]:
        _ranking_sheet(book, table)
    for breakdown in figures["breakdowns"]:
        _breakdown_sheet(book, breakdown)
    _comparison_sheet(book, report_comparison(report))
    definitions = book.create_sheet(_sheet_title(_("指标口径")))
    for row, definition in enumerate(figures["definitions"], start=1):
        _put(definitions, row, 1, definition["text"])
    definitions.column_dimensions["A"].width = 120
    out = BytesIO()
    book.save(out)
    return out.getvalue()


# --- PDF ---------------------------------------------------------------------------------------


def _font() -> str:
    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    return PDF_FONT


def _styles() -> dict[str, ParagraphStyle]:
    font = _font()
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=16, leading=22, spaceAfter=6),
        "h2": ParagraphStyle("h2", fontName=font, fontSize=12, leading=18, spaceBefore=10, spaceAfter=4),
        "body": ParagraphStyle("body", fontName=font, fontSize=9, leading=13),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=9.5),
    }


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _signed(value: float | None, percent: bool = False) -> str:
    if value is None:
        return "—"
    shown = f"{value * 100:.1f}" if percent else f"{value:.1f}"
    return shown if value < 0 else f"+{shown}"


def _pdf_table(header: list[str], rows: list[list[str]], widths: list[float], cell: ParagraphStyle) -> Table:
    data = [[Paragraph(text, cell) for text in header], *([Paragraph(text, cell) for text in row] for row in rows)]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def _escape(text: Any) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _score_drawing(rows: list[dict[str, Any]], width: float) -> Drawing | None:
    scored = [r for r in rows if r["score"] is not None]
    if not scored:
        return None
    font = _font()
    bar_h = 14
    height = len(scored) * bar_h + 40
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 170, 20
    chart.width, chart.height = width - 200, height - 30
    # The first department at the top, as in the table.
    chart.data = [[r["score"] for r in reversed(scored)]]
    chart.categoryAxis.categoryNames = [r["department"] for r in reversed(scored)]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7.5
    chart.bars[0].fillColor = colors.HexColor("#2f6db5")
    chart.barLabelFormat = "%.1f"
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    drawing.add(String(170, 4, _("综合评分（0–100）"), fontName=font, fontSize=7.5))
    return drawing


def _ranking_flowables(report: PeriodicReport, styles: dict[str, ParagraphStyle], width: float) -> list[Flowable]:
    comparison = {row.department_id: row for table in report_comparison(report).tables for row in table.rows}
    flowables: list[Flowable] = []
    header = [
        _("名次"), _("部门"), _("综合评分"), _("较上期"), _("派单"), _("响应率"), _("解决率"), _("满意率"),
        _("按时办结率"), _("退单率"), _("重办率"), _("督办"),
    ]  # fmt: skip
    widths = [14 * mm, 62 * mm, *([17 * mm] * 10)]
    for table in report.figures["ranking"]["tables"]:
        flowables.append(Paragraph(_escape(table["title"]), styles["h2"]))
        if not table["rows"]:
            flowables.append(Paragraph(_("期间内本类部门暂无派单或回访。"), styles["body"]))
            continue
        rows = []
        for row in table["rows"]:
            compared = comparison.get(row["department_id"])
            rows.append(
                [
                    str(row["rank"]) if row["ranked"] else _("不排名"),
                    _escape(row["department"]),
                    _number(row["score"]),
                    _signed(compared.score_change) if compared else "—",
                    str(row["received"]),
                    _percent(row["response_rate"]),
                    _percent(row["resolution_rate"]),
                    _percent(row["satisfaction_rate"]),
                    _percent(row["on_time_rate"]),
                    _percent(row["return_rate"]),
                    _percent(row["reopen_rate"]),
                    str(row["supervised"]),
                ]
            )
        flowables.append(_pdf_table(header, rows, widths, styles["cell"]))
        if drawing := _score_drawing(table["rows"], width):
            flowables.extend([Spacer(1, 4), drawing])
    return flowables


def _breakdown_flowables(report: PeriodicReport, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    flowables: list[Flowable] = []
    keys = ("received", "response_rate", "resolution_rate", "satisfaction_rate", "on_time_rate", "return_rate")
    header_of = {c.key: c.label for c in figure_columns()}
    for breakdown in report.figures["breakdowns"]:
        flowables.append(Paragraph(_escape(_("按%(label)s统计") % {"label": breakdown["title"]}), styles["h2"]))
        rows = [
            [_escape(row["name"]), *(str(row[k]) if k == "received" else _percent(row[k]) for k in keys)]
            for row in breakdown["rows"]
        ]
        if not rows:
            flowables.append(Paragraph(_("暂无数据。"), styles["body"]))
            continue
        widths = [70 * mm, *([24 * mm] * len(keys))]
        flowables.append(_pdf_table([breakdown["title"], *(header_of[k] for k in keys)], rows, widths, styles["cell"]))
    return flowables


def _page_number(title: str) -> Callable[[Canvas, Any], None]:
    def draw(canvas: Canvas, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(_font(), 8)
        width, _height = doc.pagesize
        canvas.drawString(doc.leftMargin, 8 * mm, title)
        canvas.drawRightString(width - doc.rightMargin, 8 * mm, _("第 %(page)s 页") % {"page": doc.page})
        canvas.restoreState()

    return draw


def report_pdf(report: PeriodicReport) -> bytes:
    styles = _styles()
    out = BytesIO()
    title = report_title(report)
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=16 * mm,
        title=title,
        author=report.published_by.get_username(),
    )
    story: list[Flowable] = [Paragraph(_escape(title), styles["title"])]
    story.extend(Paragraph(_escape(line), styles["body"]) for line in summary_lines(report))
    story.extend(_ranking_flowables(report, styles, doc.width))
    story.extend(_breakdown_flowables(report, styles))
    story.append(Paragraph(_("指标口径"), styles["h2"]))
    story.extend(Paragraph(_escape(d["text"]), styles["body"]) for d in report.figures["definitions"])
    footer = _page_number(title)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
