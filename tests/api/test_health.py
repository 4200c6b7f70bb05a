import json
import logging

from starlette.testclient import TestClient

from adaptivefit.api import build_api
from adaptivefit.logs import JsonFormatter, configure_logging


def test_health_reports_the_database(database):
    response = TestClient(build_api()).get("/api/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] in ("healthy", "degraded") and body["database"] is True
    assert response.headers["x-request-id"]


def test_health_is_degraded_when_the_database_does_not_answer(env, tmp_path):
    env(DATABASE_URL=f"sqlite:///{tmp_path}/no/such/folder/x.db")
    response = TestClient(build_api()).get("/api/health")
    assert response.status_code == 503
    assert response.json() == {**response.json(), "status": "degraded", "database": False}


def test_requests_are_logged_as_json_with_their_request_id(database, capsys):
    configure_logging("INFO", "json")
    response = TestClient(build_api()).get("/api/health", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    entry = next(line for line in lines if line.get("path") == "/api/health")
    assert entry["request_id"] == "abc-123" and entry["status"] == 200 and entry["method"] == "GET"


def test_a_forged_request_id_is_replaced(database):
    response = TestClient(build_api()).get("/api/health", headers={"X-Request-ID": "bad id\nlevel=error"})
    assert response.headers["x-request-id"] != "bad id\nlevel=error"
    assert len(response.headers["x-request-id"]) == 16


def test_json_formatter_keeps_extra_fields():
    record = logging.LogRecord("adaptivefit.x", logging.WARNING, __file__, 1, "hello %s", ("there",), None)
    record.user_id = 7
    line = json.loads(JsonFormatter().format(record))
    assert line["msg"] == "hello there" and line["level"] == "warning" and line["user_id"] == 7
