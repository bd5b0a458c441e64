from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClassesConfig(AppConfig):
    name = "classes"
    verbose_name = _("Classes")

    def ready(self):
        # Imported here, as Django asks: these use the models.
        from wagtail.signals import page_published

        from classes.courses.services import seats_fill
        from classes.models import ClassSession, CourseCategory, CourseMaterial, CoursePage, Enrolment, Room, Teacher
        from core.pagecache import public_pages_shown_by

        def fill_new_seats(sender, instance, **kwargs):
            # A coordinator who adds seats expects the waiting list to move at once.
            seats_fill(course=instance)

        page_published.connect(fill_new_seats, sender=CoursePage, dispatch_uid="classes.fill_new_seats", weak=False)
        # Times, rooms, teachers, categories, seats and materials are on the public pages (core/pagecache.py).
        public_pages_shown_by(ClassSession, Enrolment, Teacher, CourseCategory, Room, CourseMaterial)
