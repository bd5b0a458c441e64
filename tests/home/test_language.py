import gettext
from pathlib import Path

import polib
import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

PO_FILE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_no_accept_language_is_served_in_chinese(client):
    response = client.get("/")
    assert '<html lang="zh-Hans"' in response.content.decode()


def test_accept_language_zh_cn_is_served_in_chinese(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    body = response.content.decode()
    assert '<html lang="zh-Hans"' in body
    assert ">求助<" in body


def test_accept_language_english_is_served_in_english(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    body = response.content.decode()
    assert '<html lang="en"' in body
    assert ">Help<" in body


def test_english_switch_keeps_english_on_the_next_page(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/courses/"}, HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response.status_code == 302
    assert response["Location"] == "/courses/"
    page = client.get("/courses/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert '<html lang="en"' in page.content.decode()


def test_every_page_offers_the_other_language(client):
    chinese = client.get("/help/").content.decode()
    english = client.get("/help/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="language" value="en"' in chinese
    assert 'name="language" value="zh-hans"' in english


def test_wagtail_admin_speaks_chinese_to_coordinators(client):
    client.login(username="coordinator", password="demo-coordinator")
    response = client.get("/admin/")
    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.content.decode()


def test_every_message_has_a_chinese_translation():
    catalogue = polib.pofile(str(PO_FILE))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == [] and fuzzy == []


def _compiled(translations: gettext.GNUTranslations, entry: polib.POEntry) -> str:
    return translations.pgettext(entry.msgctxt, entry.msgid) if entry.msgctxt else translations.gettext(entry.msgid)


def test_compiled_catalogue_matches_the_po_file():
    catalogue = polib.pofile(str(PO_FILE))
    with open(PO_FILE.with_suffix(".mo"), "rb") as compiled:
        translations = gettext.GNUTranslations(compiled)
    stale = [e.msgid for e in catalogue.translated_entries() if not e.msgid_plural and _compiled(translations, e) != e.msgstr]
    assert stale == []
