"""The classes pages, one module of views per sub-domain."""

from classes.courses import views as courses
from classes.groups import views as groups
from classes.live import desk_views as desk
from classes.live import views as live
from classes.recordings import views as recordings
from classes.timetable import views as timetable

urlpatterns = [*courses.urlpatterns, *live.urlpatterns, *desk.urlpatterns, *groups.urlpatterns, *timetable.urlpatterns,
               *recordings.urlpatterns]
