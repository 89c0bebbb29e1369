"""GET /metrics in the Prometheus text format, and what feeds it.

Counted per process: HTTP requests by route and status (with a latency histogram), chat
messages answered, NLU parses and their time, sentence embeddings (cache hits and misses), errors (5xx), and at scrape time the number
of open conversations (started, not finished; read from the database, so every process
reports the same figure), and the objects frozen out of the garbage collector's full passes
at start-up (`brukarrost serve` freezes them; 0 means a full pass walks the whole model, a
stall of about 250 ms). With several worker processes each process keeps its own
counters: scrape every worker, or sum them in Prometheus (see docs/deployment.md).
Labels never carry message text or sender ids.
"""

from __future__ import annotations

import gc
import time
from typing import Any, Awaitable, Callable

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from bot.appkeys import SESSIONS

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
CHAT_ROUTES = ("/webhooks/rest/webhook",)


class Metrics:
    """One registry per application, so that several apps in one process (tests) never mix."""

    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        self.requests = Histogram(
            "brukarrost_http_request_seconds", "HTTP request time by route",
            ["route", "method"], buckets=LATENCY_BUCKETS, registry=registry,
        )
        self.responses = Counter(
            "brukarrost_http_responses", "HTTP responses by route and status",
            ["route", "status"], registry=registry,
        )
        self.messages = Counter(
            "brukarrost_messages", "Chat messages answered with 200", ["route"], registry=registry,
        )
        self.errors = Counter(
            "brukarrost_errors", "Responses with a 5xx status (server-side errors)", ["route"],
            registry=registry,
        )
        self.nlu_seconds = Histogram(
            "brukarrost_nlu_parse_seconds", "Time of one NLU parse (Rasa model)",
            buckets=LATENCY_BUCKETS, registry=registry,
        )
        self.nlu_parses = Counter(
            "brukarrost_nlu_parses", "NLU parses (buttons and exact answers need none)",
            registry=registry,
        )
        self.embeddings = Gauge(
            "brukarrost_embeddings", "Sentence embeddings in this process so far, by whether "
            "the per-process cache had the text", ["cache"], registry=registry,
        )
        self.open_conversations = Gauge(
            "brukarrost_open_conversations", "Conversations started and not finished",
            registry=registry,
        )
        self.frozen_objects = Gauge(
            "brukarrost_gc_frozen_objects", "Objects loaded at start-up that the garbage "
            "collector's full passes skip (gc.freeze)", registry=registry,
        )

    def timed_parse(self, parse: Callable[[str], Awaitable[dict[str, Any]]]):
        """`parse`, counting every call and its time."""

        async def parse_and_count(text: str) -> dict[str, Any]:
            started = time.perf_counter()
            try:
                return await parse(text)
            finally:
                self.nlu_parses.inc()
                self.nlu_seconds.observe(time.perf_counter() - started)

        return parse_and_count

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(route, method).observe(seconds)
        self.responses.labels(route, str(status)).inc()
        if status >= 500:
            self.errors.labels(route).inc()
        elif status == 200 and route in CHAT_ROUTES:
            self.messages.labels(route).inc()


METRICS = web.AppKey("metrics", Metrics)


def _route(request: web.Request) -> str:
    """The route's pattern, never the raw path (no ids or junk as label values)."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "unmatched"


@web.middleware
async def measure(request: web.Request, handler) -> web.StreamResponse:
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        request.app[METRICS].observe(_route(request), request.method, status,
                                     time.perf_counter() - started)


async def metrics(request: web.Request) -> web.Response:
    from storage.conversations import count_open

    from nlu.e5 import cache_stats

    registry = request.app[METRICS]
    registry.frozen_objects.set(gc.get_freeze_count())
    for outcome, count in cache_stats().items():
        registry.embeddings.labels(outcome).set(count)
    async with request.app[SESSIONS]() as session:
        registry.open_conversations.set(await count_open(session))
    body = generate_latest(registry.registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def setup(app: web.Application) -> None:
    """The registry, the measuring middleware (outermost) and GET /metrics."""
    app[METRICS] = Metrics()
    app.middlewares.insert(0, measure)
    app.router.add_get("/metrics", metrics)
