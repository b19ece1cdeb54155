"""``/metrics``: the Prometheus exposition, what feeds it, and who may read it."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import Session

from issuers.awards.service import AwardRequest, Learner, issue_award
from issuers.awards.tables import Batch, BatchRow, BatchState, RowState
from passport.app import create_app
from passport.database import prepare_database
from passport.metrics import (
    CONTENT_TYPE,
    Counter,
    Gauge,
    Histogram,
    MetricsRegistry,
    PassportMetrics,
)
from passport.metrics_wiring import record_verify_report
from tests.issuers.award_support import (
    NOW,
    add_institution,
    add_program,
    context_for,
    new_master_key,
)
from tests.passport.conftest import development_settings
from tests.passport.live_server import serving
from tests.secrets_guard import register_secret
from tests.storage import sqlite_url

METRICS_TOKEN = register_secret("metrics-token-0123456789abcdef", "metrics token")


def sample(exposition: str, name: str, **labels: str) -> float | None:
    """The value of one sample line, or None when the exposition has no such line."""
    for line in exposition.splitlines():
        series, _, value = line.rpartition(" ")
        found = re.fullmatch(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?", series)
        if found is None or found.group(1) != name:
            continue
        pairs = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', found.group(2) or ""))
        if pairs == labels:
            return float(value)
    return None


def test_exposition_format_of_the_three_kinds() -> None:
    registry = MetricsRegistry()
    counter = registry.add(Counter("jobs_total", "Jobs.\nDone.", ("kind",)))
    gauge = registry.add(Gauge("queue_rows", "Rows.", ("queue",)))
    histogram = registry.add(Histogram("wait_seconds", "Wait.", buckets=(0.1, 1.0)))
    counter.inc(kind='say "hi"\\\n')
    counter.inc(2, kind='say "hi"\\\n')
    gauge.set(5, queue="a")
    for seconds in (0.05, 0.5, 3.0):
        histogram.observe(seconds)
    text = registry.exposition()
    assert "# HELP jobs_total Jobs.\\nDone.\n# TYPE jobs_total counter\n" in text
    assert 'jobs_total{kind="say \\"hi\\"\\\\\\n"} 3\n' in text
    assert '# TYPE queue_rows gauge\nqueue_rows{queue="a"} 5\n' in text
    assert 'wait_seconds_bucket{le="0.1"} 1\nwait_seconds_bucket{le="1"} 2\n' in text
    assert 'wait_seconds_bucket{le="+Inf"} 3\nwait_seconds_sum 3.55\nwait_seconds_count 3\n' in text
    with pytest.raises(ValueError, match="only goes up"):
        counter.inc(-1, kind="x")
    with pytest.raises(ValueError, match="takes the labels"):
        counter.inc(route="/")
    gauge.keep_only(lambda labels: labels["queue"] != "a")
    assert "queue_rows{" not in registry.exposition()


def test_verify_reports_count_verdicts_and_unchecked_status_lists() -> None:
    metrics = PassportMetrics()
    status_check = {"id": "status", "outcome": "could_not_check"}
    part = {"verdict": "could_not_fully_check", "checks": [status_check]}
    unchecked = {"verdict": "could_not_fully_check", "checks": [], "parts": [part]}
    record_verify_report(metrics, {"verdict": "verified", "checks": []})
    record_verify_report(metrics, unchecked)
    record_verify_report(metrics, None)
    record_verify_report(metrics, {"verdict": "made-up"})
    assert metrics.verifications.value(verdict="verified") == 1
    assert metrics.verifications.value(verdict="could_not_fully_check") == 1
    assert metrics.status_fetch_errors.value() == 1


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    settings = development_settings(sqlite_url(tmp_path_factory.mktemp("metrics")))
    prepare_database(settings)
    return create_app(settings)


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[httpx.Client]:
    with serving(app) as base_url, httpx.Client(base_url=base_url) as http:
        yield http


def test_http_requests_are_counted_by_route_template_and_status_class(
    client: httpx.Client,
) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.get("/no/such/page/123").status_code == 404
    verified = client.post("/api/v1/verify", json={"type": "nothing"})
    assert verified.status_code == 200 and verified.json()["verdict"] == "not_verified"

    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"] == CONTENT_TYPE
    text = response.text
    labels = {"method": "GET", "route": "/healthz", "status_class": "2xx"}
    assert sample(text, "passport_http_requests_total", **labels) == 1
    unmatched = {"method": "GET", "route": "<unmatched>", "status_class": "4xx"}
    assert sample(text, "passport_http_requests_total", **unmatched) == 1
    assert "/no/such/page/123" not in text
    latency = {"method": "GET", "route": "/healthz", "le": "+Inf"}
    assert sample(text, "passport_http_request_duration_seconds_bucket", **latency) == 1
    assert sample(text, "passport_verifications_total", verdict="not_verified") == 1
    assert sample(text, "passport_credentials_issued_total") == 0


def test_metrics_are_refused_to_forwarded_requests_without_a_token(client: httpx.Client) -> None:
    response = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_a_configured_token_is_required(tmp_path: Path) -> None:
    settings = development_settings(sqlite_url(tmp_path), metrics_token=METRICS_TOKEN)
    prepare_database(settings)
    with serving(create_app(settings)) as base_url, httpx.Client(base_url=base_url) as http:
        assert http.get("/metrics").status_code == 401
        wrong = {"Authorization": "Bearer metrics-token-0123456789abcdeX"}
        assert http.get("/metrics", headers=wrong).status_code == 401
        right = {"Authorization": f"Bearer {METRICS_TOKEN}"}
        assert http.get("/metrics", headers=right).status_code == 200
        forwarded = {**right, "X-Forwarded-For": "203.0.113.9"}
        assert http.get("/metrics", headers=forwarded).status_code == 200


def test_committed_awards_are_counted_and_rolled_back_ones_are_not(app: FastAPI) -> None:
    master = new_master_key()
    with Session(app.state.engine, expire_on_commit=False) as session:
        institution = add_institution(session, master, "college-metrics")
        program = add_program(session, institution)
        session.commit()
        context = context_for(session, master, institution, program)
        learner = Learner("Jo Lee", "jo@example.ca")
        before = app.state.metrics.issued.value()
        issue_award(session, context, AwardRequest(learner), NOW)
        issue_award(session, context, AwardRequest(learner), NOW)
        session.commit()
        assert app.state.metrics.issued.value() == before + 2
        issue_award(session, context, AwardRequest(learner), NOW)
        session.rollback()
        assert app.state.metrics.issued.value() == before + 2


def add_batch(session: Session, state: BatchState, rows: dict[RowState, int]) -> str:
    institution = add_institution(session, new_master_key(), f"college-{uuid.uuid4().hex[:8]}")
    program = add_program(session, institution)
    assert institution.id is not None and program.id is not None
    batch = Batch(
        id=str(uuid.uuid4()),
        institution_id=institution.id,
        program_id=program.id,
        filename="cohort.csv",
        state=state.value,
        total_rows=sum(rows.values()),
        created_by="registrar",
        created_at=NOW,
        updated_at=NOW.replace(year=2999),
    )
    session.add(batch)
    session.flush()
    line = 0
    for row_state, count in rows.items():
        for _ in range(count):
            line += 1
            session.add(
                BatchRow(
                    batch_id=batch.id,
                    line_number=line,
                    external_id=f"s-{line}",
                    learner={"name": "A", "email": "a@example.ca"},
                    state=row_state.value,
                )
            )
    session.commit()
    return batch.id


def test_batch_progress_gauges_come_from_the_batch_tables(app: FastAPI) -> None:
    with Session(app.state.engine) as session:
        running = add_batch(session, BatchState.RUNNING, {RowState.ISSUED: 2, RowState.PENDING: 3})
        failed = add_batch(session, BatchState.FAILED, {RowState.EXISTING: 1, RowState.PENDING: 4})
        completed = add_batch(session, BatchState.COMPLETED, {RowState.ISSUED: 2})
    text = app.state.metrics.exposition()
    assert sample(text, "passport_batch_rows", batch_id=running, state="done") == 2
    assert sample(text, "passport_batch_rows", batch_id=running, state="pending") == 3
    assert sample(text, "passport_batch_rows", batch_id=running, state="failed") == 0
    assert sample(text, "passport_batch_rows", batch_id=failed, state="done") == 1
    assert sample(text, "passport_batch_rows", batch_id=failed, state="failed") == 4
    assert f'batch_id="{completed}"' not in text
    with Session(app.state.engine) as session:
        batch = session.get(Batch, running)
        assert batch is not None
        batch.state = BatchState.COMPLETED.value
        session.add(batch)
        session.commit()
    assert f'batch_id="{running}"' not in app.state.metrics.exposition()


def test_html_pages_are_timed_in_the_pages_histogram_once_per_request(
    client: httpx.Client,
) -> None:
    before = client.get("/metrics").text
    route = {"route": "/s/{token}"}
    counted = sample(before, "passport_page_duration_seconds_count", **route) or 0
    assert client.get("/s/" + "A" * 43).headers["content-type"].startswith("text/html")
    assert client.get("/healthz").status_code == 200

    text = client.get("/metrics").text
    assert sample(text, "passport_page_duration_seconds_count", **route) == counted + 1
    assert sample(text, "passport_page_duration_seconds_bucket", **route, le="+Inf") == counted + 1
    assert sample(text, "passport_page_duration_seconds_bucket", **route, le="0.1") is not None
    # JSON answers and the scrape itself are not pages.
    assert sample(text, "passport_page_duration_seconds_count", route="/healthz") is None
    assert sample(text, "passport_page_duration_seconds_count", route="/metrics") is None
