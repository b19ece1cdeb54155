"""How the shell feeds ``PassportMetrics`` without the components importing it, and ``/metrics``.

``issuers`` and ``verifier`` may not import ``passport`` (docs/architecture.md) and expose no
metric hooks, so the shell observes what they do from the outside:

- **HTTP**: an ASGI middleware times every request and counts it by route template (never the
  raw path, so ids and tokens in URLs never become label values) and status class; a GET
  answered with an HTML page is also timed in the pages' histogram.
- **Verifications**: the same middleware reads the verdict of ``POST /api/v1/verify``'s report,
  which the route leaves in the request's state (``verifier.REPORT_STATE``), and counts a status
  check that "could not check" as a status-list fetch error. The employer page (HTML) and the
  passport's import are not counted yet.
- **Issuance**: SQLAlchemy session events count ``Award`` rows when their transaction commits,
  whoever inserts them in this process (single awards flushed as objects; batch runner threads
  and ``passport worker`` insert groups in bulk and leave their count in the session,
  ``issuers.cohorts.batch_store.INSERTED_AWARDS``), and revocations, suspensions and restorations by
  their audit events.
- **Fetches**: the verifier's guarded fetcher counts its failures by kind (``infra.fetch.counts``)
  and ``OutboundSlots`` the verifications it shed; each scrape copies them into the counters.
- **Batches**: before each scrape, the batch tables give done / pending / failed rows of every
  unfinished batch (and of those that failed in the last day). This reads the database, so
  it is right whichever process runs the batch.

``GET /metrics`` needs ``Authorization: Bearer <PASSPORT_METRICS_TOKEN>`` when that is set;
otherwise it answers only clients on the loopback interface whose request was not forwarded by
a proxy (a proxy on the same host would make every client look local).
"""

from __future__ import annotations

import hmac
import logging
import time
import weakref
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from pydantic import SecretStr
from sqlalchemy import Engine, and_, event, func, or_
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from credentials import Forbidden, Unauthorized
from infra import BUDGET_PREFIX, FetchCounts, OutboundSlots
from issuers import INSERTED_AWARDS, AuditEvent, Award, Batch, BatchRow, BatchState, RowState
from passport.metrics import CONTENT_TYPE, STATUS_ACTIONS, VERDICTS, PassportMetrics
from verifier import API_PATH as VERIFY_API_PATH
from verifier import REPORT_STATE

logger = logging.getLogger("passport.metrics")

METRICS_PATH = "/metrics"
UNMATCHED_ROUTE = "<unmatched>"
FAILED_BATCH_WINDOW = timedelta(days=1)
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1"})
FORWARDING_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")
_NEW_AWARDS = "passport.metrics.new_awards"
_NEW_STATUS_CHANGES = "passport.metrics.new_status_changes"
_ENGINE_METRICS: weakref.WeakKeyDictionary[Engine, PassportMetrics] = weakref.WeakKeyDictionary()


def route_template(scope: Scope) -> str:
    """The matched route's template (``/api/v1/awards/{award_id}``), never the raw path."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return UNMATCHED_ROUTE
    return f"{path}/{{path}}" if isinstance(route, Mount) else path


def record_verify_report(metrics: PassportMetrics, report: Any) -> None:
    """Count the verdict of a verify API report, and a status check that could not check."""
    if not isinstance(report, dict) or report.get("verdict") not in VERDICTS:
        return
    metrics.record_verification(report["verdict"])
    if _status_unchecked(report):
        metrics.record_status_fetch_error()


def _status_unchecked(report: dict[str, Any]) -> bool:
    checks = report.get("checks") or []
    if any(c.get("id") == "status" and c.get("outcome") == "could_not_check" for c in checks):
        return True
    return any(_status_unchecked(part) for part in report.get("parts") or [])


class HttpMetrics:
    """ASGI middleware: count and time every HTTP request; read verify API verdicts."""

    def __init__(self, app: ASGIApp, *, metrics: PassportMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status, page = 500, False

        async def observing_send(message: Message) -> None:
            nonlocal status, page
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = dict(message.get("headers", []))
                page = headers.get(b"content-type", b"").startswith(b"text/html")
            await send(message)

        try:
            await self.app(scope, receive, observing_send)
        finally:
            elapsed = time.perf_counter() - started
            route = route_template(scope)
            self.metrics.observe_request(scope["method"], route, status, elapsed, page=page)
        # The verify API leaves its report in the request's state (verifier.REPORT_STATE).
        if route == VERIFY_API_PATH and status == 200:
            record_verify_report(self.metrics, scope.get("state", {}).get(REPORT_STATE))


def _engine_of(session: OrmSession) -> Engine | None:
    bind = session.bind
    if bind is None:
        return None
    return bind if isinstance(bind, Engine) else bind.engine


def _count_new_awards(session: OrmSession, _context: Any) -> None:
    new = sum(1 for item in session.new if isinstance(item, Award))
    if new:
        session.info[_NEW_AWARDS] = session.info.get(_NEW_AWARDS, 0) + new
    changes = session.info.setdefault(_NEW_STATUS_CHANGES, {})
    for item in session.new:
        if isinstance(item, AuditEvent) and item.action in STATUS_ACTIONS:
            changes[item.action] = changes.get(item.action, 0) + 1


def metrics_of(engine: Engine) -> PassportMetrics | None:
    """The metrics that count what this engine's sessions commit, if any were installed."""
    return _ENGINE_METRICS.get(engine)


