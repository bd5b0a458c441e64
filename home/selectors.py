from django.db.models import QuerySet
from wagtail.models import Page


def pages_search(*, query: str) -> QuerySet:
    """Live, public pages matching the words of `query`, best first."""
    return Page.objects.live().public().specific().search(query, operator="or")
