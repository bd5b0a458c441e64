from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("Volunteers")

    def ready(self):
        # Imported here, as Django asks: the receivers use the models.
        from volunteers import receivers

        receivers.connect()
