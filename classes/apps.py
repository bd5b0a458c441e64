from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ClassesConfig(AppConfig):
    name = "classes"
    verbose_name = _("Classes")

    def ready(self):
        from classes.roles import roles_ensure

        post_migrate.connect(roles_ensure, sender=self, dispatch_uid="classes.roles_ensure")
