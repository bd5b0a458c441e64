"""The Wagtail admin as coordinators meet it: in Chinese, without Wagtail's own news.

Wagtail's Help menu carries a counter of unread links ("What's new in Wagtail", the
Editor Guide). Beside our learners' 求助 (help requests) a badge "求助 2" reads like two
learners asking for help, and both links lead to English pages about Wagtail itself.
So the two links go, the menu keeps the keyboard shortcuts under a name that cannot be
taken for a help request, and the dashboard's English "what's new" banner goes too.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import SubmenuMenuItem, help_menu

# Wagtail's names for the menu items and the dashboard panel about Wagtail's releases.
WAGTAIL_NEWS_MENU_ITEMS = ("editor-guide",)
WAGTAIL_NEWS_MENU_ITEM_PREFIX = "whats-new-in-wagtail-"
WAGTAIL_NEWS_PANEL = "whats_new_in_wagtail_version"

# Not dismissible, so the sidebar shows no badge on it.
wagtail_help_menu_item = SubmenuMenuItem(_("Wagtail help"), help_menu, name="help", icon_name="help", order=11000)


@hooks.register("construct_help_menu")
def hide_wagtail_news_links(request, menu_items):
    menu_items[:] = [
        item for item in menu_items
        if item.name not in WAGTAIL_NEWS_MENU_ITEMS and not item.name.startswith(WAGTAIL_NEWS_MENU_ITEM_PREFIX)
    ]


@hooks.register("construct_main_menu")
def rename_wagtail_help_menu(request, menu_items):
    menu_items[:] = [wagtail_help_menu_item if item.name == "help" else item for item in menu_items]


@hooks.register("construct_homepage_panels")
def hide_wagtail_news_banner(request, panels):
    panels[:] = [panel for panel in panels if getattr(panel, "name", None) != WAGTAIL_NEWS_PANEL]
