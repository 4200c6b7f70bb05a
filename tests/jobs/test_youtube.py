"""YouTube parsing, categories and quality, against real API answers and a real channel feed."""

import json
import logging
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from adaptivefit.jobs import youtube
from adaptivefit.jobs.http import Fetcher
from adaptivefit.jobs.youtube import Video, YouTubeClient, YouTubeError
from tests.conftest import SHARED_DATA, shared_data_missing
from tests.jobs.fakes import Recorder

YT = SHARED_DATA / "youtube"
API = YT / "data-api-v3"
FEED = YT / "feeds" / "atom-feed-youtube.xml"
pytestmark = pytest.mark.skipif(
    shared_data_missing(FEED, API / "video_api_response.json", API / "search_by_keywords_p1.json"),
    reason="../shared/data/youtube not found",
)
NOW = datetime(2025, 1, 2, tzinfo=UTC)
CHANNEL = "UC9PBzalIcEQCsiIkq36PyUA"


@pytest.mark.parametrize(("value", "seconds"), [
    ("PT21M7S", 1267), ("PT1H2M3S", 3723), ("PT45S", 45), ("PT10M", 600), ("P1DT2H", 93600),
    ("P0D", None), ("", None), (None, None), ("21:07", None),
])
def test_iso_8601_durations(value, seconds):
    assert youtube.parse_duration(value) == seconds


def test_videos_list_answer_with_duration_and_statistics():
    videos, bad = youtube.parse_videos(youtube.load_json((API / "video_api_response.json").read_bytes()))
    assert bad == 0
    (video,) = videos
    assert video.video_id == "D-lhorsDlUQ"
    assert video.title == "What are Actions on Google (Assistant on Air)"
    assert video.description.startswith("In the first episode of Assistant on Air")
    assert (video.channel_id, video.channel_title) == ("UC_x5XG1OV2P6uZZ5FSM9Ttw", "Google Developers")
    assert video.published_at == datetime(2019, 3, 21, 20, 37, 49, tzinfo=UTC)
    assert video.duration_seconds == 1267
    # Statistics arrive as strings; dislikeCount is ignored.
    assert (video.views, video.likes, video.comments) == (7920, 190, 32)
    assert len(video.tags) == 20
    assert video.url == "https://www.youtube.com/watch?v=D-lhorsDlUQ"


def test_videos_without_statistics_or_duration_parse():
    videos, bad = youtube.parse_videos(youtube.load_json((API / "videos_info_multi.json").read_bytes()))
    assert bad == 0 and len(videos) == 2
    assert all(v.duration_seconds is None and v.views is None for v in videos)


def test_search_answers_give_video_ids_only():
    ids = youtube.parse_search(youtube.load_json((API / "search_by_keywords_p1.json").read_bytes()))
    assert len(ids) == 25 and ids[0] == "gQ_1zX-F_No"
    assert youtube.parse_search(youtube.load_json((API / "search_channels.json").read_bytes())) == []
    assert youtube.parse_search(youtube.load_json((API / "search_videos_by_channel.json").read_bytes()))[0] == "LrQWzOkC0XQ"


def test_a_bad_item_is_logged_and_skipped(caplog):
    payload = youtube.load_json((API / "video_api_response.json").read_bytes())
    payload["items"] += [{"id": "noSnippet01"}, "junk", {"id": "", "snippet": {"title": "x"}}]
    with caplog.at_level(logging.WARNING, logger="adaptivefit.jobs.youtube"):
        videos, bad = youtube.parse_videos(payload)
    assert [v.video_id for v in videos] == ["D-lhorsDlUQ"] and bad == 3
    assert "skipped a malformed YouTube video item (noSnippet01)" in caplog.text


