"""The short form of `make loadtest` (benchmarks/loadtest.py): two live classes of a teacher
and three learners for a few seconds on two Daphne processes, through a Daphne killed
mid-class, a Redis restart and, on PostgreSQL, a database cut off for a few seconds.
Every socket is the page's client (tests/server.py's ClassSocket): it reconnects, resumes
from its last contiguous number and sends its unsettled messages again.

Redis is a redis-server of this module's own on a free port (restarting the machine's
Redis would break other runs): without redis-server this module is skipped on a laptop,
and in CI it fails instead. The database follows the run: PostgreSQL when DATABASE_URL
names it (CI's second run), in a database of its own made on that server and reached
through a proxy the test cuts; otherwise a copy of the seeded SQLite site, where the
database cut is not made (a file has no network to cut) and its test says so.
"""

import os
import urllib.parse

import pytest

from benchmarks.loadtest import Plan, run_load
from tests.server import ServerError, redis_server_installed

# Each person writes well under the chat's limit of 20 a minute, retries included.
PLAN = Plan(rooms=2, learners=3, seconds=12, learner_chat_every_s=(4, 6), teacher_chat_every_s=(3.5, 4.5),
            page_load_every_s=4, database_cut_s=3, pinned=False)

pytestmark = pytest.mark.skipif(
    not redis_server_installed() and not os.environ.get("CI"),
    reason="redis-server is not installed; the load test restarts a Redis of its own",
)


def _postgres_admin_url() -> str | None:
    """The PostgreSQL server DATABASE_URL names (its `postgres` database), or None on SQLite."""
    url = urllib.parse.urlsplit(os.environ.get("DATABASE_URL", ""))
    if not url.scheme.startswith("postgres"):
        return None
    return url._replace(path="/postgres").geturl()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, seeded_demo):
    if not redis_server_installed():
        pytest.fail("redis-server is not installed (apt-get install redis-server). In CI a missing "
                    "redis-server is a failure, not a skip.", pytrace=False)
    try:
        result, faults = run_load(PLAN, workdir=tmp_path_factory.mktemp("load-faults"),
                                  postgres_admin_url=_postgres_admin_url(), seeded=seeded_demo.root)
    except ServerError as error:
        pytest.fail(str(error), pytrace=False)
    print(result, faults)
    return result, {fault["fault"]: fault for fault in faults}


def test_through_a_killed_daphne_a_redis_restart_and_a_database_cut_no_message_is_lost(loaded):
    result, faults = loaded

    assert result["sent"] > 0
    assert (result["lost"], result["unsettled"]) == (0, 0), result


def test_through_the_faults_no_message_is_stored_or_shown_twice(loaded):
    result, _ = loaded

    assert result["duplicated"] == 0, result


def test_the_killed_daphnes_sockets_reconnect_to_the_other_and_resume(loaded):
    result, faults = loaded

    assert faults["daphne_killed"]["sockets_on_it"] > 0
    # 1006: dropped without a closing handshake, as a killed process drops its sockets.
    assert result["reconnects"].get("1006", 0) >= faults["daphne_killed"]["sockets_on_it"], result


def test_after_a_redis_restart_the_sockets_on_a_failed_channel_close_with_4503_and_come_back(loaded):
    result, faults = loaded

    assert "redis_restarted" in faults
    assert result["reconnects"].get("4503", 0) > 0, result
    assert result["stored"] == result["sent"], result


def test_a_database_cut_off_answers_unavailable_and_the_class_carries_on(loaded):
    result, faults = loaded
    if result["database"] != "postgresql":
        pytest.skip("on SQLite the database is a file with no network to cut; CI's PostgreSQL run makes this fault")

    assert faults["database_cut"]["cut_s"] == PLAN.database_cut_s
    assert result["error_frames"].get("unavailable", 0) > 0, result
    assert (result["lost"], result["duplicated"], result["unsettled"]) == (0, 0, 0), result
