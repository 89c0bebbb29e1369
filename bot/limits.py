"""Rate limits: per sender (chat messages) and per client address (every request).

Token buckets in process memory: a sender may send up to BRUKARROST_RATE_LIMIT_SENDER
messages at once and then that many a minute, an address BRUKARROST_RATE_LIMIT_ADDRESS
requests likewise (a whole survey is about 30 messages; many people may share one address). Over the limit the answer
is 429 with Retry-After. 0 switches a limit off. With several workers each process counts on
its own, so the effective limit is up to N times the setting; a reverse proxy can add a
shared limit (docs/deployment.md). Keys are hashed, never kept as sent.
"""

from __future__ import annotations

import hashlib
import math
import time

from aiohttp import web

from bot.appkeys import SETTINGS
from bot.http_errors import json_error

MAX_KEYS = 200_000  # beyond this, buckets that are full again are forgotten


class TokenBuckets:
    def __init__(self, per_minute: int) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(per_minute)
        self._buckets: dict[bytes, tuple[float, float]] = {}

    def take(self, key: str, now: float | None = None) -> float:
        """0 when a token was taken, else the seconds until one is free."""
        if self.rate <= 0:
            return 0.0
        now = time.monotonic() if now is None else now
        digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=12).digest()
        tokens, last = self._buckets.get(digest, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens < 1:
            self._buckets[digest] = (tokens, now)
            return (1 - tokens) / self.rate
        self._buckets[digest] = (tokens - 1, now)
        if len(self._buckets) > MAX_KEYS:
            self._forget_full(now)
        return 0.0

    def _forget_full(self, now: float) -> None:
        full_after = self.burst / self.rate
        self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < full_after}


SENDERS = web.AppKey("rate_limit_senders", TokenBuckets)
ADDRESSES = web.AppKey("rate_limit_addresses", TokenBuckets)


def too_many(wait: float) -> web.Response:
    response = json_error(429, "Too many messages. Please wait a moment and try again.")
    response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
    return response


def client_address(request: web.Request) -> str:
    """The peer, or behind a trusted reverse proxy the address it added last."""
    if request.app[SETTINGS].behind_proxy:
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded.strip():
            return forwarded.split(",")[-1].strip()
    return request.remote or ""


def sender_limited(request: web.Request, channel: str, sender: str) -> web.Response | None:
    """A 429 response when this sender sends too fast, else None."""
    wait = request.app[SENDERS].take(f"{channel}\x00{sender}")
    return too_many(wait) if wait else None


@web.middleware
async def limit_addresses(request: web.Request, handler) -> web.StreamResponse:
    if request.method == "POST":
        wait = request.app[ADDRESSES].take(client_address(request))
        if wait:
            return too_many(wait)
    return await handler(request)


def setup(app: web.Application) -> None:
    settings = app[SETTINGS]
    app[SENDERS] = TokenBuckets(settings.rate_limit_sender)
    app[ADDRESSES] = TokenBuckets(settings.rate_limit_address)
    app.middlewares.append(limit_addresses)
