"""Read a table of dated exchange rates (a central bank's monthly or daily series) from CSV.

The table has a header row naming a ``date`` and a ``rate`` column (other columns are
ignored), ISO dates (2024-01-31) and rates with a decimal point. Commas, semicolons or
tabs separate the columns; UTF-8, with or without a byte-order mark. Every problem names
its line in the file and the column, and nothing is returned unless the whole table reads.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from mekong.core.errors import InvalidInput

# Twenty years of daily rates; the same limit as the API's series endpoint.
MAX_RATES = 7500
MAX_BYTES = 1_000_000


def read_rate_table(upload: UploadedFile[bytes]) -> list[tuple[date, Decimal]]:
    """:func:`parse_rate_table` of an uploaded file, refused by its size before it is read."""
    _check_size(upload.size or 0)
    return parse_rate_table(upload.read())


def _check_size(size: int) -> None:
    if size > MAX_BYTES:
        raise InvalidInput(
            _("file: %(size)s bytes is over the 1 MB limit.") % {"size": size}, field="file"
        )


def parse_rate_table(data: bytes) -> list[tuple[date, Decimal]]:
    """The (date, rate) rows of a CSV table, in file order."""
    _check_size(len(data))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            _("file: not UTF-8 text (byte %(position)s).") % {"position": exc.start + 1},
            field="file",
        ) from exc
    first = next((line for line in text.splitlines() if line.strip()), "")
    reader = csv.reader(io.StringIO(text), delimiter=max(",;\t", key=first.count))
    # The reader's line_num names the file's line even when a quoted cell spans lines.
    rows = ((reader.line_num, row) for row in reader if any(cell.strip() for cell in row))
    header_line, header_row = next(rows, (0, []))
    if not header_row:
        raise InvalidInput(_("file: the table is empty."), field="file")
    header = [cell.strip().lower() for cell in header_row]
    missing = [name for name in ("date", "rate") if name not in header]
    if missing:
        raise InvalidInput(
            _("file, line %(line)s: the header has no “%(column)s” column (found: %(found)s).")
            % {"line": header_line, "column": missing[0], "found": ", ".join(header)},
            field="file",
        )
    date_at, rate_at = header.index("date"), header.index("rate")
    out: list[tuple[date, Decimal]] = []
    for number, row in rows:
        out.append((_date(row, date_at, number), _rate(row, rate_at, number)))
        if len(out) > MAX_RATES:
            raise InvalidInput(
                _("file: more than %(limit)s rates; split the table.") % {"limit": MAX_RATES},
                field="file",
            )
    if not out:
        raise InvalidInput(_("file: the table has a header but no rates."), field="file")
    return out


def _cell(row: list[str], at: int, number: int, column: str) -> str:
    text = row[at].strip() if at < len(row) else ""
    if not text:
        raise InvalidInput(
            _("file, line %(line)s, %(column)s: empty.") % {"line": number, "column": column},
            field="file",
        )
    return text


def _date(row: list[str], at: int, number: int) -> date:
    text = _cell(row, at, number, "date")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(
            _("file, line %(line)s, date: “%(value)s” is not a date like 2024-01-31.")
            % {"line": number, "value": text},
            field="file",
        ) from exc


def _rate(row: list[str], at: int, number: int) -> Decimal:
    text = _cell(row, at, number, "rate")
    try:
        rate = Decimal(text)
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite():
        raise InvalidInput(
            _("file, line %(line)s, rate: “%(value)s” is not a number like 2105.5.")
            % {"line": number, "value": text},
            field="file",
        )
    return rate
