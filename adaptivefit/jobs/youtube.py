"""Training videos from YouTube: the Data API v3 when a key is set, channel RSS feeds without one.

The API route is `search.list` (ids) then `videos.list` (duration and statistics). The feed route
reads the 15 newest uploads of each configured channel, with views and likes but no duration.
Every video is put in a category by keywords and given a quality score with a keep/reject
reason; only kept videos reach the knowledge base.
"""

from __future__ import annotations

import html
import io
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser

from adaptivefit.jobs.http import Fetcher

log = logging.getLogger("adaptivefit.jobs.youtube")

API = "https://www.googleapis.com/youtube/v3/"
FEED = "https://www.youtube.com/feeds/videos.xml"

# The first category whose keyword appears wins, so the specific come before the general.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "technique": ("technique", "form check", "proper form", "exercise form", "common mistakes"),
    "hypertrophy": ("hypertrophy", "muscle growth", "build muscle", "muscle gain", "bodybuilding"),
    "strength": ("strength", "powerlifting", "squat", "deadlift", "bench press", "1rm", "resistance training"),
    "mobility": ("mobility", "stretching", "stretch", "flexibility", "warm-up", "warm up", "yoga"),
    "nutrition": ("nutrition", "protein", "diet", "calories", "macros", "meal prep", "supplement"),
    "recovery": ("recovery", "sleep", "deload", "rest day", "overtraining", "heart rate variability", "hrv"),
}
# One API search per category; kept to a handful, since search.list has a small daily quota.
SEARCH_QUERIES: dict[str, str] = {
    "technique": "exercise technique form evidence based",
    "hypertrophy": "hypertrophy training science",
    "strength": "strength training program evidence based",
    "mobility": "mobility routine for lifters",
    "nutrition": "sports nutrition protein evidence",
    "recovery": "recovery sleep training science",
}


class YouTubeError(Exception):
    """YouTube answered with something that is not the expected JSON or feed."""


@dataclass
class Video:
    video_id: str
    title: str
    description: str = ""
    channel_id: str = ""
    channel_title: str = ""
    published_at: datetime | None = None
    duration_seconds: int | None = None
    views: int | None = None
    likes: int | None = None
    comments: int | None = None
    tags: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"https://www.youtube.com/watch?v={self.video_id}"


@dataclass(frozen=True)
class Quality:
    score: float  # 0..1
    keep: bool
    reason: str
    category: str | None


# -- parsing ---------------------------------------------------------------------------------

