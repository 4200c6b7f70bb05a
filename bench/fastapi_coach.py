"""The comparison for bench_coach_api.py: a stock FastAPI service answering the same JSON.

Same request model, same engine, same templates; FastAPI's own validation and serialisation,
served by uvicorn as such a service usually is. Not part of the product.
"""

from fastapi import FastAPI

from adaptivefit.coach import engine, messages
from adaptivefit.api.coach import EventIn, _context, _reply, _user_data

app = FastAPI()


@app.post("/api/event")
async def event(body: EventIn) -> dict:
    ctx, user = _context(body.context), _user_data(body.user_data)
    tweak = engine.decide(body.event, ctx, user)
    goal = user.goals[0] if user.goals else "general"
    message = messages.template_message(tweak, body.event, exercise=ctx.exercise, goal=goal, level=user.fitness_level,
                                        seed=f"{body.user_id or ''}|{body.event}|{ctx.set_number}")
    return _reply(tweak, event=body.event, user_id=body.user_id, message=message, ai_powered=False)
