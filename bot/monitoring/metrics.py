"""The Prometheus metrics of one `samu run`, in a registry of its own (no global state).

Counters go up as things happen (`Metrics` is the use-cases' `Observer`); the outbox, the
requests, the readiness checks and the database are looked at when Prometheus scrapes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from bot.core.observe import Via
from bot.core.periodic import JobName
from bot.core.types import RequestStatus
from bot.monitoring.probe import OK, Limits, Look

# The SELECT 1 of a healthy database takes a millisecond or so; a loaded one, tens.
PING_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    """Counts messages, failed deliveries and periodic jobs; renders the Prometheus page."""

    def __init__(self, platforms: Iterable[str] = ()) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        self._received = Counter(
            "samu_messages_received",
            "Messages received from chats and handled (each event once).",
            ["platform"],
            registry=registry,
        )
        self._sent = Counter(
            "samu_messages_sent",
            "Messages delivered to chats: answers (via=reply) and queued notices (via=outbox).",
            ["platform", "via"],
            registry=registry,
        )
        self._failed = Counter(
            "samu_deliveries_failed",
            "Failed sends of queued messages, by what became of them "
            "(retrying; stuck: given up for now, retried hourly; still_stuck).",
            ["platform", "outcome"],
            registry=registry,
        )
        self._job_success = Gauge(
            "samu_job_last_success_timestamp_seconds",
            "When each periodic job last ended without error (Unix time).",
            ["job"],
            registry=registry,
        )
        self._job_failures = Counter(
            "samu_job_failures", "Failed runs of each periodic job.", ["job"], registry=registry
        )
        self._ping = Histogram(
            "samu_database_ping_seconds",
            "Time the database took to answer SELECT 1 (at each scrape and readiness check).",
            buckets=PING_BUCKETS,
            registry=registry,
        )
        self._looked = _LastLook()
        registry.register(self._looked)
        for platform in platforms:  # a series that exists from the start, at 0
            self._received.labels(platform)
            for via in Via:
                self._sent.labels(platform, via.value)
        for job in JobName:
            self._job_failures.labels(job.value)

    def received(self, platform: str) -> None:
        """A message from a chat was handled."""
        self._received.labels(platform).inc()

    def sent(self, platform: str, via: Via) -> None:
        """A message was delivered."""
        self._sent.labels(platform, via.value).inc()

    def delivery_failed(self, platform: str, outcome: str) -> None:
        """A queued message could not be sent."""
        self._failed.labels(platform, outcome).inc()

    def job_done(self, job: str, *, ok: bool, at: datetime) -> None:
        """A periodic job ended."""
        if ok:
            self._job_success.labels(job).set(at.timestamp())
        else:
            self._job_failures.labels(job).inc()

    def saw(self, look: Look, limits: Limits) -> None:
        """Record what the monitoring just saw (the database's answer time among others)."""
        if look.database_seconds is not None:
            self._ping.observe(look.database_seconds)
        self._looked.look, self._looked.limits = look, limits

    def page(self, look: Look, limits: Limits) -> bytes:
        """The Prometheus text page, with what was just seen."""
        self.saw(look, limits)
        return generate_latest(self.registry)


class _LastLook(Collector):
    """The gauges read at scrape time, from the last look (none before the first)."""

    def __init__(self) -> None:
        self.look: Look | None = None
        self.limits: Limits | None = None

    def describe(self) -> Iterable[Metric]:
        """The names, for the registry's check of duplicates."""
        return list(_families(None, None))

    def collect(self) -> Iterable[Metric]:
        """The gauges, from the last look."""
        return list(_families(self.look, self.limits))


def _families(look: Look | None, limits: Limits | None) -> Iterator[Metric]:
    up = GaugeMetricFamily("samu_database_up", "1 when the database answers SELECT 1 in time.")
    pending = GaugeMetricFamily(
        "samu_outbox_pending",
        "Undelivered messages: due, scheduled (kept for later), undeliverable (retried hourly).",
        labels=["state"],
    )
    oldest = GaugeMetricFamily(
        "samu_outbox_oldest_due_age_seconds",
        "How long the longest-waiting due message has waited (0: none waits).",
    )
    requests = GaugeMetricFamily("samu_requests", "Help requests in each state.", labels=["state"])
    connected = GaugeMetricFamily(
        "samu_transport_connected", "1 while the chat network is connected.", labels=["platform"]
    )
    tick = GaugeMetricFamily(
        "samu_scheduler_last_tick_timestamp_seconds",
        "When the periodic work last started (Unix time).",
    )
    ready = GaugeMetricFamily(
        "samu_ready", "1 when the readiness check passes (as /readyz).", labels=["check"]
    )
    if look is not None and limits is not None:
        up.add_metric([], 1.0 if look.database_error is None else 0.0)
        if look.backlog is not None:
            backlog = look.backlog
            pending.add_metric(["due"], backlog.due)
            pending.add_metric(["scheduled"], backlog.scheduled)
            pending.add_metric(["undeliverable"], backlog.undeliverable)
            oldest.add_metric([], look.oldest_due_age)
        if look.requests is not None:
            for status in RequestStatus:
                requests.add_metric([status.value], look.requests.get(status, 0))
        for platform, is_connected in sorted(look.connected.items()):
            connected.add_metric([platform], 1.0 if is_connected else 0.0)
        if look.last_tick is not None:
            tick.add_metric([], look.last_tick.timestamp())
        for check, verdict in look.checks(limits).items():
            ready.add_metric([check], 1.0 if verdict == OK else 0.0)
    yield from (up, pending, oldest, requests, connected, tick, ready)
