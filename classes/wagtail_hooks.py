from django import forms
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from classes.courses import admin_views as course_admin
from classes.courses.learner_session import current_learner
from classes.courses.materials import document_refused_course
from classes.models import (
    AvailabilityException, AvailabilitySlot, ClassSession, Notification, Recording, Room, Term,
)
from classes.notifications.services import reminders_schedule
from classes.timetable import admin_views as timetable_admin
from core.roles import user_is_coordinator


@hooks.register("register_admin_urls")
def register_coordinator_urls():
    return [
        path("learners/import/", course_admin.learners_import, name="wagtailadmin_learners_import"),
        path("timetable/", timetable_admin.timetable_terms, name="wagtailadmin_timetable"),
        path("timetable/<id:term_id>/", timetable_admin.timetable_planner, name="wagtailadmin_timetable_planner"),
        path("timetable/class/<id:session_id>/", timetable_admin.timetable_session, name="wagtailadmin_timetable_session"),
    ]


class CoordinatorMenuItem(MenuItem):
    def is_shown(self, request):
        return user_is_coordinator(request.user)


@hooks.register("register_admin_menu_item")
def register_learner_import_menu_item():
    return CoordinatorMenuItem(
        _("Add learners from a list"), reverse("wagtailadmin_learners_import"), icon_name="group", order=250
    )


@hooks.register("register_admin_menu_item")
def register_timetable_menu_item():
    return CoordinatorMenuItem(_("Timetable planner"), reverse("wagtailadmin_timetable"), icon_name="date", order=240)


class ClassSessionForm(WagtailAdminModelForm):
    """A published class changes time only through 移动或取消, which checks clashes and tells everyone."""

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            for field in ("starts_at", "duration_minutes", "room"):
                if field in self.changed_data:
                    raise forms.ValidationError(
                        _("To change the time or room of a planned class, use “Move or cancel” on the timetable, "
                          "so that clashes are checked and everyone is told.")
                    )
        return cleaned


class MoveOrCancelColumn(Column):
    cell_template_name = "classes/admin/move_or_cancel_cell.html"


class ClassSessionViewSet(SnippetViewSet):
    model = ClassSession
    edit_handler = ObjectList(ClassSession.panels, base_form_class=ClassSessionForm)
    icon = "time"
    list_display = ["__str__", "room", "cancelled_at", MoveOrCancelColumn("move", label=_("Change"))]
    list_filter = ["course", "mode"]


class TermViewSet(SnippetViewSet):
    model = Term
    icon = "date"
    list_display = ["name", "starts_on", "ends_on", "published_at"]


class RoomViewSet(SnippetViewSet):
    model = Room
    icon = "home"
    list_display = ["name", "capacity"]


class AvailabilityViewSet(SnippetViewSet):
    model = AvailabilitySlot
    icon = "time"
    list_display = ["teacher", "weekday", "starts", "ends"]
    list_filter = ["teacher", "weekday"]


class AvailabilityExceptionViewSet(SnippetViewSet):
    model = AvailabilityException
    icon = "warning"
    list_display = ["teacher", "date", "kind", "starts", "ends", "note"]
    list_filter = ["teacher", "kind"]


class NotificationViewSet(SnippetViewSet):
    model = Notification
    icon = "mail"
    list_display = ["__str__", "kind", "channel", "status", "created_at", "sent_at"]
    list_filter = ["kind", "channel", "status"]
    inspect_view_enabled = True


class RecordingViewSet(SnippetViewSet):
    """Class recordings and their sizes, for coordinators to read; teachers and coordinators
    keep or delete them on the replay page (看回放), the worker deletes them when due."""

    model = Recording
    icon = "media"
    list_display = ["__str__", "status", "size_words", "keep_until", "kept", "removed_at"]
    list_filter = ["status", "kept"]
    inspect_view_enabled = True
    add_to_admin_menu = True
    menu_order = 246


register_snippet(RecordingViewSet)


class TimetableSetupGroup(SnippetViewSetGroup):
    items = (TermViewSet, RoomViewSet, AvailabilityViewSet, AvailabilityExceptionViewSet, ClassSessionViewSet,
             NotificationViewSet)
    menu_label = _("Timetable setup")
    menu_icon = "date"
    menu_order = 245


register_snippet(TimetableSetupGroup)


@hooks.register("after_create_snippet")
def schedule_reminders_for_new_class(request, instance):
    # Classes added one by one in the admin get their reminders like published ones.
    if isinstance(instance, ClassSession):
        reminders_schedule(sessions=[instance])


@hooks.register("before_serve_document")
def keep_learners_only_materials(document, request):
    # Every download goes through Wagtail's view (WAGTAILDOCS_SERVE_METHOD), so this is the one check.
    course = document_refused_course(document=document, learner=current_learner(request), user=request.user)
    if course is not None:
        return render(request, "classes/not_your_class.html", {"course": course, "document": document}, status=403)
    return None
