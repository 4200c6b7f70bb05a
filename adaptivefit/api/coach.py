"""The coach's REST API: the original service's contract, as plain Starlette routes.

Mounted in the app under /api (Reflex's api_transformer, see adaptivefit.api), and runnable on its
own at the root for deployments that scale the coach separately:

    uvicorn adaptivefit.api.coach:app

Plain Starlette rather than FastAPI, by measurement (bench/bench_coach_api.py): on this stack a
Starlette route answers about three times the requests of a stock FastAPI service. Pydantic still
validates every body, and `openapi_schema()` is served at /api/openapi.json.

- Without a token a call is stateless: it uses only the posted context and reads or stores no one's
  data. With a personal API token it uses that member's goals, level, history and readiness, and
  records the tweak; `user_id` in the body never overrides the token.
- Bad input gets 400 (malformed JSON), 413 (too large), 415 (not JSON) or 422 with the field and the
  reason; never a 500.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from importlib.metadata import version
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from adaptivefit.coach import engine, evidence, messages
from adaptivefit.coach.types import EVENTS, FITNESS_LEVELS, CoachContext, Readiness, SessionRecord, UserData

log = logging.getLogger("adaptivefit.api.coach")

MAX_BODY_BYTES = 64 * 1024
EventName = Literal[EVENTS]  # type: ignore[valid-type]
LevelName = Literal[FITNESS_LEVELS]  # type: ignore[valid-type]


class ContextIn(BaseModel):
    """The set or session the event is about. Unknown keys are ignored; loads are in kg."""

    model_config = ConfigDict(extra="ignore")

    exercise: str = Field("", max_length=120)
    exercise_id: int | None = Field(None, ge=1, description="With a token: the exercise whose history to use.")
    equipment: str = Field("barbell", max_length=20)
    set_number: int = Field(1, ge=0, le=50)
    planned_sets: int = Field(3, ge=1, le=20)
    planned_reps: int = Field(8, ge=1, le=100)
    reps_min: int | None = Field(None, ge=1, le=100)
    reps_max: int | None = Field(None, ge=1, le=100)
    completed_reps: int | None = Field(None, ge=0, le=200)
    load_kg: float = Field(0.0, ge=0, le=1000, allow_inf_nan=False)
    rpe: float | None = Field(None, ge=1, le=10, allow_inf_nan=False)
    rir: float | None = Field(None, ge=0, le=10, allow_inf_nan=False)
    target_rpe: float | None = Field(None, ge=1, le=10, allow_inf_nan=False)
    rest_taken_s: int | None = Field(None, ge=0, le=3600)
    rest_s: int | None = Field(None, ge=0, le=3600)
    session_struggles: int = Field(0, ge=0, le=50)
    session_skips: int = Field(0, ge=0, le=50)


class SessionIn(BaseModel):
    days_ago: int = Field(ge=0, le=3650)
    top_load_kg: float = Field(ge=0, le=1000, allow_inf_nan=False)
    reps: list[int] = Field(default_factory=list, max_length=20)
    best_e1rm_kg: float = Field(0.0, ge=0, le=2000, allow_inf_nan=False)
    struggled: bool = False


class ReadinessIn(BaseModel):
    sleep_hours: float | None = Field(None, ge=0, le=24, allow_inf_nan=False)
    hrv_ratio: float | None = Field(None, ge=0, le=5, allow_inf_nan=False)


class UserDataIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    fitness_level: LevelName = "intermediate"
    goals: list[str] = Field(default_factory=list, max_length=10)
    history: list[SessionIn] = Field(default_factory=list, max_length=10)
    readiness: ReadinessIn | None = None


class EventIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    event: EventName
    user_id: str | None = Field(None, max_length=128)
    context: ContextIn = Field(default_factory=ContextIn)
    user_data: UserDataIn = Field(default_factory=UserDataIn)


class PrescriptionOut(BaseModel):
    sets: int
    reps: int
    weight_kg: float
    rest_s: int


class EvidenceOut(BaseModel):
    pmid: str
    title: str
    year: int | None
    url: str


class TweakOut(BaseModel):
    action: str
    reason: str
    modifications: dict[str, float | int]
    scope: str
    deload: bool
    evidence: list[EvidenceOut]


class EventOut(BaseModel):
    success: bool
    tweak: TweakOut
    user_id: str | None
    event: str
    ai_powered: bool
    next: PrescriptionOut
    message: str


class ErrorOut(BaseModel):
    success: bool = False
    error: str
    detail: list[dict] | None = None


# --- pieces ---------------------------------------------------------------------------------------


def _context(body: ContextIn) -> CoachContext:
    return CoachContext(**body.model_dump(exclude={"exercise_id"}))


def _user_data(body: UserDataIn) -> UserData:
    return UserData(
        fitness_level=body.fitness_level,
        goals=tuple(g.strip().lower()[:40] for g in body.goals),
        history=tuple(SessionRecord(days_ago=h.days_ago, top_load_kg=h.top_load_kg, reps=tuple(h.reps),
                                    best_e1rm_kg=h.best_e1rm_kg, struggled=h.struggled) for h in body.history),
        readiness=Readiness(**body.readiness.model_dump()) if body.readiness else None,
    )


def _reply(tweak, *, event: str, user_id: str | None, message: str, ai_powered: bool) -> dict:
    data = tweak.to_dict()
    nxt = data.pop("next")
    return {"success": True, "tweak": data, "user_id": user_id, "event": event, "ai_powered": ai_powered,
            "next": nxt, "message": message}


def _error(status: int, error: str, detail: list | None = None) -> JSONResponse:
    body = {"success": False, "error": error}
    if detail is not None:
        body["detail"] = detail
    return JSONResponse(body, status_code=status)


def _validation_detail(exc: ValidationError) -> list[dict]:
    return [{"loc": [str(p) for p in err["loc"]], "msg": err["msg"], "type": err["type"]}
            for err in exc.errors(include_url=False, include_context=False, include_input=False)]


async def _read_json(request: Request) -> dict | JSONResponse:
    content_type = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if content_type and content_type != "application/json" and not content_type.endswith("+json"):
        return _error(415, "Send the event as JSON (Content-Type: application/json).")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return _error(413, f"The body is larger than {MAX_BODY_BYTES // 1024} KB.")
    if declared and declared.isdigit():
        body = await request.body()
    else:  # chunked: read it piece by piece so an endless body stops at the limit
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY_BYTES:
                return _error(413, f"The body is larger than {MAX_BODY_BYTES // 1024} KB.")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        return _error(400, f"The body is not valid JSON: {exc}.")
    if not isinstance(data, dict):
        return _error(400, "The body must be a JSON object.")
    return data


# --- routes ---------------------------------------------------------------------------------------


async def event(request: Request) -> JSONResponse:
    data = await _read_json(request)
    if isinstance(data, JSONResponse):
        return data
    try:
        body = EventIn.model_validate(data)
    except ValidationError as exc:
        return _error(422, "The event is not valid.", _validation_detail(exc))
    if request.headers.get("authorization"):
        return await _event_for_member(request, body)
    # Stateless: only the posted context; nothing read, nothing stored.
    ctx, user = _context(body.context), _user_data(body.user_data)
    try:
        tweak = engine.decide(body.event, ctx, user)
    except ValueError as exc:
        return _error(422, str(exc))
    tweak = evidence.attach(tweak, user.goals)
    goal = user.goals[0] if user.goals else "general"
    message = messages.template_message(
        tweak, body.event, exercise=ctx.exercise, goal=goal, level=user.fitness_level,
        seed=f"{body.user_id or ''}|{body.event}|{ctx.set_number}")
    return JSONResponse(_reply(tweak, event=body.event, user_id=body.user_id, message=message, ai_powered=False))


def _record_member_event(user_id: int, body: EventIn):
    """In a thread: the member's event recorded, with the tier billing gives them."""
    from adaptivefit.coach import ai_messages
    from adaptivefit.db import session_scope
    from adaptivefit.models import User
    from adaptivefit.services.payments import billing

    with session_scope() as session:
        user = session.get(User, user_id)
        return ai_messages.api_event(session, user, body.event, _context(body.context), _user_data(body.user_data),
                                     body.context.exercise_id, ai_tier=billing.is_pro(session, user))


