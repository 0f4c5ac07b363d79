"""Writing what people typed into spreadsheets safely: never as a formula, never with characters
the file format cannot hold. Every workbook the system writes passes its values here."""

from __future__ import annotations

from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# A cell whose text starts with one of these is a formula to Excel or to whatever reads the sheet
# after it (=HYPERLINK(...) leaking the row, =cmd|... running a program).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(sheet: Any, value: Any) -> Any:
    """A value for a write-only sheet: text is stripped of the control characters XML cannot
    hold (Word's line break \\x0b becomes a newline) and, if it could be read as a formula,
    written as text with Excel's quote prefix, shown exactly as typed."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value.replace("\x0b", "\n").replace("\x0c", "\n"))
    if not value.startswith(FORMULA_STARTS):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # never a formula
    cell.quotePrefix = True
    return cell
