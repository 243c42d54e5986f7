"""The list in the layout districts publish (大类, 小类, 事项编码, …) read into a new draft.

Reading is all or nothing: every row is checked first, and a file with any bad row imports
nothing and names each bad row with its number and reason."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from config.columns import max_length
from config.errors import ValidationFailed
from config.tables import xlsx_rows
from departments.models import Department
from responsibility_lists.models import (
    DEFAULT_ASSIST_SHARE_PERCENT,
    MIN_ASSIST_SHARE_PERCENT,
    Category,
    ListVersion,
    Matter,
    Urgency,
)

# Optional: the assisting departments' share of the lead's handling time, in per cent.
ASSIST_SHARE_COLUMN = "协办时限占比"
COLUMNS = [
    "大类",
    "小类",
    "事项编码",
    "事项名称",
    "事项描述",
    "关键词",
    "排除词",
    "主责部门",
    "协办部门",
    "签收时限",
    "办理时限",
    ASSIST_SHARE_COLUMN,
    "法律依据",
    "办理指引",
]
REQUIRED_COLUMNS = ["大类", "小类", "事项编码", "事项名称", "关键词", "主责部门", "签收时限", "办理时限"]
TERRITORIAL = "属地"
CODE_PATTERN = re.compile(r"^[A-Z]{1,8}-\d{4}-\d{3}$")
URGENCY_ORDER = (Urgency.NORMAL, Urgency.URGENT, Urgency.CRITICAL)
_SEPARATORS = re.compile(r"[、,，;；/\s]+")


@dataclass
class RowError:
    row: int  # as a person counts in the spreadsheet: the header is row 1
    reason: str

    def __str__(self) -> str:
        return _("第%(row)s行：%(problems)s") % {"row": self.row, "problems": self.reason}


@dataclass
class MatterRow:
    row: int
    top_category: str
    sub_category: str
    code: str
    name: str
    description: str
    keywords: list[str]
    exclusions: list[str]
    lead: Department | None
    territorial: bool
    assisting: list[Department]
    assisted_by_territory: bool
    sign_hours: dict[str, Decimal] = field(default_factory=dict)
    handle_days: dict[str, Decimal] = field(default_factory=dict)
    assist_share_percent: int = DEFAULT_ASSIST_SHARE_PERCENT
    legal_basis: str = ""
    guidance: str = ""


# What the columns are stored in: a longer value is a row error, not a failed write.
TEXT_LIMITS = {
    "大类": max_length(Category, "name"),
    "小类": max_length(Category, "name"),
    "事项名称": max_length(Matter, "name"),
}
LIMIT_CEILING = Decimal(10) ** (Matter._meta.get_field("handle_days_normal").max_digits - 2)  # numeric(6, 2)


def split_words(value: str) -> list[str]:
    words = [w.strip() for w in re.split(r"[、,，;；\n]+", value or "") if w.strip()]
    return list(dict.fromkeys(words))  # drop repeats, keep order


def parse_limits(value: str) -> dict[str, Decimal]:
    """`4/2/0.5` → 一般 4, 紧急 2, 特急 0.5; each positive and none longer than a less urgent one."""
    parts = [p for p in re.split(r"[/／]", (value or "").strip()) if p.strip()]
    if len(parts) != 3:
        raise ValueError(_("「%(value)s」应写作 一般/紧急/特急 三个数，如 4/2/0.5") % {"value": value})
    try:
        numbers = [Decimal(p.strip()) for p in parts]
    except InvalidOperation as exc:
        raise ValueError(_("「%(value)s」含有不是数字的部分") % {"value": value}) from exc
    if any(n <= 0 for n in numbers):
        raise ValueError(_("「%(value)s」中的时限须大于0") % {"value": value})
    if any(n >= LIMIT_CEILING for n in numbers):
        raise ValueError(_("「%(value)s」中的时限须小于%(ceiling)s") % {"value": value, "ceiling": LIMIT_CEILING})
    if not numbers[0] >= numbers[1] >= numbers[2]:
        raise ValueError(_("「%(value)s」中越紧急时限应越短") % {"value": value})
    return dict(zip(URGENCY_ORDER, numbers, strict=True))


def parse_share(value: str) -> int:
    """`60` or `60%` → 60; blank → the default share."""
    text = (value or "").strip().rstrip("%％").strip()
    if not text:
        return DEFAULT_ASSIST_SHARE_PERCENT
    if not text.isdigit() or not MIN_ASSIST_SHARE_PERCENT <= int(text) <= 100:
        raise ValueError(
            _("「%(value)s」应为%(low)s到100之间的整数（百分比）") % {"value": value, "low": MIN_ASSIST_SHARE_PERCENT}
        )
    return int(text)


def parse_rows(
    rows: Iterable[Mapping[str, str]], progress: Callable[[int], None] | None = None
) -> tuple[list[MatterRow], list[RowError]]:
    departments = {d.name: d for d in Department.objects.filter(is_active=True)}
    departments.update({d.short_name: d for d in departments.values() if d.short_name})
    parsed: list[MatterRow] = []
    errors: list[RowError] = []
    seen_codes: dict[str, int] = {}
    for index, raw in enumerate(rows, start=2):
        if progress is not None and index % 200 == 0:
            progress(index - 1)
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        problems = [_("缺少「%(column)s」") % {"column": col} for col in REQUIRED_COLUMNS if not row.get(col)]
        code = row.get("事项编码", "")
        if code and not CODE_PATTERN.match(code):
            problems.append(_("事项编码「%(code)s」格式应为 PS-0102-003") % {"code": code})
        if code in seen_codes:
            problems.append(_("事项编码「%(code)s」与第%(row)s行重复") % {"code": code, "row": seen_codes[code]})
        elif code:
            seen_codes[code] = index
        for column, longest in TEXT_LIMITS.items():
            if len(row.get(column, "")) > longest:
                problems.append(_("「%(column)s」不能超过%(n)s个字") % {"column": column, "n": longest})
        lead_name = row.get("主责部门", "")
        lead = departments.get(lead_name)
        territorial = lead_name == TERRITORIAL
        if lead_name and not territorial and lead is None:
            problems.append(_("主责部门「%(name)s」不存在") % {"name": lead_name})
        assisting: list[Department] = []
        assisted_by_territory = False
        for name in split_words(row.get("协办部门", "")):
            if name == TERRITORIAL:
                assisted_by_territory = True
            elif name in departments:
                assisting.append(departments[name])
            else:
                problems.append(_("协办部门「%(name)s」不存在") % {"name": name})
        limits: dict[str, dict[str, Decimal]] = {}
        for column in ("签收时限", "办理时限"):
            if row.get(column):
                try:
                    limits[column] = parse_limits(row[column])
                except ValueError as exc:
                    problems.append(_("%(column)s%(problem)s") % {"column": column, "problem": exc})
        share = DEFAULT_ASSIST_SHARE_PERCENT
        try:
            share = parse_share(row.get(ASSIST_SHARE_COLUMN, ""))
        except ValueError as exc:
            problems.append(_("%(column)s%(problem)s") % {"column": ASSIST_SHARE_COLUMN, "problem": exc})
        if problems:
            errors.append(RowError(index, "；".join(problems)))
            continue
        parsed.append(
            MatterRow(
                row=index,
                top_category=row["大类"],
                sub_category=row["小类"],
                code=code,
                name=row["事项名称"],
                description=row.get("事项描述", ""),
                keywords=split_words(row["关键词"]),
                exclusions=split_words(row.get("排除词", "")),
                lead=lead,
                territorial=territorial,
                assisting=assisting,
                assisted_by_territory=assisted_by_territory,
                sign_hours=limits["签收时限"],
                handle_days=limits["办理时限"],
                assist_share_percent=share,
                legal_basis=row.get("法律依据", ""),
                guidance=row.get("办理指引", ""),
            )
        )
    return parsed, errors


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return read_csv_text(handle)


def read_csv_text(handle) -> list[dict[str, str]]:
    reader = csv.DictReader(handle)
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValidationFailed(_("表头缺少列：%(columns)s") % {"columns": "、".join(missing)})
    return list(reader)


@transaction.atomic
def create_draft_from_rows(
    rows: Iterable[Mapping[str, str]],
    *,
    title: str,
    based_on: ListVersion | None = None,
    number: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> ListVersion:
    """A new draft holding exactly the rows; refuses the whole file when any row is bad."""
    parsed, errors = parse_rows(rows, progress)
    if errors:
        raise ValidationFailed(
            _("清单有%(count)s行错误，未导入任何内容。") % {"count": len(errors)},
            extra={"rows": [str(e) for e in errors]},
        )
    if not parsed:
        raise ValidationFailed(_("文件中没有事项。"))
    if number is None:
        number = (ListVersion.objects.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = ListVersion.objects.create(number=number, title=title, based_on=based_on)
    tops: dict[str, Category] = {}
    subs: dict[tuple[str, str], Category] = {}
    for item in parsed:
        if item.top_category not in tops:
            tops[item.top_category] = Category.objects.create(
                version=version, name=item.top_category, position=len(tops)
            )
        key = (item.top_category, item.sub_category)
        if key not in subs:
            subs[key] = Category.objects.create(
                version=version, parent=tops[item.top_category], name=item.sub_category, position=len(subs)
            )
    # Thousands of matters: one insert for them and one for their assisting departments.
    matters = Matter.objects.bulk_create(
        [
            Matter(
                version=version,
                category=subs[(item.top_category, item.sub_category)],
                code=item.code,
                name=item.name,
                description=item.description,
                keywords=item.keywords,
                exclusions=item.exclusions,
                lead_department=item.lead,
                lead_is_territorial=item.territorial,
                assisted_by_territory=item.assisted_by_territory,
                assist_share_percent=item.assist_share_percent,
                legal_basis=item.legal_basis,
                guidance=item.guidance,
                position=position,
                **{f"sign_hours_{u}": item.sign_hours[u] for u in URGENCY_ORDER},
                **{f"handle_days_{u}": item.handle_days[u] for u in URGENCY_ORDER},
            )
            for position, item in enumerate(parsed)
        ]
    )
    through = Matter.assisting_departments.through
    through.objects.bulk_create(
        [
            through(matter_id=matter.pk, department_id=department.pk)
            for matter, item in zip(matters, parsed, strict=True)
            for department in item.assisting
        ]
    )
    return version


# --- Export ---------------------------------------------------------------------------------


def plain_number(value: Decimal) -> str:
    """10.00 → "10", 0.50 → "0.5" (`normalize()` alone would give "1E+1")."""
    return format(value.normalize(), "f")


def _limits(matter: Matter, prefix: str) -> str:
    return "/".join(plain_number(getattr(matter, f"{prefix}_{u}")) for u in URGENCY_ORDER)


def rows_of(version: ListVersion) -> list[dict[str, str]]:
    """The version in the published layout, one dict per matter, in the list's own order."""
    matters = (
        Matter.objects.filter(version=version)
        .select_related("category", "category__parent", "lead_department")
        .prefetch_related("assisting_departments")
        .order_by("position", "code")
    )
    rows = []
    for m in matters:
        assisting = sorted(d.name for d in m.assisting_departments.all())
        if m.assisted_by_territory:
            assisting.append(TERRITORIAL)
        rows.append(
            {
                "大类": m.category.parent.name if m.category.parent else m.category.name,
                "小类": m.category.name,
                "事项编码": m.code,
                "事项名称": m.name,
                "事项描述": m.description,
                "关键词": "、".join(m.keywords),
                "排除词": "、".join(m.exclusions),
                "主责部门": TERRITORIAL if m.lead_is_territorial else m.lead_department.name,
                "协办部门": "、".join(assisting),
                "签收时限": _limits(m, "sign_hours"),
                "办理时限": _limits(m, "handle_days"),
                ASSIST_SHARE_COLUMN: str(m.assist_share_percent),
                "法律依据": m.legal_basis,
                "办理指引": m.guidance,
            }
        )
    return rows


