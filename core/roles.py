"""The people who use the platform, as permission groups.

Learners have no account at all (they join through personal links); the other
roles sign in. The groups are created after every migrate, the same way Django
creates permissions, so a fresh database always has them.
"""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

COORDINATORS = "Coordinators"
TEACHERS = "Teachers"
VOLUNTEERS = "Volunteers"

ROLE_LABELS = {
    COORDINATORS: _("Coordinator"),
    TEACHERS: _("Teacher"),
    VOLUNTEERS: _("Volunteer"),
}

# What coordinators manage in the Wagtail admin: course pages, their snippets,
# the timetable and the learners. Teachers and volunteers use the site, not the admin.
COORDINATOR_MODEL_PERMISSIONS = {
    "classes": [
        "coursecategory", "teacher", "classsession", "learner",
        "room", "term", "availabilityslot", "availabilityexception",
        "recordingsettings",  # how long class recordings are kept
    ],
    # Approve sign-ups, plan setup visit times, publish initiatives.
    "volunteers": ["volunteer", "setupslot", "initiative"],
}
# The notification outbox is written by the platform; coordinators read it.
COORDINATOR_VIEW_ONLY = {"classes": ["notification", "recording"], "volunteers": ["helprequest"]}
PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
COLLECTION_PERMISSIONS = {
    "wagtailimages": ["add_image", "change_image", "choose_image"],
    "wagtaildocs": ["add_document", "change_document", "choose_document"],
}


def user_has_role(user, role: str) -> bool:
    """Signed in, active and in the role's group (a declined volunteer leaves the group)."""
    return bool(user.is_authenticated and user.is_active and user.groups.filter(name=role).exists())


def user_is_coordinator(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.groups.filter(name=COORDINATORS).exists())


def require_coordinator(request) -> None:
    """The one gate of coordinators' pages, on the site and in the admin."""
    if not user_is_coordinator(request.user):
        raise PermissionDenied


def roles_ensure(**kwargs) -> None:
    """Create the role groups and give coordinators their admin permissions. Safe to repeat."""
    # Django creates each app's permissions on that app's own post_migrate, and
    # some of the apps we need come after this one: create them all now.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)

    for name in (TEACHERS, VOLUNTEERS):
        Group.objects.get_or_create(name=name)
    coordinators, _created = Group.objects.get_or_create(name=COORDINATORS)

    wanted = [Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")]
    for app_label, models in COORDINATOR_MODEL_PERMISSIONS.items():
        for model in models:
            wanted += Permission.objects.filter(content_type__app_label=app_label, content_type__model=model)
    for app_label, models in COORDINATOR_VIEW_ONLY.items():
        wanted += Permission.objects.filter(
            content_type__app_label=app_label, content_type__model__in=models, codename__startswith="view_"
        )
    coordinators.permissions.add(*wanted)

    root = Page.get_first_root_node()
    if root is not None:
        for codename in PAGE_PERMISSIONS:
            permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
            GroupPagePermission.objects.get_or_create(group=coordinators, page=root, permission=permission)
    collection = Collection.get_first_root_node()
    if collection is not None:
        for app_label, codenames in COLLECTION_PERMISSIONS.items():
            for codename in codenames:
                GroupCollectionPermission.objects.get_or_create(
                    group=coordinators,
                    collection=collection,
                    permission=Permission.objects.get(content_type__app_label=app_label, codename=codename),
                )
