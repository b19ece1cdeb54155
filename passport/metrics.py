"""The deployment's metrics, written in the Prometheus text exposition format (version 0.0.4).

Three primitives (``Counter``, ``Gauge``, ``Histogram``) held by a ``MetricsRegistry``, and
``PassportMetrics``: the metrics of one application, one set per process (``create_app`` makes
it; ``passport.metrics_wiring`` feeds it and serves ``GET /metrics``). Nothing here is global,
so two apps in one process (tests) never share counts. Thread-safe: requests run in a pool.

Components do not import this module (``issuers`` and ``verifier`` may not import ``passport``):
the shell observes them (HTTP responses, committed rows, the batch tables) and calls
``record_*`` here. See docs/operations.md, "What to monitor".

>>> metrics = PassportMetrics()
>>> metrics.record_verification("verified")
>>> 'passport_verifications_total{verdict="verified"} 1' in metrics.registry.exposition()
True
"""

from __future__ import annotations

import math
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Seconds; verification of a signed credential takes milliseconds, a hosted one may wait on the
# fetcher's timeouts (seconds).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Seconds; finer around the pages' aim (p99 under 100 ms, issue #19).
PAGE_BUCKETS = (0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5)
VERDICTS = ("verified", "verified_with_warnings", "not_verified", "could_not_fully_check")
BATCH_ROW_STATES = ("done", "pending", "failed")
STATUS_ACTIONS = ("revoke", "suspend", "restore")
# The routes that verify a credential: the API and the employer page (their POST answers).
VERIFY_ROUTES = frozenset({"/api/v1/verify", "/verify"})

Labels = tuple[str, ...]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _sample(name: str, names: Labels, values: Labels, value: float) -> str:
    if not names:
        return f"{name} {_number(value)}"
    pairs = ",".join(f'{key}="{_escape(item)}"' for key, item in zip(names, values, strict=True))
    return f"{name}{{{pairs}}} {_number(value)}"


@dataclass
class _Metric(ABC):
    name: str
    help: str
    label_names: Labels = ()
    kind = "untyped"
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _key(self, labels: dict[str, str]) -> Labels:
        if set(labels) != set(self.label_names):
            raise ValueError(
                f"{self.name} takes the labels {self.label_names}, not {sorted(labels)}"
            )
        return tuple(str(labels[name]) for name in self.label_names)

    def header(self) -> list[str]:
        text = self.help.replace("\\", "\\\\").replace("\n", "\\n")
        return [f"# HELP {self.name} {text}", f"# TYPE {self.name} {self.kind}"]

    @abstractmethod
    def samples(self) -> Iterator[str]:
        """The exposition lines of this metric's values."""


@dataclass
class Counter(_Metric):
    """A value that only goes up (a restart starts it at zero again, which Prometheus expects)."""

    kind = "counter"
    _values: dict[Labels, float] = field(default_factory=dict, repr=False)

    def inc(self, amount: float = 1, **labels: str) -> None:
        if amount < 0:
            raise ValueError("a counter only goes up")
        key = self._key(labels)
        with self._lock:
            self._values[key] = self._values.get(key, 0) + amount

    def value(self, **labels: str) -> float:
        with self._lock:
            return self._values.get(self._key(labels), 0)

    def samples(self) -> Iterator[str]:
        with self._lock:
            values = sorted(self._values.items())
        if not values and not self.label_names:
            values = [((), 0)]
        for key, value in values:
            yield _sample(self.name, self.label_names, key, value)


@dataclass
class Gauge(_Metric):
    """A value that goes up and down; label sets that no longer apply are removed."""

    kind = "gauge"
    _values: dict[Labels, float] = field(default_factory=dict, repr=False)

    def set(self, value: float, **labels: str) -> None:
        key = self._key(labels)
        with self._lock:
            self._values[key] = value

    def value(self, **labels: str) -> float | None:
        with self._lock:
            return self._values.get(self._key(labels))

    def keep_only(self, keep: Callable[[dict[str, str]], bool]) -> None:
        with self._lock:
            for key in list(self._values):
                if not keep(dict(zip(self.label_names, key, strict=True))):
                    del self._values[key]

    def samples(self) -> Iterator[str]:
        with self._lock:
            values = sorted(self._values.items())
        for key, value in values:
            yield _sample(self.name, self.label_names, key, value)


@dataclass
class Histogram(_Metric):
    """Observations counted into cumulative ``le`` buckets, with their sum and count."""

    kind = "histogram"
    buckets: Sequence[float] = LATENCY_BUCKETS
    _counts: dict[Labels, list[int]] = field(default_factory=dict, repr=False)
    _sums: dict[Labels, float] = field(default_factory=dict, repr=False)

    def observe(self, value: float, **labels: str) -> None:
        key = self._key(labels)
        with self._lock:
            counts = self._counts.setdefault(key, [0] * (len(self.buckets) + 1))
            for index, bound in enumerate((*self.buckets, math.inf)):
                if value <= bound:
                    counts[index] += 1
            self._sums[key] = self._sums.get(key, 0.0) + value

    def count(self, **labels: str) -> int:
        with self._lock:
            counts = self._counts.get(self._key(labels))
            return counts[-1] if counts else 0

    def samples(self) -> Iterator[str]:
        with self._lock:
            items = sorted(
                (key, list(counts), self._sums[key]) for key, counts in self._counts.items()
            )
        names = (*self.label_names, "le")
        for key, counts, total in items:
            for bound, count in zip((*self.buckets, math.inf), counts, strict=True):
                yield _sample(f"{self.name}_bucket", names, (*key, _number(bound)), count)
            yield _sample(f"{self.name}_sum", self.label_names, key, total)
            yield _sample(f"{self.name}_count", self.label_names, key, counts[-1])


