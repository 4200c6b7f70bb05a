from datetime import UTC, datetime

import httpx
import pytest

from adaptivefit.jobs.http import (
    USER_AGENT,
    Fetcher,
    HttpStatusError,
    RateLimiter,
    RetriesExhausted,
    redact,
    retry_after_seconds,
)
from tests.jobs.fakes import FakeClock, Recorder

NOW = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC)


def _sequence(*responses):
    """A handler answering each request with the next item: a Response, or an exception to raise."""
    queue = list(responses)

    def handler(request):
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return handler


def _fetcher(recorder, clock, **kwargs):
    return Fetcher(transport=recorder.transport, sleep=clock.sleep, jitter=lambda: 0.5, now=lambda: NOW, **kwargs)


def test_retries_429_and_500_honouring_retry_after_in_seconds_and_as_a_date():
    recorder = Recorder(_sequence(
        httpx.Response(429, headers={"Retry-After": "7"}),
        httpx.Response(500, headers={"Retry-After": "Tue, 24 Nov 2026 12:00:03 GMT"}),
        httpx.Response(200, text="ok"),
    ))
    clock = FakeClock()
    with _fetcher(recorder, clock) as fetcher:
        response = fetcher.get("https://example.org/x", {"a": "1"})
    assert response.text == "ok"
    assert clock.sleeps == [7.0, 3.0]
    assert len(recorder.requests) == 3


def test_backoff_is_exponential_with_full_jitter_when_no_retry_after():
    recorder = Recorder(_sequence(
        httpx.Response(503), httpx.Response(502), httpx.Response(504), httpx.Response(200)
    ))
    clock = FakeClock()
    with _fetcher(recorder, clock, max_attempts=4, base_delay=1.0, max_delay=3.0) as fetcher:
        fetcher.get("https://example.org/x")
    # jitter 0.5 of min(max_delay, base * 2**(n-1)): 1, 2, then capped at 3.
    assert clock.sleeps == [0.5, 1.0, 1.5]


def test_network_errors_are_retried_then_reported():
    recorder = Recorder(_sequence(
        httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.ConnectError("refused")
    ))
    clock = FakeClock()
    with _fetcher(recorder, clock, max_attempts=3) as fetcher, pytest.raises(RetriesExhausted) as caught:
        fetcher.get("https://example.org/x")
    assert "after 3 attempts" in str(caught.value)
    assert len(clock.sleeps) == 2


def test_a_404_is_not_retried_and_says_what_was_refused():
    recorder = Recorder(_sequence(httpx.Response(404, text="<html>Not Found</html>")))
    clock = FakeClock()
    with _fetcher(recorder, clock) as fetcher, pytest.raises(HttpStatusError) as caught:
        fetcher.get("https://example.org/missing")
    assert caught.value.status == 404
    assert "HTTP 404" in str(caught.value) and "example.org/missing" in str(caught.value)
    assert clock.sleeps == [] and len(recorder.requests) == 1


def test_gives_up_at_once_when_the_server_asks_for_too_long_a_pause():
    recorder = Recorder(_sequence(httpx.Response(429, headers={"Retry-After": "3600"})))
    clock = FakeClock()
    with _fetcher(recorder, clock) as fetcher, pytest.raises(RetriesExhausted) as caught:
        fetcher.get("https://example.org/x")
    assert "3600" in str(caught.value)
    assert clock.sleeps == []


def test_credentials_never_reach_an_error_message_or_log(caplog):
    recorder = Recorder(_sequence(httpx.Response(500), httpx.Response(403, text="quotaExceeded")))
    clock = FakeClock()
    with _fetcher(recorder, clock) as fetcher, pytest.raises(HttpStatusError) as caught:
        fetcher.get("https://example.org/v3/search", {"q": "squat", "key": "SECRET123"})
    assert "SECRET123" not in str(caught.value) and "SECRET123" not in caplog.text
    assert "quotaExceeded" in str(caught.value)
    assert "key=%2A%2A%2A" in caplog.text or "key=***" in caplog.text
    assert redact("https://x.org/?key=abc&q=1") == "https://x.org/?key=%2A%2A%2A&q=1"


def test_identifies_the_app_and_sets_timeouts():
    recorder = Recorder(lambda request: httpx.Response(200))
    with Fetcher(transport=recorder.transport) as fetcher:
        fetcher.get("https://example.org/")
        assert fetcher.client.timeout.read == 30.0 and fetcher.client.timeout.connect == 10.0
    assert recorder.requests[0].headers["User-Agent"] == USER_AGENT


def test_retry_after_forms():
    assert retry_after_seconds("120", now=NOW) == 120.0
    assert retry_after_seconds("Tue, 24 Nov 2026 12:01:00 GMT", now=NOW) == 60.0
    assert retry_after_seconds("Tue, 24 Nov 2026 11:00:00 GMT", now=NOW) == 0.0
    assert retry_after_seconds("soon", now=NOW) is None
    assert retry_after_seconds(None, now=NOW) is None


@pytest.mark.parametrize("per_second", [3, 10])
def test_rate_limiter_spaces_requests_on_a_fake_clock(per_second):
    clock = FakeClock()
    limiter = RateLimiter.per_second(per_second, clock=clock, sleep=clock.sleep)
    recorder = Recorder(lambda request: httpx.Response(200))
    with Fetcher(transport=recorder.transport, rate_limiter=limiter, sleep=clock.sleep) as fetcher:
        for _ in range(7):
            fetcher.get("https://example.org/")
    assert clock.now >= 6 / per_second - 1e-9
    assert clock.now == pytest.approx(6 / per_second)


def test_rate_limiter_waits_only_for_what_is_left_of_the_interval():
    clock = FakeClock()
    limiter = RateLimiter(1.0, clock=clock, sleep=clock.sleep)
    limiter.wait()
    clock.now += 0.4  # the request itself took 0.4 s
    limiter.wait()
    clock.now += 5  # idle for a while: no wait at all
    limiter.wait()
    assert clock.sleeps == [pytest.approx(0.6)]


def test_retries_wait_for_the_rate_limiter_too():
    clock = FakeClock()
    limiter = RateLimiter(1.0, clock=clock, sleep=clock.sleep)
    recorder = Recorder(_sequence(httpx.Response(500), httpx.Response(200)))
    with Fetcher(transport=recorder.transport, rate_limiter=limiter, sleep=clock.sleep, jitter=lambda: 0.1) as fetcher:
        fetcher.get("https://example.org/")
    # 0.1 s of backoff, then the limiter holds the retry until a full second has passed.
    assert clock.sleeps == [pytest.approx(0.1), pytest.approx(0.9)]
