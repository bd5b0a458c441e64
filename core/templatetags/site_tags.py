from django import template

from core import documents, timefmt

register = template.Library()

register.filter("class_time", timefmt.class_time)
register.filter("long_date", timefmt.long_date)
# 今天 / 明天 for today's and tomorrow's classes; the date for later ones.
register.filter("class_time_near", timefmt.class_time_near)


@register.filter
def size_and_type(document) -> str:
    """`{{ document|size_and_type }}`: “PDF，1.2 MB”, next to a download button."""
    return documents.document_size_and_type(document=document)