MetricT = TypeVar("MetricT", bound=_Metric)


class MetricsRegistry:
    """The metrics of one app, and collectors run just before each exposition."""

    def __init__(self) -> None:
        self._metrics: list[_Metric] = []
        self._collectors: list[Callable[[], None]] = []

    def add(self, metric: MetricT) -> MetricT:
        if any(existing.name == metric.name for existing in self._metrics):
            raise ValueError(f"a metric named {metric.name} is already registered")
        self._metrics.append(metric)
        return metric

    def on_collect(self, collector: Callable[[], None]) -> None:
        """Run ``collector`` (e.g. set gauges from the database) before each exposition."""
        self._collectors.append(collector)

    def exposition(self) -> str:
        for collector in self._collectors:
            collector()
        lines: list[str] = []
        for metric in self._metrics:
            lines += metric.header()
            lines += metric.samples()
        return "\n".join(lines) + "\n"


def status_class(status: int) -> str:
    """``2xx``, ``4xx``...: one label value per class keeps the series few."""
    return f"{status // 100}xx"


class PassportMetrics:
    """Every metric the deployment exposes, and the calls that feed them."""

    def __init__(self) -> None:
        self.registry = MetricsRegistry()
        add = self.registry.add
        self.http_requests = add(
            Counter(
                "passport_http_requests_total",
                "HTTP requests answered, by method, route template and status class.",
                ("method", "route", "status_class"),
            )
        )
        self.http_latency = add(
            Histogram(
                "passport_http_request_duration_seconds",
                "Time from request to the end of the response, by method and route template.",
                ("method", "route"),
            )
        )
        self.page_latency = add(
            Histogram(
                "passport_page_duration_seconds",
                "Time to answer a GET of an HTML page (share, passport, portal, console...), "
                "by route template: the pages people wait on.",
                ("route",),
                buckets=PAGE_BUCKETS,
            )
        )
        self.issued = add(
            Counter(
                "passport_credentials_issued_total",
                "Credentials signed and committed by this process (single awards and batches).",
            )
        )
        self.verifications = add(
            Counter(
                "passport_verifications_total",
                "Verifications answered by the verify API, by verdict.",
                ("verdict",),
            )
        )
        self.status_changes = add(
            Counter(
                "passport_status_changes_total",
                "Credentials revoked, suspended or restored and committed by this process.",
                ("action",),
            )
        )
        self.verify_latency = add(
            Histogram(
                "passport_verify_duration_seconds",
                "Time to answer a verification (API and employer page), fetches included.",
                ("route",),
            )
        )
        self.status_fetch_errors = add(
            Counter(
                "passport_status_list_fetch_errors_total",
                "Verifications whose status list could not be fetched or used (could not check).",
            )
        )
        self.load_shed = add(
            Counter(
                "passport_load_shed_total",
                "Verifications answered 503 with Retry-After: the verifier's slots (or the "
                "client's share of them) were taken. The only 5xx the app answers on purpose.",
            )
        )
        self.fetch_failures = add(
            Counter(
                "passport_fetch_failures_total",
                "Outbound fetches of verifications that failed, by kind: refused, dns, timeout, "
                "network, http_status, redirects, invalid_reply, oversize, unusable.",
                ("kind",),
            )
        )
        self.fetch_budget_exhausted = add(
            Counter(
                "passport_fetch_budget_exhausted_total",
                "Fetches not made because a verification's budget ran out, by limit: time, "
                "fetches, or slots (no outbound slot free: the verification is shed).",
                ("limit",),
            )
        )
        self.batch_rows = add(
            Gauge(
                "passport_batch_rows",
                "Rows of unfinished (or recently failed) cohort batches, by state.",
                ("batch_id", "state"),
            )
        )

    def observe_request(
        self, method: str, route: str, status: int, seconds: float, *, page: bool = False
    ) -> None:
        """One answered request; ``page`` when it was answered with an HTML page."""
        self.http_requests.inc(method=method, route=route, status_class=status_class(status))
        self.http_latency.observe(seconds, method=method, route=route)
        if page and method == "GET":
            self.page_latency.observe(seconds, route=route)
        if method == "POST" and route in VERIFY_ROUTES:
            self.verify_latency.observe(seconds, route=route)

    def record_issued(self, count: int = 1) -> None:
        self.issued.inc(count)

    def record_verification(self, verdict: str) -> None:
        if verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {verdict!r}")
        self.verifications.inc(verdict=verdict)

    def record_status_change(self, action: str, count: int = 1) -> None:
        if action not in STATUS_ACTIONS:
            raise ValueError(f"unknown status action {action!r}")
        self.status_changes.inc(count, action=action)

    def record_status_fetch_error(self) -> None:
        self.status_fetch_errors.inc()

    def set_batch_progress(self, batch_id: str, done: int, pending: int, failed: int) -> None:
        for state, rows in zip(BATCH_ROW_STATES, (done, pending, failed), strict=True):
            self.batch_rows.set(rows, batch_id=batch_id, state=state)

    def forget_batches_except(self, batch_ids: set[str]) -> None:
        """Drop the gauges of batches that finished (or left the reporting window)."""
        self.batch_rows.keep_only(lambda labels: labels["batch_id"] in batch_ids)

    def exposition(self) -> str:
        return self.registry.exposition()
