from django import template

from core import timefmt

register = template.Library()

register.filter("class_time", timefmt.class_time)
register.filter("long_date", timefmt.long_date)
# 今天 / 明天 for today's and tomorrow's classes; the date for later ones.
register.filter("class_time_near", timefmt.class_time_near)
