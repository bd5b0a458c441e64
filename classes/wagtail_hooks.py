from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from classes import admin_views, selectors


@hooks.register("register_admin_urls")
def register_learner_import_url():
    return [path("learners/import/", admin_views.learners_import, name="wagtailadmin_learners_import")]


class CoordinatorMenuItem(MenuItem):
    def is_shown(self, request):
        return selectors.user_is_coordinator(request.user)


@hooks.register("register_admin_menu_item")
def register_learner_import_menu_item():
    return CoordinatorMenuItem(
        _("Add learners from a list"), reverse("wagtailadmin_learners_import"), icon_name="group", order=250
    )
