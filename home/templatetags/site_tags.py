from django import template
from django.utils import timezone
from django.utils.formats import date_format

register = template.Library()


@register.filter
def class_time(value):
    """A session's start the way learners say it: “11月29日 星期日 19:00” / “November 29 Sunday 19:00”."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return " ".join(
        (date_format(local, "MONTH_DAY_FORMAT"), date_format(local, "l"), date_format(local, "TIME_FORMAT"))
    )


@register.filter
def long_date(value):
    return date_format(value, "DATE_FORMAT") if value else ""