def test_truncated_json_and_error_bodies_raise():
    body = (API / "video_api_response.json").read_bytes()
    with pytest.raises(YouTubeError, match="not valid JSON"):
        youtube.load_json(body[: len(body) // 2])
    with pytest.raises(YouTubeError, match="400 Bad Request"):
        youtube.load_json((API / "error_response.json").read_bytes())
    with pytest.raises(YouTubeError, match="403 The caller does not have permission"):
        youtube.load_json((API / "error_permission_resp.json").read_bytes())


def test_channel_feed_parses_with_the_missing_uc_prefix_restored():
    videos, bad = youtube.parse_feed(FEED.read_bytes())
    assert bad == 0 and len(videos) == 15
    first = videos[0]
    assert first.video_id == "W_S7iKZZdHw"
    assert first.title == "Digital Foundry Games of 2024: The Oliver Mackenzie Collection!"
    assert first.channel_id == CHANNEL and first.channel_title == "Digital Foundry"
    assert first.published_at == datetime(2025, 1, 1, 16, 7, 24, tzinfo=UTC)
    assert (first.views, first.likes, first.duration_seconds) == (23088, 1580, None)
    assert first.description.startswith("As the holiday period begins to unwind")


def test_feed_level_channel_id_is_used_with_its_prefix_when_entries_lack_one():
    text = FEED.read_text(encoding="utf-8").replace(f"<yt:channelId>{CHANNEL}</yt:channelId>", "")
    videos, _ = youtube.parse_feed(text.encode())
    assert {v.channel_id for v in videos} == {CHANNEL}
    assert youtube.normalise_channel_id("9PBzalIcEQCsiIkq36PyUA") == CHANNEL
    assert youtube.normalise_channel_id("yt:channel:9PBzalIcEQCsiIkq36PyUA") == CHANNEL
    assert youtube.normalise_channel_id(CHANNEL) == CHANNEL


def test_feed_entry_without_a_video_id_is_skipped(caplog):
    text = FEED.read_text(encoding="utf-8").replace("<yt:videoId>W_S7iKZZdHw</yt:videoId>", "")
    with caplog.at_level(logging.WARNING, logger="adaptivefit.jobs.youtube"):
        videos, bad = youtube.parse_feed(text.encode())
    assert len(videos) == 14 and bad == 1
    assert "skipped a feed entry" in caplog.text


def test_a_page_that_is_not_a_feed_raises():
    with pytest.raises(YouTubeError, match="could not be parsed"):
        youtube.parse_feed(b"<html><body>consent.youtube.com</body></html")


def _video(title, **fields):
    values = {"video_id": "abc", "title": title, "channel_id": CHANNEL, "duration_seconds": 900,
              "views": 10_000, "likes": 400, "published_at": NOW - timedelta(days=30)} | fields
    return Video(**values)


@pytest.mark.parametrize(("title", "category"), [
    ("Squat technique: 5 common mistakes", "technique"),
    ("The science of muscle growth", "hypertrophy"),
    ("A 12-week powerlifting program", "strength"),
    ("10-minute hip mobility routine", "mobility"),
    ("How much protein do you need?", "nutrition"),
    ("Deload weeks and sleep for recovery", "recovery"),
    ("Digital Foundry Games of 2024", None),
])
def test_categories_by_keyword(title, category):
    assert youtube.categorise(_video(title)) == category


def test_the_real_videos_are_off_topic():
    videos, _ = youtube.parse_feed(FEED.read_bytes())
    assert {youtube.categorise(v) for v in videos} == {None}
    verdict = youtube.assess(videos[0], now=NOW)
    assert not verdict.keep and verdict.reason == "no training, nutrition or recovery keywords"


def test_quality_keeps_a_good_video_from_a_trusted_channel():
    verdict = youtube.assess(_video("Hypertrophy training explained"), now=NOW, allowed_channels=(CHANNEL,))
    assert verdict.keep and verdict.category == "hypertrophy"
    assert verdict.score == 1.0
    assert verdict.reason == "hypertrophy, quality score 1.0"


@pytest.mark.parametrize(("fields", "allowed", "reason"), [
    ({"duration_seconds": 59}, (), "duration 59 s is outside 120-3600 s"),
    ({"duration_seconds": 3 * 3600}, (), "duration 10800 s is outside 120-3600 s"),
    ({"channel_id": "UC_x5XG1OV2P6uZZ5FSM9Ttw"}, (CHANNEL,), "channel UC_x5XG1OV2P6uZZ5FSM9Ttw is not on the allow-list"),
    ({"likes": 0, "published_at": NOW - timedelta(days=8 * 365)}, (), "quality score 0.425 is below 0.5"),
])
def test_quality_rejects_with_a_reason(fields, allowed, reason):
    verdict = youtube.assess(_video("Strength training basics", **fields), now=NOW, allowed_channels=allowed)
    assert not verdict.keep and verdict.reason == reason


def test_unknown_duration_and_engagement_earn_half_credit():
    verdict = youtube.assess(_video("Mobility routine", duration_seconds=None, views=None, likes=None,
                                    published_at=None), now=NOW, allowed_channels=(CHANNEL,))
    assert verdict.score == pytest.approx(0.35 + 0.125 + 0.1 + 0.1)
    assert verdict.keep


def test_client_searches_then_fetches_details(tmp_path):
    search = (API / "search_videos_by_channel.json").read_bytes()
    details = (API / "video_api_response.json").read_bytes()
    recorder = Recorder(lambda request: httpx.Response(
        200, content=search if request.url.path.endswith("/search") else details))
    with Fetcher(transport=recorder.transport) as fetcher:
        client = YouTubeClient(fetcher, api_key="KEY")
        ids = client.search("squat technique", published_after=datetime(2024, 1, 1, tzinfo=UTC))
        videos, bad = client.videos(ids)
    assert ids == ["LrQWzOkC0XQ", "lVQ1EKR1v1I", "Bud7XR8crWw", "k_NtkiMAC-o", "dfweWyVScaI"]
    assert [v.video_id for v in videos] == ["D-lhorsDlUQ"] and bad == 0
    search_params, video_params = (r.url.params for r in recorder.requests)
    assert search_params["part"] == "snippet" and search_params["type"] == "video"
    assert search_params["q"] == "squat technique" and search_params["key"] == "KEY"
    assert search_params["publishedAfter"] == "2024-01-01T00:00:00Z"
    assert video_params["part"] == "snippet,contentDetails,statistics"
    assert video_params["id"] == ",".join(ids)


def test_client_without_a_key_refuses_the_api_but_reads_feeds():
    recorder = Recorder(lambda request: httpx.Response(200, content=FEED.read_bytes()))
    with Fetcher(transport=recorder.transport) as fetcher:
        client = YouTubeClient(fetcher)
        with pytest.raises(YouTubeError, match="YOUTUBE_API_KEY"):
            client.search("squat")
        videos, _ = client.feed(CHANNEL)
    assert len(videos) == 15
    assert str(recorder.requests[0].url) == f"https://www.youtube.com/feeds/videos.xml?channel_id={CHANNEL}"


def test_html_entities_in_api_titles_are_unescaped():
    payload = json.loads((API / "video_api_response.json").read_text())
    payload["items"][0]["snippet"]["title"] = "Bench &amp; Squat"
    videos, _ = youtube.parse_videos(payload)
    assert videos[0].title == "Bench & Squat"
