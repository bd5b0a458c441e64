"""The volunteers' pages, one module of views per part of their work."""

from volunteers.views import assist, help, hours, signup, visits, works

urlpatterns = [
    *signup.urlpatterns, *help.urlpatterns, *assist.urlpatterns, *visits.urlpatterns, *hours.urlpatterns,
    *works.urlpatterns,
]
