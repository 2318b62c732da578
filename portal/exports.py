"""CSV files for staff, safe to open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel,
WPS and LibreOffice as a formula (``=HYPERLINK(...)`` in an idea's title, a display name or a
booking note would run when staff open the export). Such text gets a leading apostrophe, which
spreadsheets show as plain text. Numbers stay numbers, so a negative ledger correction is still
``-5``. (defusedcsv does the same but leaves tab and carriage return alone, hence this helper.)
Every export in the portal goes through ``csv_response``.
"""
import csv
import re
from collections.abc import Iterable
from decimal import Decimal

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def csv_cell(value) -> object:
    """The value as it may go into a cell: numbers as they are, risky text neutralised."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_response(*, filename: str, header: Iterable, rows: Iterable[Iterable]) -> HttpResponse:
    """An attachment ``filename`` with the header row and the rows, every cell through ``csv_cell``."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so spreadsheet programs read the Chinese text as UTF-8
    writer = csv.writer(response)
    writer.writerow([csv_cell(str(label)) for label in header])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return response
