"""Server time of the pages a learner opens, against a plain template page.

Baseline: /help/, a page rendered from a template with no queries beyond the
session. Each learner page is reported as a ratio to it, with its query count.
"""

import json
import statistics
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

REPEATS = 60
WARMUP = 5


def _median_ms(client: Client, url: str) -> tuple[float, int]:
    for _ in range(WARMUP):
        client.get(url)
    samples = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(samples), len(queries)


def run(*, out) -> None:
    from classes.models import ClassSession, JoinLink
    from classes.courses.join_links import join_link_token

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    baseline_ms, baseline_queries = _median_ms(client, "/help/")
    out.write(json.dumps({"bench": "page", "page": "/help/ (baseline)", "median_ms": round(baseline_ms, 2),
                          "queries": baseline_queries, "ratio": 1.0}) + "\n")

    learner_client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    link = JoinLink.objects.filter(learner__isnull=False, revoked_at__isnull=True).select_related("course").first()
    learner_client.get(f"/j/{join_link_token(link=link)}/")
    session = ClassSession.objects.filter(course=link.course).first()

    pages = [(client, "/"), (client, "/courses/"), (client, link.course.url), (client, "/search/?q=书法"),
             (learner_client, "/my/"), (learner_client, f"/class/{session.pk}/")]
    for page_client, url in pages:
        median_ms, queries = _median_ms(page_client, url)
        out.write(json.dumps({"bench": "page", "page": url, "median_ms": round(median_ms, 2), "queries": queries,
                              "ratio": round(median_ms / baseline_ms, 2)}, ensure_ascii=False) + "\n")
