"""Reading numbers, ids, dates and return addresses that people send, so that none of them
reaches the database, date arithmetic or a response header out of range: an id too large
for a database column, a day at the very end of the calendar, or a newline in a redirect
breaks there with an error instead of a "no such"."""

import unicodedata
from datetime import date

from django.urls import register_converter
from django.utils.http import url_has_allowed_host_and_scheme

# The largest id a BigAutoField holds (PostgreSQL bigint, SQLite INTEGER). A bigger
# number is no id at all; some lookups (Wagtail pages' page_ptr) overflow on it.
ID_MAX = 2**63 - 1
# Eighteen digits are always below ID_MAX, so a path with more never matches.
ID_DIGITS_MAX = 18

# Every date the centre deals with (terms, visits, calls, hours) falls in these years.
# Beyond them a date is a typing slip, and the calendar's ends (0001-01-01, 9999-12-31)
# overflow as soon as a day is added or a time zone applied.
DAY_EARLIEST = date(2000, 1, 1)
DAY_LATEST = date(2100, 12, 31)


def id_read(raw) -> int | None:
    """The id in `raw` (a form or query value), or None when it is not a whole number in range."""
    # "²".isdigit() is True but int() refuses it; and int() of thousands of digits raises.
    if not isinstance(raw, str) or not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(ID_MAX)):
        return None
    value = int(raw)
    return value if 0 < value <= ID_MAX else None


def next_url(request) -> str | None:
    """The page a form asks to go back to (its `next` field) when that is a page of this site
    and can stand in a Location header; otherwise None. Django's host check looks only at the
    first character for control characters, and a newline further on splits the header."""
    wanted = request.POST.get("next", "")
    if not wanted or any(unicodedata.category(character)[0] == "C" for character in wanted):
        return None
    if not url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return None
    return wanted


def day_in_range(day: date) -> bool:
    return DAY_EARLIEST <= day <= DAY_LATEST


class IdConverter:
    """<id:name> in a URL: a positive whole number that fits an id column. A longer number
    does not match, so the address is simply not found."""

    regex = f"[0-9]{{1,{ID_DIGITS_MAX}}}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


def converters_register() -> None:
    """Called from CoreConfig.ready(), before any URLconf is read."""
    register_converter(IdConverter, "id")
