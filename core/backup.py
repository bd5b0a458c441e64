"""Backing the site up and restoring it (docs/deploy.md, *Backup and restore*): the database
(pg_dump's custom format on PostgreSQL, SQLite's online backup API on SQLite) and the media
folders, with a manifest of rows per model, so a restore can prove it brought everything back.

`manage.py backup_site <folder>` and `manage.py restore_site <folder>` stand on this.
"""

import json
import os
import sqlite3
import subprocess
import tarfile
from contextlib import closing
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone

MANIFEST = "manifest.json"
POSTGRES_DUMP = "database.pgdump"
SQLITE_COPY = "database.sqlite3"
# The folders of uploaded files, by setting; each is kept as <setting>.tar.gz.
MEDIA_SETTINGS = ("MEDIA_ROOT", "PRIVATE_MEDIA_ROOT")


class BackupError(RuntimeError):
    """A backup or restore could not be made; the message says why."""


def row_counts() -> dict[str, int]:
    """Rows per concrete model (many-to-many tables included), by label: what a restore must match."""
    counts = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        counts[meta.label] = model._base_manager.using(connection.alias).count()
    return dict(sorted(counts.items()))


def _postgres_env() -> tuple[list[str], dict[str, str]]:
    """pg_dump / pg_restore's connection arguments for the default database, the password in the environment."""
    db = settings.DATABASES["default"]
    args = ["--host", db.get("HOST") or "127.0.0.1", "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args + ["--dbname", db["NAME"]], env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} exited with {result.returncode}: {result.stderr.strip()}")


def _media_folders() -> dict[str, Path]:
    return {name: Path(getattr(settings, name)) for name in MEDIA_SETTINGS if getattr(settings, name, None)}


def backup_make(*, folder: Path) -> dict:
    """Write the database, the media folders and the manifest into `folder` (new or empty); the manifest."""
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: a backup goes into a folder of its own")
    folder.mkdir(parents=True, exist_ok=True)
    vendor = connection.vendor
    # The counts first, the dump after: on a live site rows written in between are in the dump
    # and not in the counts, and the restore says so rather than passing silently.
    counts = row_counts()
    if vendor == "postgresql":
        args, env = _postgres_env()
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-acl", "--file", str(folder / POSTGRES_DUMP), *args],
             env)
    elif vendor == "sqlite":
        connection.ensure_connection()
        # The online backup API, not a file copy: what is still in the write-ahead log comes along.
        with closing(sqlite3.connect(folder / SQLITE_COPY)) as copy:
            connection.connection.backup(copy)
    else:
        raise BackupError(f"no backup for a {vendor} database")
    media = {}
    for name, root in _media_folders().items():
        if root.is_dir():
            with tarfile.open(folder / f"{name}.tar.gz", "w:gz") as archive:
                archive.add(root, arcname=".")
            media[name] = f"{name}.tar.gz"
    manifest = {"made_at": timezone.now().isoformat(), "vendor": vendor, "counts": counts, "media": media}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    return manifest


def backup_restore(*, folder: Path) -> dict[str, tuple[int, int]]:
    """Restore `folder` into the configured database, which must be fresh (no tables), and
    its media folders; the models whose rows differ from the manifest's (backed up, restored)."""
    manifest = json.loads((folder / MANIFEST).read_text())
    vendor = connection.vendor
    if manifest["vendor"] != vendor:
        raise BackupError(f"the backup is of a {manifest['vendor']} database, this site uses {vendor}")
    if connection.introspection.table_names():
        raise BackupError("the database already has tables: restore into a fresh, empty database")
    if vendor == "postgresql":
        args, env = _postgres_env()
        _run(["pg_restore", "--no-owner", "--no-acl", "--exit-on-error", *args, str(folder / POSTGRES_DUMP)], env)
    else:
        connection.ensure_connection()
        with closing(sqlite3.connect(folder / SQLITE_COPY)) as copy:
            copy.backup(connection.connection)
    connection.close()  # the next query sees the restored tables afresh
    for name, root in _media_folders().items():
        if archive_name := manifest["media"].get(name):
            if root.is_dir() and any(root.iterdir()):
                raise BackupError(f"{root} ({name}) is not empty: restore into an empty folder")
            root.mkdir(parents=True, exist_ok=True)
            with tarfile.open(folder / archive_name) as archive:
                archive.extractall(root, filter="data")
    restored = row_counts()
    backed_up = manifest["counts"]
    return {label: (backed_up.get(label, 0), restored.get(label, 0))
            for label in sorted(set(backed_up) | set(restored)) if backed_up.get(label, 0) != restored.get(label, 0)}

