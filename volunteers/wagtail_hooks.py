"""The 志愿者 menu in the admin: volunteers (approve or decline sign-ups), help requests,
setup visit times and initiatives. Coordinators only (permissions in classes/roles.py)."""

from django.middleware.csrf import get_token
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from classes.live.term_figures import classes_today
from core.roles import user_is_coordinator
from volunteers import admin_views
from volunteers.models import HelpRequest, Initiative, SetupSlot, Volunteer, VolunteerStatus
from volunteers.views import dashboard


class VolunteerPermissionPolicy(ModelPermissionPolicy):
    """A volunteer profile belongs to an account, so it is made by signing up, never in the admin."""

    def user_has_permission(self, user, action):
        return action != "add" and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([action for action in actions if action != "add"])


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """Help requests change through the volunteers' pages (assign, call, close), which keep
    the one-open-request rule and the times; the admin only lists them."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([action for action in actions if action == "view"])


# Registered before the viewsets below ask for their policies.
register_permission_policy(Volunteer, VolunteerPermissionPolicy(Volunteer))
register_permission_policy(HelpRequest, ReadOnlyPermissionPolicy(HelpRequest))


@hooks.register("register_admin_urls")
def register_volunteer_decision_urls():
    return [
        path("volunteers/<id:volunteer_id>/approve/", admin_views.volunteer_approve_view,
             name="wagtailadmin_volunteer_approve"),
        path("volunteers/<id:volunteer_id>/decline/", admin_views.volunteer_decline_view,
             name="wagtailadmin_volunteer_decline"),
    ]


class DecisionColumn(Column):
    """Approve / Decline buttons, each a small POST form."""

    cell_template_name = "volunteers/admin/decision_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context.get("request")
        if request is not None:
            context["csrf_token"] = get_token(request)
            context["next"] = request.get_full_path()
        context["statuses"] = VolunteerStatus
        return context


class VolunteerViewSet(SnippetViewSet):
    model = Volunteer
    icon = "user"
    # Status changes only through Approve / Decline, which also open or close the account.
    edit_handler = ObjectList([
        FieldRowPanel([FieldPanel("name"), FieldPanel("phone")]),
        MultiFieldPanel(
            [FieldPanel("phone_guidance"), FieldPanel("in_person_setup"), FieldPanel("english"),
             FieldPanel("availability")],
            heading=_("Skills and time"),
        ),
    ])
    list_display = [
        "name", "phone", "status", "availability", "created_at", DecisionColumn("decision", label=_("Decision")),
    ]
    list_filter = ["status", "in_person_setup", "english"]
    search_fields = ["name", "phone", "user__username"]
    search_backend_name = None
    inspect_view_enabled = True


class HelpRequestViewSet(SnippetViewSet):
    model = HelpRequest
    icon = "help"
    list_display = ["__str__", "source", "status", "volunteer", "asks", "created_at"]
    list_filter = ["status", "source"]
    inspect_view_enabled = True


class SetupSlotViewSet(SnippetViewSet):
    model = SetupSlot
    icon = "date"
    list_display = ["__str__", "minutes", "place", "capacity", "volunteer"]
    list_filter = ["volunteer"]


class InitiativeViewSet(SnippetViewSet):
    model = Initiative
    icon = "pick"
    # The raw value would read "True" in the Chinese admin; Wagtail's BooleanColumn puts it in a title.
    list_display = [
        "title", "course", "ends_on",
        Column("published", label=_("published"), accessor=lambda initiative: _("yes") if initiative.published else _("no")),
    ]
    list_filter = ["published"]


class VolunteersGroup(SnippetViewSetGroup):
    items = (VolunteerViewSet, HelpRequestViewSet, SetupSlotViewSet, InitiativeViewSet)
    menu_label = _("Volunteers")
    menu_icon = "group"
    menu_order = 246


register_snippet(VolunteersGroup)


class PendingVolunteersPanel(Component):
    """On the admin dashboard: how many sign-ups wait for a decision, with a link to them."""

    name = "pending_volunteers"
    order = 50
    template_name = "volunteers/admin/pending_panel.html"

    def __init__(self, count: int):
        self.count = count

    def get_context_data(self, parent_context):
        list_url = reverse(admin_views.VOLUNTEER_LIST_URL_NAME)
        return {"count": self.count, "url": f"{list_url}?status={VolunteerStatus.PENDING}"}


@hooks.register("construct_homepage_panels")
def add_pending_volunteers_panel(request, panels):
    if not user_is_coordinator(request.user):
        return
    count = Volunteer.objects.filter(status=VolunteerStatus.PENDING).count()
    if count:
        panels.append(PendingVolunteersPanel(count))


# ---------------------------------------------------------------- the term overview (学期概览)


@hooks.register("register_admin_urls")
def register_term_overview_urls():
    return [
        path("term-overview/", dashboard.term_overview, name=dashboard.OVERVIEW_URL_NAME),
        path("term-overview/csv/<slug:table>/", dashboard.term_overview_csv, name=dashboard.CSV_URL_NAME),
        path("term-overview/call-list/", dashboard.term_overview_call, name=dashboard.CALL_URL_NAME),
    ]


class TermOverviewMenuItem(MenuItem):
    def is_shown(self, request):
        return user_is_coordinator(request.user)


@hooks.register("register_admin_menu_item")
def register_term_overview_menu_item():
    return TermOverviewMenuItem(_("Term overview"), reverse(dashboard.OVERVIEW_URL_NAME), icon_name="table", order=200)


class TodayClassesPanel(Component):
    """On the admin dashboard: today's classes, each with its state in words and who has joined."""

    name = "today_classes"
    order = 40
    template_name = "volunteers/admin/today_panel.html"

    def get_context_data(self, parent_context):
        return {"classes": classes_today(), "overview_url": reverse(dashboard.OVERVIEW_URL_NAME)}


@hooks.register("construct_homepage_panels")
def add_today_classes_panel(request, panels):
    if user_is_coordinator(request.user):
        panels.append(TodayClassesPanel())