async def _event_for_member(request: Request, body: EventIn) -> JSONResponse:
    from adaptivefit.api.auth import api_actor
    from adaptivefit.coach import ai_messages

    actor = await api_actor(request)
    try:
        outcome = await asyncio.to_thread(_record_member_event, actor.id, body)
    except ai_messages.BadReference as exc:
        return _error(422, str(exc))
    tweak, message, ai_powered = outcome.tweak, outcome.message, False
    if outcome.wants_ai:
        message, ai_powered = await ai_messages.ai_message(outcome)
        if ai_powered:
            await asyncio.to_thread(ai_messages.save_message, actor.id, outcome.tweak_id, message)
    return JSONResponse(_reply(tweak, event=body.event, user_id=str(actor.id), message=message,
                               ai_powered=ai_powered))


async def info(request: Request) -> JSONResponse:
    prefix = request.scope.get("root_path", "") + ("/api" if request.url.path.startswith("/api") else "")
    return JSONResponse({
        "service": "Adaptive Fit coach",
        "version": version("adaptivefit"),
        "description": "Adapts training set by set: send an event and its context, get a safe tweak.",
        "events": list(EVENTS),
        "endpoints": {
            f"GET {prefix}/health": "Service, database and language-model status.",
            f"GET {prefix}": "This description.",
            f"POST {prefix}/event": "An event and its context in; a tweak, the next set and a message out.",
            f"GET {prefix}/openapi.json": "The OpenAPI 3.1 schema.",
        },
        "authentication": "Optional 'Authorization: Bearer <personal API token>': uses and records your history.",
    })


