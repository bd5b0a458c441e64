"""Files that only some people may fetch, such as a learning group's photos and voice messages.

They are kept under PRIVATE_MEDIA_ROOT, outside MEDIA_ROOT: the public /media/ route
(Django's in development, the proxy's in production) serves MEDIA_ROOT to anyone who
knows a name. Their names are random, so one member's address tells nothing about any
other file. A file's URL names a view that checks who asks; the view then answers with
`private_file_response`, which lets the proxy send the bytes (X-Accel-Redirect) or, with
no proxy configured, streams them itself.
"""

import mimetypes
import os
import secrets
from pathlib import PurePosixPath
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.utils.deconstruct import deconstructible

# 32 random bytes (256 bits) make a name nobody guesses or enumerates, however many files there are.
NAME_BYTES = 32
# An extension is kept only so the file is served with its type; a longer "extension" is not one.
EXTENSION_MAX = 5
# The names never change (a new file gets a new name), so a member's phone may keep what it
# fetched for a day instead of downloading every photo again on each scroll; never a shared cache.
CACHE_CONTROL = "private, max-age=86400"


@deconstructible
class PrivateName:
    """`upload_to` for private files: `<folder>/<random>.<ext>`, nothing of the uploaded name
    or the upload's date, which would make the next name guessable."""

    def __init__(self, folder: str):
        self.folder = folder

    def __call__(self, instance, filename: str) -> str:
        extension = PurePosixPath(filename).suffix.lower()
        if not (extension[1:].isascii() and extension[1:].isalnum() and len(extension) <= EXTENSION_MAX):
            extension = ""
        return f"{self.folder}/{secrets.token_urlsafe(NAME_BYTES)}{extension}"


@deconstructible
class PrivateStorage(FileSystemStorage):
    """Files under PRIVATE_MEDIA_ROOT whose URL is the view named `view_name` (taking `name`).

    The root is read from the settings at each use, so a test that points it elsewhere is obeyed."""

    def __init__(self, *, view_name: str):
        self.view_name = view_name
        super().__init__()

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        return reverse(self.view_name, kwargs={"name": name})


def private_file_response(*, storage: Storage, name: str) -> HttpResponse:
    """The file, for someone the caller has already let in; Http404 when it is not there."""
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    prefix = settings.PRIVATE_MEDIA_ACCEL_REDIRECT
    if prefix:
        # The proxy's `internal` location sends the file; Django never reads it.
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name)
    else:
        try:
            response = FileResponse(storage.open(name, "rb"), content_type=content_type)
        except (FileNotFoundError, IsADirectoryError):
            raise Http404 from None
    response["Cache-Control"] = CACHE_CONTROL
    return response