_DURATION = re.compile(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?")


def parse_duration(value: str | None) -> int | None:
    """ISO 8601 duration as seconds: "PT21M7S" -> 1267; None for a live stream ("P0D") or junk."""
    match = _DURATION.fullmatch(value or "")
    if not match or not any(match.groups()):
        return None
    days, hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
    return total or None


def normalise_channel_id(value: str | None) -> str:
    """A channel id with its "UC" prefix: channel feeds drop it at feed level ("9PBz..." -> "UC9PBz...")."""
    value = (value or "").strip()
    if value.startswith("yt:channel:"):
        value = value.removeprefix("yt:channel:")
    if len(value) == 22 and not value.startswith("UC"):
        value = "UC" + value
    return value


def _timestamp(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _count(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def load_json(body: bytes | str) -> dict[str, Any]:
    """The response as a dict; a truncated or non-JSON body raises YouTubeError."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise YouTubeError(f"YouTube's answer is not valid JSON ({exc}).") from None
    if not isinstance(payload, dict):
        raise YouTubeError("YouTube's answer is JSON but not an object.")
    if "error" in payload:
        error = payload["error"] if isinstance(payload["error"], dict) else {}
        raise YouTubeError(f"YouTube refused the request: {error.get('code')} {error.get('message')}")
    return payload


def parse_search(payload: dict[str, Any]) -> list[str]:
    """Video ids from a search.list answer; channels and playlists in the results are ignored."""
    ids = []
    for item in payload.get("items") or []:
        ident = item.get("id") if isinstance(item, dict) else None
        if isinstance(ident, dict) and ident.get("kind") == "youtube#video" and ident.get("videoId"):
            ids.append(ident["videoId"])
    return ids


def parse_videos(payload: dict[str, Any]) -> tuple[list[Video], int]:
    """(videos, bad items) from a videos.list answer; a bad item is logged and skipped."""
    videos, bad = [], 0
    for item in payload.get("items") or []:
        try:
            videos.append(_video_from_item(item))
        except (TypeError, KeyError, ValueError, AttributeError) as exc:
            bad += 1
            ident = item.get("id") if isinstance(item, dict) else None
            log.warning("skipped a malformed YouTube video item (%s): %s", ident, exc)
    return videos, bad


def _video_from_item(item: dict[str, Any]) -> Video:
    video_id = item["id"]
    if not isinstance(video_id, str) or not video_id:
        raise ValueError("no video id")
    snippet = item["snippet"]
    title = html.unescape(snippet["title"])
    stats = item.get("statistics") or {}
    return Video(
        video_id=video_id,
        title=title,
        description=html.unescape(snippet.get("description") or ""),
        channel_id=snippet.get("channelId") or "",
        channel_title=snippet.get("channelTitle") or "",
        published_at=_timestamp(snippet.get("publishedAt")),
        duration_seconds=parse_duration((item.get("contentDetails") or {}).get("duration")),
        views=_count(stats.get("viewCount")),
        likes=_count(stats.get("likeCount")),
        comments=_count(stats.get("commentCount")),
        tags=list(snippet.get("tags") or []),
    )


def parse_feed(body: bytes | str) -> tuple[list[Video], int]:
    """(videos, bad entries) from a channel's Atom feed."""
    # Always a stream: given a str or bytes, feedparser would also try it as a URL or a file path.
    feed = feedparser.parse(io.BytesIO(body.encode("utf-8") if isinstance(body, str) else body))
    if feed.bozo and not feed.entries:
        raise YouTubeError(f"the channel feed could not be parsed ({feed.get('bozo_exception')}).")
    channel_id = normalise_channel_id(feed.feed.get("yt_channelid"))
    channel_title = feed.feed.get("title", "")
    videos, bad = [], 0
    for entry in feed.entries:
        video_id = entry.get("yt_videoid")
        title = entry.get("title")
        if not video_id or not title:
            bad += 1
            log.warning("skipped a feed entry without a video id or title (%s)", entry.get("id"))
            continue
        rating = entry.get("media_starrating") or {}
        stats = entry.get("media_statistics") or {}
        videos.append(Video(
            video_id=video_id,
            title=title,
            description=entry.get("summary", ""),
            channel_id=normalise_channel_id(entry.get("yt_channelid")) or channel_id,
            channel_title=entry.get("author") or channel_title,
            published_at=_timestamp(entry.get("published")),
            views=_count(stats.get("views")),
            # The feed's star-rating count has been the like count since dislikes were hidden.
            likes=_count(rating.get("count")),
        ))
    return videos, bad


# -- judging ---------------------------------------------------------------------------------

def categorise(video: Video) -> str | None:
    haystack = " ".join([video.title, video.description, *video.tags]).lower()
    for category, keywords in CATEGORIES.items():
        if any(re.search(rf"(?<![a-z0-9]){re.escape(k)}(?![a-z0-9])", haystack) for k in keywords):
            return category
    return None


def assess(
    video: Video,
    *,
    now: datetime,
    allowed_channels: tuple[str, ...] = (),
    min_seconds: int = 120,
    max_seconds: int = 3600,
    min_score: float = 0.5,
) -> Quality:
    """Score 0..1 from channel trust, duration, engagement and recency, with the reason for the verdict.

    What is not known (a feed gives no duration) earns half its weight, neither reward nor penalty.
    """
    category = categorise(video)
    if category is None:
        return Quality(0.0, False, "no training, nutrition or recovery keywords", None)
    if allowed_channels and video.channel_id not in allowed_channels:
        return Quality(0.0, False, f"channel {video.channel_id or '?'} is not on the allow-list", category)
    duration = video.duration_seconds
    if duration is not None and not min_seconds <= duration <= max_seconds:
        return Quality(0.0, False, f"duration {duration} s is outside {min_seconds}-{max_seconds} s", category)

    score = 0.35 if allowed_channels else 0.175
    score += 0.25 if duration is not None else 0.125
    if video.views and video.likes is not None and video.views >= 100:
        # About 4 likes per 100 views is strong engagement on YouTube; more earns nothing extra.
        score += 0.2 * min(1.0, (video.likes / video.views) / 0.04)
    else:
        score += 0.1
    if video.published_at is not None:
        age_years = (now - video.published_at) / timedelta(days=365)
        score += 0.2 * max(0.0, min(1.0, (5 - age_years) / 3))  # full credit up to 2 years, none past 5
    else:
        score += 0.1
    score = round(score, 3)
    if score < min_score:
        return Quality(score, False, f"quality score {score} is below {min_score}", category)
    return Quality(score, True, f"{category}, quality score {score}", category)


# -- the client ------------------------------------------------------------------------------

class YouTubeClient:
    def __init__(self, fetcher: Fetcher, *, api_key: str | None = None, api_url: str = API, feed_url: str = FEED):
        self.fetcher = fetcher
        self.api_key = api_key
        self.api_url = api_url
        self.feed_url = feed_url

    def _api(self, endpoint: str, params: dict[str, Any]) -> dict[str, Any]:
        if not self.api_key:
            raise YouTubeError("the YouTube Data API needs YOUTUBE_API_KEY")
        response = self.fetcher.get(self.api_url + endpoint, params | {"key": self.api_key})
        return load_json(response.content)

    def search(self, query: str, *, published_after: datetime | None = None, channel_id: str | None = None,
               max_results: int = 25) -> list[str]:
        params: dict[str, Any] = {"part": "snippet", "type": "video", "q": query, "maxResults": max_results,
                                  "relevanceLanguage": "en", "safeSearch": "strict", "order": "relevance"}
        if published_after is not None:
            params["publishedAfter"] = published_after.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if channel_id:
            params["channelId"] = channel_id
        return parse_search(self._api("search", params))

    def videos(self, ids: list[str]) -> tuple[list[Video], int]:
        """Full details for up to 50 ids (one request)."""
        if not ids:
            return [], 0
        payload = self._api("videos", {"part": "snippet,contentDetails,statistics", "id": ",".join(ids[:50])})
        return parse_videos(payload)

    def feed(self, channel_id: str) -> tuple[list[Video], int]:
        response = self.fetcher.get(self.feed_url, {"channel_id": channel_id})
        return parse_feed(response.content)