def openapi_schema(prefix: str = "/api") -> dict:
    models = (EventIn, EventOut, ErrorOut)
    components: dict = {}
    for model in models:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(schema.pop("$defs", {}))
        components[model.__name__] = schema

    def ref(name: str) -> dict:
        return {"$ref": f"#/components/schemas/{name}"}

    def error(description: str) -> dict:
        return {"description": description, "content": {"application/json": {"schema": ref("ErrorOut")}}}

    return {
        "openapi": "3.1.0",
        "info": {"title": "Adaptive Fit coach", "version": version("adaptivefit")},
        "paths": {
            f"{prefix}/event": {"post": {
                "summary": "Coach one event",
                "security": [{}, {"bearer": []}],
                "requestBody": {"required": True, "content": {"application/json": {"schema": ref("EventIn")}}},
                "responses": {
                    "200": {"description": "The tweak", "content": {"application/json": {"schema": ref("EventOut")}}},
                    "400": error("Malformed JSON"), "401": error("A token was sent but is not valid"),
                    "413": error("Body too large"), "415": error("Not JSON"), "422": error("Invalid event"),
                },
            }},
            f"{prefix}/health": {"get": {"summary": "Health", "responses": {"200": {"description": "Up"},
                                                                            "503": {"description": "Database down"}}}},
            prefix or "/": {"get": {"summary": "Service information", "responses": {"200": {"description": "OK"}}}},
        },
        "components": {"schemas": components,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }


def _schema_route(prefix: str):
    schema = openapi_schema(prefix)

    async def serve(_request: Request) -> JSONResponse:
        return JSONResponse(schema)

    return serve


def routes(prefix: str) -> list[Route]:
    """The coach's routes under `prefix` ("/api" in the app, "" standalone). /health is the app's."""
    return [
        Route(prefix or "/", info, methods=["GET"]),
        Route(f"{prefix}/event", event, methods=["POST"]),
        Route(f"{prefix}/openapi.json", _schema_route(prefix), methods=["GET"]),
    ]


async def _json_error(_request: Request, exc: HTTPException) -> JSONResponse:
    return JSONResponse({"success": False, "error": exc.detail}, status_code=exc.status_code, headers=exc.headers)


def build_app() -> Starlette:
    """The coach alone, at the root, for `uvicorn adaptivefit.api.coach:app`."""
    from adaptivefit.api.health import health
    from adaptivefit.api.middleware import RequestIdMiddleware
    from starlette.middleware import Middleware

    return Starlette(
        routes=[Route("/health", health, methods=["GET"]), *routes("")],
        middleware=[Middleware(RequestIdMiddleware)],
        exception_handlers={HTTPException: _json_error},
    )


@functools.cache
def _standalone() -> Starlette:
    from adaptivefit.api.middleware import tune_garbage_collector

    app = build_app()
    tune_garbage_collector()
    return app


def __getattr__(name: str):
    # `app` is built on first use, so importing this module (as the main app does) builds nothing.
    if name == "app":
        return _standalone()
    raise AttributeError(name)
