"""Times the way learners say them, in the centre's time zone and the page's language."""

from django.utils import timezone
from django.utils.formats import date_format


def class_time(value) -> str:
    """A session's start: “11月29日 星期日 19:00” / “November 29 Sunday 19:00”."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return " ".join(
        (date_format(local, "MONTH_DAY_FORMAT"), date_format(local, "l"), date_format(local, "TIME_FORMAT"))
    )


def long_date(value) -> str:
    return date_format(value, "DATE_FORMAT") if value else ""
