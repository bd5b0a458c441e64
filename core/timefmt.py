"""Times the way learners say them, in the centre's time zone and the page's language."""

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _


def class_time(value) -> str:
    """A session's start: “11月29日 星期日 19:00” / “November 29 Sunday 19:00”."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return " ".join(
        (date_format(local, "MONTH_DAY_FORMAT"), date_format(local, "l"), date_format(local, "TIME_FORMAT"))
    )


def class_time_by_language(value) -> dict[str, str]:
    """class_time in each of the site's languages, for what is built once and read by pages
    in either (a live room's state reaches Chinese and English pages alike)."""
    words = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            words[code] = class_time(value)
    return words


def class_time_near(value, *, now=None) -> str:
    """A session's start as a learner says it: “今天 14:00” or “明天 14:00” for today's
    and tomorrow's classes (a date alone makes people count days), else class_time."""
    if not value:
        return ""
    local = timezone.localtime(value)
    days_ahead = (local.date() - timezone.localdate(now or timezone.now())).days
    time_words = date_format(local, "TIME_FORMAT")
    if days_ahead == 0:
        return _("Today at %(time)s") % {"time": time_words}
    if days_ahead == 1:
        return _("Tomorrow at %(time)s") % {"time": time_words}
    return class_time(value)


def long_date(value) -> str:
    return date_format(value, "DATE_FORMAT") if value else ""
