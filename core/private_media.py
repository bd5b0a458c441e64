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
import re
import secrets
from pathlib import PurePosixPath
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.deconstruct import deconstructible

# 32 random bytes (256 bits) make a name nobody guesses or enumerates, however many files there are.
NAME_BYTES = 32
# An extension is kept only so the file is served with its type; a longer "extension" is not one.
EXTENSION_MAX = 5
# The names never change (a new file gets a new name), so a member's phone may keep what it
# fetched for a day instead of downloading every photo again on each scroll; never a shared cache.
CACHE_CONTROL = "private, max-age=86400"
# One byte range ("bytes=500-", "bytes=0-99", "bytes=-100"): what a video or audio player asks
# for to seek. Several ranges in one request are answered with the whole file.
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
# A range is read and sent a piece at a time: a class recording is hundreds of MB.
STREAM_PIECE_BYTES = 256 * 1024


# What PrivateName makes: a folder, a random URL-safe name and perhaps an extension. A file's
# view checks the name asked for against it before looking the file up: anything else is no
# file of ours, and a NUL byte in a query is an error in PostgreSQL, not a miss.
PRIVATE_NAME = re.compile(r"[a-z-]+/[A-Za-z0-9_-]+(\.[a-z0-9]{1,%d})?" % (EXTENSION_MAX - 1))


def is_private_name(name: str) -> bool:
    return PRIVATE_NAME.fullmatch(name) is not None


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


def private_file_response(*, storage: Storage, name: str, request=None) -> HttpResponse:
    """The file, for someone the caller has already let in; Http404 when it is not there.
    Given the `request`, a byte range it asks for is answered (206), so a player can seek."""
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    prefix = settings.PRIVATE_MEDIA_ACCEL_REDIRECT
    if prefix:
        # The proxy's `internal` location sends the file (and answers ranges); Django never reads it.
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name)
    else:
        try:
            file = storage.open(name, "rb")
        except (FileNotFoundError, IsADirectoryError):
            raise Http404 from None
        wanted = RANGE.match(request.headers.get("Range", "").strip()) if request is not None else None
        if wanted and (wanted[1] or wanted[2]):
            response = _range_response(file, storage.size(name), wanted, content_type)
        else:
            response = FileResponse(file, content_type=content_type)
        if request is not None:
            response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = CACHE_CONTROL
    return response


def _range_response(file, size: int, wanted: re.Match, content_type: str) -> HttpResponse:
    if wanted[1]:
        start = int(wanted[1])
        end = min(int(wanted[2]), size - 1) if wanted[2] else size - 1
    else:  # the last N bytes
        start, end = max(size - int(wanted[2]), 0), size - 1
    if start > end or start >= size:
        file.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    file.seek(start)

    def pieces(left=end - start + 1):
        with file:
            while left > 0:
                piece = file.read(min(STREAM_PIECE_BYTES, left))
                if not piece:
                    return
                left -= len(piece)
                yield piece

    response = StreamingHttpResponse(pieces(), status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(end - start + 1)
    return response
