from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ClassesConfig(AppConfig):
    name = "classes"
    verbose_name = _("Classes")

    def ready(self):
        from classes.roles import roles_ensure

        post_migrate.connect(roles_ensure, sender=self, dispatch_uid="classes.roles_ensure")

        from wagtail.signals import page_published

        from classes.models import CoursePage
        from classes.services import seats_fill

        def fill_new_seats(sender, instance, **kwargs):
            # A coordinator who adds seats expects the waiting list to move at once.
            seats_fill(course=instance)

        page_published.connect(fill_new_seats, sender=CoursePage, dispatch_uid="classes.fill_new_seats", weak=False)
