"""Writing what people typed into spreadsheets safely: never as a formula, never with characters
the file format cannot hold. Every workbook the system writes passes its values here."""

from __future__ import annotations

from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# A cell whose text starts with one of these is a formula to Excel or to whatever reads the sheet
# after it (=HYPERLINK(...) leaking the row, =cmd|... running a program).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def clean_text(value: str) -> tuple[str, bool]:
    """Text as a cell may hold it: stripped of the control characters XML cannot hold (Word's
    line break \\x0b becomes a newline); and whether it could be read as a formula, so must be
    written as text with Excel's quote prefix (shown exactly as typed)."""
    if not value.isprintable():  # most text has no control character at all: no search
        value = ILLEGAL_CHARACTERS_RE.sub("", value.replace("\x0b", "\n").replace("\x0c", "\n"))
    return value, value.startswith(FORMULA_STARTS)


def safe_cell(sheet: Any, value: Any) -> Any:
    """A value for an openpyxl write-only sheet, by ``clean_text``'s rule (``casework.xlsx``
    writes the large exports by the same rule)."""
    if not isinstance(value, str):
        return value
    value, quoted = clean_text(value)
    if not quoted:
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # never a formula
    cell.quotePrefix = True
    return cell
