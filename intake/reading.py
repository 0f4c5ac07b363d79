"""Reading an uploaded file into rows of cell values: .xlsx (the first sheet) or .csv in UTF-8
(with or without BOM) or GB18030. Formulas are read as the text they are written as, never
evaluated."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from python_calamine import CalamineError, CalamineWorkbook

from casework.errors import InvalidInput

MAX_BYTES = 50 * 1024 * 1024


@dataclass
class Sheet:
    rows: list[list[Any]]  # every row, the header and any title rows above it included
    encoding: str = ""


def _refuse(message: str) -> InvalidInput:
    return InvalidInput({"file": [message]})


def sheet_read(file: IO[bytes], name: str) -> Sheet:
    data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _refuse(_("The file is larger than 50 MB: split it into several imports."))
    if not data.strip():
        raise _refuse(_("The file is empty."))
    lower = (name or "").lower()
    if data[:4] == b"PK\x03\x04":
        return _xlsx(data)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or lower.endswith(".xls"):
        raise _refuse(
            _("Old Excel (.xls) files cannot be read: save it as .xlsx and upload again.")
        )
    if lower.endswith((".xlsx", ".xlsm")):
        raise _refuse(_("The file is not a valid Excel workbook."))
    return _csv(data)


def _has_formulas(data: bytes) -> bool:
    """Whether any worksheet of the workbook holds a formula (an ``<f>`` element)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = archive.read(name)
                if b"<f>" in xml or b"<f " in xml or b":f>" in xml or b":f " in xml:
                    return True
    return False


def _xlsx(data: bytes) -> Sheet:
    """The first sheet's values, read by calamine (fast); a workbook with formulas is read by
    openpyxl instead, which gives a formula cell as the text it is written as."""
    try:
        if not _has_formulas(data):
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
            return Sheet([list(row) for row in rows])
    except (zipfile.BadZipFile, CalamineError, ValueError, OSError):
        raise _refuse(_("The file is not a valid Excel workbook.")) from None
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise _refuse(_("The file is not a valid Excel workbook.")) from None
    try:
        sheet = book.worksheets[0]
        # Formula cells come as the text they are written as ("=A1+1"): kept, never evaluated.
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    return Sheet(rows)


def _csv(data: bytes) -> Sheet:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        break
    else:  # pragma: no cover - gb18030 decodes any byte sequence
        raise _refuse(_("The file's text encoding is not UTF-8 or GB18030."))
    if "\x00" in text:
        raise _refuse(_("The file is neither an Excel workbook nor a CSV text file."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), dialect)]
    return Sheet(rows, encoding="UTF-8" if encoding == "utf-8-sig" else "GB18030")
