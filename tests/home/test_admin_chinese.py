"""The Wagtail admin reads in Chinese for a coordinator.

Each admin page a coordinator uses is rendered as the admin serves it (zh-hans, the
admin's default language) and its words are checked: the visible text, the attributes
a person meets (title, placeholder, aria-label, alt, a button's value) and the sidebar's
menu labels, which the page carries as JSON for the sidebar's script. A run of Latin
letters there is a string that neither Wagtail's zh_Hans catalogue nor ours
(locale/zh_Hans, home/admin_strings.py) translates, and the test names it with its page.

What a coordinator typed is not the admin's to translate: the values of form fields
(inputs, textareas, the StreamField's data, all left out), the login names and the file
names the records hold (taken from the database and struck out). The few words left
to allow are listed in ALLOWED, each with its reason.
"""

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
import wagtail
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils.translation import trans_real
from wagtail.documents.models import Document

from classes.models import AvailabilityException, AvailabilitySlot, ClassSession, CoursePage, Notification, Room, Term
from core.roles import COORDINATORS
from volunteers.models import HelpRequest, Initiative, SetupSlot, Volunteer

pytestmark = pytest.mark.django_db

# Three Latin letters in a row is a word a coordinator would have to read in English
# (two, as in "v3" or "OK", is not worth the noise).
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
ALLOWED = {
    "Wagtail",  # the admin's own name, which Wagtail's Chinese catalogue keeps too
    "ABC",  # the demo course 学会ABC
    "English",  # the language menu names each language in its own words
    "PDF",  # our help text: PDF 在每部手机上都能打开
    "URL",  # Wagtail's own Chinese keeps it (用于URL的页面名称)
    "JavaScript",  # a name, in the message shown when the browser has it turned off
}
URL = re.compile(r"https?://\S+")
READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "aria-description"}
BUTTON_INPUT_TYPES = {"submit", "button", "reset"}
# Code, styles, what the coordinator typed, and key caps (Ctrl, Shift: printed so on the keyboard).
SKIPPED_ELEMENTS = {"script", "style", "code", "textarea", "kbd"}
# The account page's time zone menu lists the IANA names (Asia/Shanghai), which no catalogue translates.
SKIPPED_SELECT_NAMES = ("current_time_zone",)
# A hidden badge whose text ("None" until then) Wagtail's script replaces with a count before showing it.
SKIPPED_ATTRIBUTES = {"data-side-panel-toggle-counter"}
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
WAGTAIL_DIR = Path(wagtail.__file__).parent


