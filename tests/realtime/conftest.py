"""What the tests with real Daphne processes share: the demo centre migrated and seeded
once per run, which each module copies into a site of its own (tests/server.py's site_copy)."""

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.server import ManageError, join_paths_from, manage, site_env


@dataclass(frozen=True)
class SeededDemo:
    """A site as migrate and seed_demo left it, to be copied, never served itself."""

    root: Path
    join_paths: dict[tuple[str, str], str]


@pytest.fixture(scope="session")
def seeded_demo(tmp_path_factory) -> SeededDemo:
    # Migrating takes over ten seconds on a busy two-core machine; once is enough.
    root = tmp_path_factory.mktemp("seeded-demo")
    env = site_env(root)
    try:
        manage(env, "migrate", "--noinput")
        join_paths = join_paths_from(manage(env, "seed_demo"))
    except ManageError as error:
        pytest.fail(str(error), pytrace=False)
    assert join_paths, "seed_demo printed no join links"
    return SeededDemo(root=root, join_paths=join_paths)
