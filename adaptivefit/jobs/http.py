"""Fetching from outside services for the scheduled jobs: polite, patient and honest about failure.

One `Fetcher` wraps one `httpx.Client`. It waits for its `RateLimiter` before every attempt
(retries included, so a burst of retries never breaks a service's rate policy), retries what may
succeed on a second try (429, 5xx, a dropped connection or timeout) with exponential backoff and
full jitter, honours `Retry-After`, and refuses at once what never will (other 4xx).

The retry loop is written here rather than taken from a library: honouring `Retry-After` on a
response (not an exception) and injecting the clock and sleep for tests needs about as much glue
around `tenacity` as the loop itself.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

log = logging.getLogger("adaptivefit.jobs.http")

USER_AGENT = "AdaptiveFit/0.1 (fitness knowledge pipeline; python-httpx)"
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
# Query parameters that carry credentials: never written to a log line or an error message.
SECRET_PARAMS = frozenset({"key", "api_key", "access_token", "token"})


class FetchError(Exception):
    """A request could not be completed. The message names the URL without credentials."""

    def __init__(self, message: str, *, url: str = "", status: int | None = None):
        super().__init__(message)
        self.url = url
        self.status = status


class HttpStatusError(FetchError):
    """The service refused the request with a status that a retry would not change (4xx)."""


class RetriesExhausted(FetchError):
    """Every attempt failed with a status or network error worth retrying."""


def redact(url: httpx.URL | str) -> str:
    """The URL with credential parameters masked, fit for logs."""
    url = httpx.URL(str(url))
    params = [(k, "***" if k.lower() in SECRET_PARAMS else v) for k, v in url.params.multi_items()]
    return str(url.copy_with(params=params)) if params else str(url)


class RateLimiter:
    """At most one request per `min_interval` seconds, across threads.

    `clock` and `sleep` are injectable so a test can measure waits on a fake clock.
    """

    def __init__(
        self,
        min_interval: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if min_interval < 0:
            raise ValueError("min_interval must not be negative")
        self.min_interval = min_interval
        self._clock = clock
        self._sleep = sleep
        self._next_at: float | None = None
        self._lock = threading.Lock()

    @classmethod
    def per_second(cls, requests: float, **kwargs: Any) -> RateLimiter:
        return cls(1.0 / requests, **kwargs)

    def wait(self) -> None:
        with self._lock:
            now = self._clock()
            if self._next_at is not None and now < self._next_at:
                self._sleep(self._next_at - now)
                now = self._next_at
            self._next_at = now + self.min_interval


def retry_after_seconds(value: str | None, *, now: datetime) -> float | None:
    """`Retry-After` as seconds from `now`: either delta-seconds or an HTTP date; None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


class Fetcher:
    """GET with rate limiting and retries. Use as a context manager, or call `close()`."""

    def __init__(
        self,
        *,
        transport: httpx.BaseTransport | None = None,
        rate_limiter: RateLimiter | None = None,
        max_attempts: int = 4,
        base_delay: float = 1.0,
        max_delay: float = 30.0,
        max_retry_after: float = 120.0,
        timeout: httpx.Timeout = TIMEOUT,
        user_agent: str = USER_AGENT,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.client = httpx.Client(
            transport=transport, timeout=timeout, follow_redirects=True, headers={"User-Agent": user_agent}
        )
        self.rate_limiter = rate_limiter
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        # A server that asks for a longer pause than this is treated as down for this run:
        # a job would rather report the failure than sleep for an hour.
        self.max_retry_after = max_retry_after
        self._sleep = sleep
        self._jitter = jitter
        self._now = now

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    def _backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(max_delay, base * 2**(attempt-1)))."""
        return self._jitter() * min(self.max_delay, self.base_delay * 2 ** (attempt - 1))

    def get(
        self, url: str, params: Mapping[str, Any] | None = None, *, headers: Mapping[str, str] | None = None
    ) -> httpx.Response:
        """The successful (2xx/3xx) response; raises HttpStatusError or RetriesExhausted."""
        request = self.client.build_request("GET", url, params=params, headers=headers)
        shown = redact(request.url)
        attempt = 0
        while True:
            attempt += 1
            if self.rate_limiter is not None:
                self.rate_limiter.wait()
            try:
                response = self.client.send(request)
            except httpx.TransportError as exc:
                problem, status, delay = f"{type(exc).__name__}: {exc}", None, self._backoff(attempt)
            else:
                status = response.status_code
                if status < 400:
                    return response
                if status != 429 and status < 500:
                    raise HttpStatusError(
                        f"GET {shown} was refused with HTTP {status}: {_snippet(response)}", url=shown, status=status
                    )
                problem = f"HTTP {status}"
                asked = retry_after_seconds(response.headers.get("Retry-After"), now=self._now())
                if asked is not None and asked > self.max_retry_after:
                    raise RetriesExhausted(
                        f"GET {shown} answered HTTP {status} and asked to wait {asked:.0f} s, "
                        f"longer than the {self.max_retry_after:.0f} s this job waits.",
                        url=shown,
                        status=status,
                    )
                delay = asked if asked is not None else self._backoff(attempt)
            if attempt >= self.max_attempts:
                raise RetriesExhausted(
                    f"GET {shown} failed after {attempt} attempts ({problem}).", url=shown, status=status
                )
            log.warning("GET %s failed (%s), attempt %d of %d; retrying in %.2f s",
                        shown, problem, attempt, self.max_attempts, delay)
            self._sleep(delay)


def _snippet(response: httpx.Response, limit: int = 200) -> str:
    text = " ".join(response.text.split())
    return text[:limit] or response.reason_phrase