class ReadText(HTMLParser):
    """What a person reads on a page: text outside code, the read attributes, and the
    sidebar's props (JSON in a script, kept apart to be read for its labels)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.sidebar_props = ""
        self._skipping: list[str] = []
        self._in_sidebar_props = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        skipped = (
            tag in SKIPPED_ELEMENTS
            or SKIPPED_ATTRIBUTES & attributes.keys()
            or (tag == "select" and (attributes.get("name") or "").endswith(SKIPPED_SELECT_NAMES))
        )
        if skipped and tag not in VOID_ELEMENTS:
            self._skipping.append(tag)
            self._in_sidebar_props = attributes.get("id") == "wagtail-sidebar-props"
        if self._skipping:
            return
        self.texts += [value for name, value in attrs if name in READ_ATTRIBUTES and value]
        if tag == "input" and attributes.get("type") in BUTTON_INPUT_TYPES and attributes.get("value"):
            self.texts.append(attributes["value"])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS and self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()

    def handle_endtag(self, tag):
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()
            self._in_sidebar_props = False

    def handle_data(self, data):
        if self._in_sidebar_props:
            self.sidebar_props += data
        elif not self._skipping and data.strip():
            self.texts.append(data)


def menu_labels(value) -> list[str]:
    """Every "label" in the sidebar's props: the menu as the sidebar's script draws it."""
    if isinstance(value, dict):
        own = [value["label"]] if isinstance(value.get("label"), str) else []
        return own + [label for item in value.values() for label in menu_labels(item)]
    if isinstance(value, list):
        return [label for item in value for label in menu_labels(item)]
    return []


def english_on(html: str, record_values: set[str]) -> dict[str, str]:
    """Each English word on the page, with a piece of the text it was found in."""
    reader = ReadText()
    reader.feed(html)
    texts = reader.texts + (menu_labels(json.loads(reader.sidebar_props)) if reader.sidebar_props else [])
    found = {}
    for text in texts:
        text = URL.sub("", text)
        for value in record_values:
            text = text.replace(value, "")
        for word in ENGLISH_WORD.findall(text):
            if word not in ALLOWED:
                found.setdefault(word, " ".join(text.split())[:100])
    return found


def record_values() -> set[str]:
    """The words the records hold in Latin letters: login names and file names."""
    files = {os.path.basename(document.file.name) for document in Document.objects.all()}
    return set(User.objects.values_list("username", flat=True)) | files


@pytest.fixture
def coordinator_client(client):
    """A coordinator of its own, signed in, the admin in its default language (zh-hans)."""
    user = User.objects.create_user(username="xz01", password="not-used", first_name="协调")
    user.groups.add(Group.objects.get(name=COORDINATORS))
    client.force_login(user)
    return client


def coordinator_admin_pages() -> dict[str, str]:
    course = CoursePage.objects.get(slug="learn-abc")
    snippets = (Volunteer, HelpRequest, SetupSlot, Initiative, Term, Room, AvailabilitySlot, AvailabilityException,
                ClassSession, Notification)
    return {
        "dashboard": reverse("wagtailadmin_home"),
        "term overview": reverse("wagtailadmin_term_overview"),
        "page tree": reverse("wagtailadmin_explore_root"),
        "courses": reverse("wagtailadmin_explore", args=[course.get_parent().pk]),
        "course edit": reverse("wagtailadmin_pages:edit", args=[course.pk]),
        "page search": reverse("wagtailadmin_pages:search") + "?q=书法",
        "snippets": reverse("wagtailsnippets:index"),
        **{model._meta.model_name: reverse(model.snippet_viewset.get_url_name("list")) for model in snippets},
        "volunteer edit": reverse(Volunteer.snippet_viewset.get_url_name("edit"), args=[Volunteer.objects.first().pk]),
        "setup slot add": reverse(SetupSlot.snippet_viewset.get_url_name("add")),
        "timetable": reverse("wagtailadmin_timetable"),
        "planner": reverse("wagtailadmin_timetable_planner", args=[Term.objects.first().pk]),
        "learners import": reverse("wagtailadmin_learners_import"),
        "images": reverse("wagtailimages:index"),
        "documents": reverse("wagtaildocs:index"),
        "account": reverse("wagtailadmin_account"),
    }


def test_coordinators_admin_pages_show_no_english(coordinator_client):
    values = record_values()
    english = {}
    for name, url in coordinator_admin_pages().items():
        response = coordinator_client.get(url)
        assert response.status_code == 200, f"{name} ({url}): {response.status_code}"
        if found := english_on(response.content.decode(), values):
            english[f"{name} {url}"] = found
    assert english == {}, json.dumps(english, ensure_ascii=False, indent=1)


def main_menu(client) -> list[dict]:
    """The sidebar's main menu, as the admin home hands it to the sidebar's script."""
    reader = ReadText()
    reader.feed(client.get(reverse("wagtailadmin_home")).content.decode())
    modules = json.loads(reader.sidebar_props)["modules"]
    return next(module["_args"][0] for module in modules if module["_type"] == "wagtail.sidebar.MainMenuModule")


def menu_items(items: list[dict]) -> list[dict]:
    """Each item of a menu and of its submenus: {"name", "label", "attrs", ...}."""
    found = []
    for item in items:
        found.append(item["_args"][0])
        if item["_type"] == "wagtail.sidebar.SubMenuItem":
            found += menu_items(item["_args"][1])
    return found


def test_help_menu_has_a_name_of_its_own_and_no_counter(coordinator_client):
    items = {item["name"]: item for item in menu_items(main_menu(coordinator_client))}
    assert items["help"]["label"] == "Wagtail 使用说明"
    # The sidebar counts, beside a menu's name, the links marked dismissible and not yet dismissed.
    assert [name for name, item in items.items() if "data-w-dismissible-id-value" in item["attrs"]] == []


def _installed_wagtail_catalogues(domain: str) -> list[Path]:
    apps = {name for name in settings.INSTALLED_APPS if name.startswith("wagtail")}
    found = []
    for po in WAGTAIL_DIR.glob(f"**/locale/en/LC_MESSAGES/{domain}.po"):
        package = "wagtail" + "".join(f".{part}" for part in po.relative_to(WAGTAIL_DIR).parts[:-4])
        if package in apps:
            found.append(po)
    return found


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_every_wagtail_admin_message_has_chinese(domain):
    if domain == "django":
        catalogue = trans_real.translation("zh-hans")._catalog
    else:
        # As Wagtail's /admin/jsi18n/ (Django's JavaScriptCatalog for wagtail.admin) builds it.
        catalogue = trans_real.DjangoTranslation(
            "zh-hans", domain="djangojs", localedirs=[str(WAGTAIL_DIR / "admin" / "locale")])._catalog
    missing = set()
    for po in _installed_wagtail_catalogues(domain):
        for entry in polib.pofile(str(po)):
            key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
            if (key, 0) not in catalogue if entry.msgid_plural else key not in catalogue:
                missing.add(entry.msgid)
    assert sorted(missing) == []


# Wagtail writes these few words without gettext; templates/wagtailadmin/ holds copies that translate them.
TEMPLATE_COPIES = {
    "wagtailadmin/home.html": ('value="Search"', 'value="{% translate "Search" %}"'),
    "wagtailadmin/shared/headers/_actions.html": ('aria-label="Actions"', 'aria-label="{% translate "Actions" %}"'),
}


@pytest.mark.parametrize("name", TEMPLATE_COPIES)
def test_our_copy_of_a_wagtail_template_changes_only_its_english_words(name):
    """After a Wagtail upgrade this names the copy to take again from Wagtail."""
    english, translated = TEMPLATE_COPIES[name]
    ours = (Path(settings.BASE_DIR) / "templates" / name).read_text()
    wagtails = (WAGTAIL_DIR / "admin" / "templates" / name).read_text()
    without_note = re.sub(r"(\{% load i18n %\})?\{% comment %\}.*?\{% endcomment %\}\n", "", ours, count=1, flags=re.S)
    assert without_note == wagtails.replace(english, translated)
