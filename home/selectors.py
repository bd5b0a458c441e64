import re

from django.db.models import Q
from wagtail.models import Page

from classes.models import CoursePage

# Chinese is written without spaces, so a full-text index split on whitespace
# never finds "字母" inside a sentence. Queries with Han characters also match
# course titles, summaries, categories and teachers by substring.
HAN_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def pages_search(*, query: str) -> list[Page]:
    """Live, public pages matching the words of `query`, best first."""
    found = list(Page.objects.live().public().specific().search(query, operator="or"))
    if HAN_RE.search(query):
        seen = {page.pk for page in found}
        for course in courses_matching_text(query=query):
            if course.pk not in seen:
                found.append(course)
                seen.add(course.pk)
    return found


def courses_matching_text(*, query: str):
    words = [word for word in query.split() if word]
    match = Q()
    for word in words:
        match |= (
            Q(title__icontains=word)
            | Q(summary__icontains=word)
            | Q(category__name__icontains=word)
            | Q(teachers__name__icontains=word)
        )
    return CoursePage.objects.live().public().filter(match).distinct().order_by("path")
