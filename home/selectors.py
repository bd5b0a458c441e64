"""Site search: Wagtail's index, and for Chinese words the courses that contain them."""

import re

from wagtail.models import Page

from classes.courses.selectors import courses_matching_text

# Chinese is written without spaces, so a full-text index split on whitespace
# never finds "字母" inside a sentence. Queries with Han characters also match
# courses by substring (classes.courses.selectors.courses_matching_text).
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
