from django import template

from core import timefmt

register = template.Library()

register.filter("class_time", timefmt.class_time)
register.filter("long_date", timefmt.long_date)
