"""Backup and restore (`manage.py backup_site` / `restore_site`, docs/deploy.md): the demo
centre with an uploaded file is backed up, restored into a fresh database and empty media
folders, and comes back with as many rows of every model and the same files.

On SQLite always (a copy of the seeded site); on PostgreSQL too when DATABASE_URL names it
(CI's second run), in two databases of the test's own on that server, made with pg_dump and
pg_restore. Each run is a site of its own, driven through manage.py as an operator would.
"""

import contextlib
import json
import os
import urllib.parse
from pathlib import Path

import pytest

from tests.server import ManageError, manage, manage_json, postgres_database, site_copy, site_env

COUNTS = "from core.backup import row_counts; import json; print(json.dumps(row_counts()))"
UPLOAD = ("photos", "作业.jpg")


def _postgres_admin_url() -> str | None:
    """The PostgreSQL server DATABASE_URL names (its `postgres` database), or None on SQLite."""
    url = urllib.parse.urlsplit(os.environ.get("DATABASE_URL", ""))
    return url._replace(path="/postgres").geturl() if url.scheme.startswith("postgres") else None


DATABASES = ["sqlite", "postgresql"]


def _sites(tmp_path: Path, seeded_demo, vendor: str, stack) -> tuple[dict, dict]:
    """The environments of the site backed up (seeded, with an upload) and of the fresh one restored into."""
    source_root, target_root = tmp_path / "source", tmp_path / "target"
    target_root.mkdir()
    if vendor == "sqlite":
        site_copy(seeded_demo.root, source_root)
        source, target = site_env(source_root), site_env(target_root)
    else:
        admin_url = _postgres_admin_url()
        if admin_url is None:
            pytest.skip("DATABASE_URL does not name PostgreSQL: this case runs in CI's PostgreSQL run")
        source_root.mkdir()
        source = site_env(source_root, DATABASE_URL=stack.enter_context(postgres_database(admin_url)))
        target = site_env(target_root, DATABASE_URL=stack.enter_context(postgres_database(admin_url)))
        manage(source, "migrate", "--noinput")
        manage(source, "seed_demo")
    upload = Path(source["MEDIA_ROOT"], *UPLOAD)
    upload.parent.mkdir(parents=True, exist_ok=True)
    upload.write_bytes(b"\xff\xd8 a learner's photo")
    return source, target


@pytest.fixture(params=DATABASES, scope="module")
def restored(request, tmp_path_factory, seeded_demo):
    """Back the source up, restore into the target: both sites' rows per model, and the target's env.
    Made once per database for the module: the tests only read what the restore left."""
    tmp_path = tmp_path_factory.mktemp(f"backup-{request.param}")
    with contextlib.ExitStack() as stack:
        source, target = _sites(tmp_path, seeded_demo, request.param, stack)
        try:
            manage(source, "backup_site", str(tmp_path / "backup"))
            output = manage(target, "restore_site", str(tmp_path / "backup"))
            yield {"backed_up": manage_json(source, COUNTS), "restored": manage_json(target, COUNTS),
                   "target": target, "backup": tmp_path / "backup", "output": output}
        except ManageError as error:
            pytest.fail(str(error), pytrace=False)


def test_a_restored_backup_has_as_many_rows_of_every_model_as_the_site_backed_up(restored):
    assert restored["restored"] == restored["backed_up"]
    assert restored["backed_up"]["classes.CoursePage"] > 0, "the demo centre was backed up, not an empty site"
    assert "every model has as many rows as were backed up" in restored["output"]


def test_a_restored_backup_brings_the_uploaded_files_back(restored):
    assert Path(restored["target"]["MEDIA_ROOT"], *UPLOAD).read_bytes() == b"\xff\xd8 a learner's photo"


def test_restoring_into_a_database_that_has_tables_is_refused(restored):
    with pytest.raises(ManageError, match="already has tables"):
        manage(restored["target"], "restore_site", str(restored["backup"]))


def test_a_restore_whose_rows_differ_from_the_backups_fails_naming_the_model(tmp_path, seeded_demo):
    source_root, target_root = tmp_path / "source", tmp_path / "target"
    site_copy(seeded_demo.root, source_root)
    target_root.mkdir()
    manage(site_env(source_root), "backup_site", str(tmp_path / "backup"))
    manifest_file = tmp_path / "backup" / "manifest.json"
    manifest = json.loads(manifest_file.read_text())
    manifest["counts"]["classes.Learner"] += 1  # as if a learner had gone missing on the way
    manifest_file.write_text(json.dumps(manifest))

    with pytest.raises(ManageError, match=r"classes\.Learner: backed up \d+, restored \d+"):
        manage(site_env(target_root), "restore_site", str(tmp_path / "backup"))
