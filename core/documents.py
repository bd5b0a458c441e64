"""How a downloadable file is described next to its button: its kind and size in words
(“PDF，1.2 MB” / “PDF, 1.2 MB”), so a learner on a phone knows what the tap will fetch and
whether to wait for Wi-Fi."""

from pathlib import PurePosixPath

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

# Each with a context: "Text" is also the page body's paragraph block (正文).
# By extension, not by the type the uploader's browser claimed: the extension is what
# WAGTAILDOCS_EXTENSIONS checks, and what the learner's phone opens the file by.
KIND_WORDS = {
    "pdf": pgettext_lazy("kind of file", "PDF"),
    "doc": pgettext_lazy("kind of file", "Word document"),
    "docx": pgettext_lazy("kind of file", "Word document"),
    "ppt": pgettext_lazy("kind of file", "Slides"),
    "pptx": pgettext_lazy("kind of file", "Slides"),
    "xls": pgettext_lazy("kind of file", "Spreadsheet"),
    "xlsx": pgettext_lazy("kind of file", "Spreadsheet"),
    "txt": pgettext_lazy("kind of file", "Text"),
    "mp3": pgettext_lazy("kind of file", "Sound"),
    "m4a": pgettext_lazy("kind of file", "Sound"),
    "wav": pgettext_lazy("kind of file", "Sound"),
    "ogg": pgettext_lazy("kind of file", "Sound"),
    "mp4": pgettext_lazy("kind of file", "Video"),
    "webm": pgettext_lazy("kind of file", "Video"),
    "mov": pgettext_lazy("kind of file", "Video"),
    "jpg": pgettext_lazy("kind of file", "Picture"),
    "jpeg": pgettext_lazy("kind of file", "Picture"),
    "png": pgettext_lazy("kind of file", "Picture"),
    "gif": pgettext_lazy("kind of file", "Picture"),
    "webp": pgettext_lazy("kind of file", "Picture"),
}


def document_kind_words(*, document) -> str:
    extension = PurePosixPath(document.file.name or "").suffix.lower().lstrip(".")
    return str(KIND_WORDS.get(extension, pgettext("kind of file", "File")))


def document_size(*, document) -> int | None:
    """The size in bytes; None when the file is missing. Never written back: a page view
    makes no database writes (Wagtail's get_file_size would save the size it finds)."""
    if document.file_size is not None:
        return document.file_size
    try:
        return document.file.size
    except (OSError, ValueError):
        return None


def document_size_and_type(*, document) -> str:
    """“PDF，1.2 MB”; only the kind when the size cannot be read."""
    kind = document_kind_words(document=document)
    size = document_size(document=document)
    if size is None:
        return kind
    return _("%(kind)s, %(size)s") % {"kind": kind, "size": filesizeformat(size)}
