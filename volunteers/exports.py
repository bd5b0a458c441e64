"""Spreadsheet (CSV) downloads of the volunteers' pages, made one way."""

import csv

from django.http import HttpResponse

# Spreadsheet programs run a cell that starts with one of these as a formula; a learner's
# note or a volunteer's name must never become one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_response(*, filename: str, header: list, rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Phone numbers and hours are private: no cache may keep a copy.
    response["Cache-Control"] = "no-store"
    # The byte-order mark tells Excel the file is UTF-8; without it Chinese comes out garbled.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return response
