"""Rows of a table file, CSV, TSV or XLSX, keyed by its header and read as text: the published
responsibility lists, and the past cases and message sets that older systems export."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from django.utils.translation import gettext as _

from config.errors import ValidationFailed

# Exports of older systems in China are as often GB18030 (GBK) as UTF-8.
TEXT_ENCODINGS = ("utf-8-sig", "gb18030")


# Excel writes a carriage return inside a cell as "_x000D_" (before the line feed of a CR LF); a
# file converted twice (as public message sets often are) keeps those letters in the text itself.
_EXCEL_CARRIAGE_RETURN = re.compile(r"_x000d_\n?", re.IGNORECASE)


def _text_of(cell: str) -> str:
    return _EXCEL_CARRIAGE_RETURN.sub("\n", cell) if "_x" in cell or "_X" in cell else cell


def read_table(path: Path) -> list[dict[str, str]]:
    """Rows of any CSV, TSV or XLSX file, keyed by its header (no layout checks). Text files may
    be UTF-8 or GB18030; header names are trimmed, as Excel's are, and Excel's escaped carriage
    returns left in the text are line breaks again."""
    return [{name: _text_of(value or "") for name, value in row.items()} for row in _table_rows(path)]


def _table_rows(path: Path) -> list[dict[str, str]]:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        data = path.read_bytes()
        for encoding in TEXT_ENCODINGS:
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            delimiter = "," if suffix == ".csv" else "\t"
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
            header = [name.strip() for name in next(reader, [])]
            return [dict(zip(header, values, strict=False)) for values in reader if any(v.strip() for v in values)]
        raise ValidationFailed(_("%(name)s 不是 UTF-8 或 GB18030 编码的文本。") % {"name": path.name})
    if suffix in (".xlsx", ".xlsm"):
        return xlsx_rows(path)[1]
    raise ValidationFailed(_("不支持的文件类型 %(suffix)s：请使用 .xlsx、.csv 或 .tsv。") % {"suffix": suffix})


def xlsx_rows(path_or_handle) -> tuple[list[str], list[dict[str, str]]]:
    """The first sheet's header and its non-empty rows, keyed by the header, as text."""
    from openpyxl import load_workbook

    workbook = load_workbook(path_or_handle, read_only=True, data_only=True)
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        table = [
            {h: cell_text(v) for h, v in zip(header, values, strict=False) if h}
            for values in rows
            if values is not None and not all(v is None or str(v).strip() == "" for v in values)
        ]
    finally:
        workbook.close()
    return header, table


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