def write_csv(rows: list[dict[str, str]], handle) -> None:
    # UTF-8 with a BOM: Excel, which district offices open these in, then reads the Chinese right.
    handle.write("\ufeff")
    writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)


def write_xlsx(rows: list[dict[str, str]], path_or_handle, *, title: str = "职责清单") -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        # Written as text, so that codes and limits such as 4/2/1 are never turned into dates.
        sheet.append([row[c] for c in COLUMNS])
    for column, width in zip("ABCDEFGHIJKLM", (14, 14, 14, 24, 40, 30, 16, 28, 28, 10, 10, 30, 40), strict=True):
        sheet.column_dimensions[column].width = width
    for row_cells in sheet.iter_rows(min_row=2):
        for cell in row_cells:
            cell.number_format = "@"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    workbook.save(path_or_handle)


def read_xlsx(path_or_handle) -> list[dict[str, str]]:
    header, table = xlsx_rows(path_or_handle)
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ValidationFailed(_("表头缺少列：%(columns)s") % {"columns": "、".join(missing)})
    return table


def read_file(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV or XLSX file in the published layout."""
    with path.open("rb") as handle:
        return read_upload(handle, path.name)


def read_upload(handle, name: str) -> list[dict[str, str]]:
    """Rows of an opened binary CSV or XLSX file; `name` tells which it is."""
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        try:
            text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
            return read_csv_text(text)
        except UnicodeDecodeError as error:
            raise ValidationFailed(_("CSV 文件须为 UTF-8 编码（Excel 中“另存为 CSV UTF-8”）。")) from error
    if suffix in (".xlsx", ".xlsm"):
        try:
            return read_xlsx(handle)
        except (OSError, KeyError, ValueError) as error:
            if isinstance(error, ValidationFailed):
                raise
            raise ValidationFailed(_("无法读取该 Excel 文件，请确认是 .xlsx 格式。")) from error
    raise ValidationFailed(_("不支持的文件类型 %(suffix)s：请使用 .xlsx 或 .csv。") % {"suffix": suffix})
