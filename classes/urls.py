from django.urls import path

from classes import views

urlpatterns = [
    path("j/<str:token>/", views.join, name="join"),
    path("my/", views.my_classes, name="my_classes"),
    path("teach/free-time/", views.teacher_availability, name="teacher_availability"),
    path("class/<int:session_id>/", views.class_page, name="class_page"),
    path("class/<int:session_id>/check/", views.device_check, name="device_check"),
    path("signup/<int:course_id>/", views.signup, name="signup"),
    path("group/<int:course_id>/", views.group_page, name="group"),
    path("group/<int:course_id>/upload/", views.group_upload, name="group_upload"),
    path("group/<int:course_id>/history/", views.group_history, name="group_history"),
    path("roster/<int:course_id>/", views.roster, name="roster"),
    path("roster/<int:course_id>/cards/", views.join_cards, name="join_cards"),
    path("roster/<int:course_id>/teacher/<int:teacher_id>/link/", views.teacher_link, name="teacher_link"),
    path("enrolment/<int:enrolment_id>/new-link/", views.link_reissue, name="link_reissue"),
    path("enrolment/<int:enrolment_id>/withdraw/", views.enrolment_withdraw, name="enrolment_withdraw"),
]

from classes import timetable_views  # noqa: E402  (appended with the timetable)

urlpatterns += [
    path("calendar/<str:token>.ics", timetable_views.calendar_feed, name="calendar_feed"),
    path("timetable/", timetable_views.timetable_week, name="timetable_week"),
    path("timetable/teacher/<int:teacher_id>/", timetable_views.timetable_teacher, name="timetable_teacher"),
    path("my/timetable/", timetable_views.my_timetable, name="my_timetable"),
]