def observe_engine(engine: Engine, metrics: PassportMetrics) -> None:
    """Count the awards and status changes committed through ``engine`` into ``metrics``."""
    _ENGINE_METRICS[engine] = metrics


def _report_committed_awards(session: OrmSession) -> None:
    count = session.info.pop(_NEW_AWARDS, 0) + session.info.pop(INSERTED_AWARDS, 0)
    changes = session.info.pop(_NEW_STATUS_CHANGES, {})
    engine = _engine_of(session)
    metrics = metrics_of(engine) if engine is not None else None
    if metrics is None:
        return
    if count:
        metrics.record_issued(count)
    for action, changed in changes.items():
        metrics.record_status_change(action, changed)


def _forget_rolled_back_awards(session: OrmSession) -> None:
    session.info.pop(_NEW_AWARDS, None)
    session.info.pop(INSERTED_AWARDS, None)
    session.info.pop(_NEW_STATUS_CHANGES, None)


event.listen(OrmSession, "after_flush", _count_new_awards)
event.listen(OrmSession, "after_commit", _report_committed_awards)
event.listen(OrmSession, "after_rollback", _forget_rolled_back_awards)


def batch_progress_collector(engine: Engine, metrics: PassportMetrics) -> Callable[[], None]:
    """A collector that sets the batch gauges from the batch tables (any process's batches)."""
    unfinished = [BatchState.QUEUED.value, BatchState.RUNNING.value]
    done_states = {RowState.ISSUED.value, RowState.EXISTING.value}

    def collect() -> None:
        since = datetime.now(UTC) - FAILED_BATCH_WINDOW
        statement = (
            select(Batch.id, Batch.state, BatchRow.state, func.count())
            .join(BatchRow, col(BatchRow.batch_id) == col(Batch.id))
            .where(
                or_(
                    col(Batch.state).in_(unfinished),
                    and_(
                        col(Batch.state) == BatchState.FAILED.value, col(Batch.updated_at) >= since
                    ),
                )
            )
            .group_by(col(Batch.id), col(Batch.state), col(BatchRow.state))
        )
        try:
            with Session(engine) as session:
                rows = session.exec(statement).all()
        except SQLAlchemyError as error:
            logger.warning("metrics: batch progress unavailable: %s", type(error).__name__)
            return
        progress: dict[str, list[int]] = {}
        for batch_id, batch_state, row_state, count in rows:
            counts = progress.setdefault(batch_id, [0, 0, 0])
            if row_state in done_states:
                counts[0] += count
            else:
                counts[2 if batch_state == BatchState.FAILED.value else 1] += count
        for batch_id, (done, pending, failed) in progress.items():
            metrics.set_batch_progress(batch_id, done, pending, failed)
        metrics.forget_batches_except(set(progress))

    return collect


def _authorize(request: Request, token: SecretStr | None) -> None:
    if token is not None:
        scheme, _, presented = request.headers.get("authorization", "").partition(" ")
        expected = token.get_secret_value().encode()
        if scheme.lower() != "bearer" or not hmac.compare_digest(presented.encode(), expected):
            raise Unauthorized("GET /metrics needs the metrics bearer token")
        return
    client = request.client.host if request.client else ""
    forwarded = any(name in request.headers for name in FORWARDING_HEADERS)
    if client not in LOOPBACK_HOSTS or forwarded:
        raise Forbidden(
            "/metrics answers loopback clients only unless PASSPORT_METRICS_TOKEN is set"
        )


def metrics_router(metrics: PassportMetrics, token: SecretStr | None) -> APIRouter:
    router = APIRouter()

    @router.get(METRICS_PATH, include_in_schema=False)
    def metrics_endpoint(request: Request) -> Response:
        """The Prometheus text exposition of this process's metrics."""
        _authorize(request, token)
        body = metrics.exposition()
        return Response(body, media_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})

    return router


def load_shedding_collector(slots: OutboundSlots, metrics: PassportMetrics) -> Callable[[], None]:
    """At each scrape, add the verifications shed since the last one to the counter."""

    def collect() -> None:
        metrics.load_shed.inc(slots.shed - metrics.load_shed.value())

    return collect


def fetch_counts_collector(counts: FetchCounts, metrics: PassportMetrics) -> Callable[[], None]:
    """At each scrape, bring the fetch counters up to what the verifier's fetcher counted."""

    def collect() -> None:
        for kind, total in counts.snapshot().items():
            if kind.startswith(BUDGET_PREFIX):
                counter, labels = (
                    metrics.fetch_budget_exhausted,
                    {"limit": kind[len(BUDGET_PREFIX) :]},
                )
            else:
                counter, labels = metrics.fetch_failures, {"kind": kind}
            counter.inc(total - counter.value(**labels), **labels)

    return collect


def install_metrics(app: FastAPI) -> PassportMetrics:
    """Create the app's metrics, observe its engine, serve ``/metrics``, time every request.

    Call after every other middleware but the request log's (``passport.request_log``): the
    middleware added here then wraps them, so it also times and counts what they refuse (413).
    """
    metrics = PassportMetrics()
    app.state.metrics = metrics
    observe_engine(app.state.engine, metrics)
    metrics.registry.on_collect(batch_progress_collector(app.state.engine, metrics))
    metrics.registry.on_collect(load_shedding_collector(app.state.verifier.slots, metrics))
    metrics.registry.on_collect(fetch_counts_collector(app.state.verifier.fetcher.counts, metrics))
    app.include_router(metrics_router(metrics, app.state.settings.metrics_token))
    app.add_middleware(HttpMetrics, metrics=metrics)
    return metrics
