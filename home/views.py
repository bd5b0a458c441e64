import re

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.shortcuts import render
from django.template import loader
from django.http import HttpResponseServerError
from django.views.decorators.csrf import requires_csrf_token
from wagtail.models import Page

from home.selectors import pages_search

# Search results per page: few, large cards read better on a phone.
SEARCH_RESULTS_PER_PAGE = 10
# A longer query is almost surely pasted by mistake; we search its start only.
SEARCH_QUERY_MAX_LENGTH = 100


def search_query_clean(raw: str) -> str:
    """Keep words only. Quotes, brackets and operators mean syntax to the full-text
    engine, and a stray one from a phone keyboard must not break the search."""
    words = re.sub(r"[^\w\s]|_", " ", raw or "")
    return " ".join(words.split())[:SEARCH_QUERY_MAX_LENGTH]


def search(request):
    query = search_query_clean(request.GET.get("q", ""))
    results = pages_search(query=query) if query else Page.objects.none()
    paginator = Paginator(results, SEARCH_RESULTS_PER_PAGE)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except (PageNotAnInteger, EmptyPage):
        page = paginator.page(1)
    return render(request, "home/search.html", {"search_query": query, "results": page})


def help_page(request):
    return render(request, "home/help.html")


def login_locked(request, original_response=None, credentials=None):
    """django-axes's lockout response (AXES_LOCKOUT_CALLABLE), for /login/ and the admin's
    sign-in alike: what happened, how long to wait, and whom to call meanwhile."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "home/login_locked.html", {"minutes": minutes}, status=429)


@requires_csrf_token
def server_error(request):
    """Render the error page with the centre's phone, without touching the database,
    which may be the very thing that failed."""
    template = loader.get_template("500.html")
    return HttpResponseServerError(
        template.render({"centre_help_phone": settings.CENTRE_HELP_PHONE, "centre_name": settings.CENTRE_NAME})
    )
