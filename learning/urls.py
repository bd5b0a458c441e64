import posixpath

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import Http404
from django.urls import include, path, re_path
from django.views.static import serve
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from home import views as home_views

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("search/", home_views.search, name="search"),
    path("help/", home_views.help_page, name="help"),
    path("login/", auth_views.LoginView.as_view(template_name="home/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("classes.urls")),
    path("", include("volunteers.urls")),
]

# Documents are served only by Wagtail's view, which checks who asks (a course's
# learners-only materials); their folder under MEDIA_ROOT is never served as it stands.
PRIVATE_MEDIA_FOLDERS = ("documents",)


def public_media(request, path):
    # Normalised as serve() will, so "images/../documents/…" is caught too.
    first = posixpath.normpath(path).lstrip("/").split("/", 1)[0]
    if first in PRIVATE_MEDIA_FOLDERS:
        raise Http404
    return serve(request, path, document_root=settings.MEDIA_ROOT)


if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", public_media),
    ]

# Wagtail's page tree answers every address not matched above, so it comes last.
urlpatterns += [path("", include(wagtail_urls))]

handler500 = "home.views.server_error"
