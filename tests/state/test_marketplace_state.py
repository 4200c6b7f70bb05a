"""What the marketplace and builder states keep: the URL's id, the services' wording, clamped pages."""

import asyncio
import types
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import adaptivefit.pages  # noqa: F401 - defines every state class
from adaptivefit.state.marketplace import MarketplaceState, ProgramPageState
from adaptivefit.state.programs import ProgramBuilderState, route_id
from tests.services.marketplace.marketplace_fixtures import build, people  # noqa: F401 - fixture


def test_route_ids_come_only_from_digits_after_the_prefix():
    assert route_id("/programs/12", "/programs") == 12
    assert route_id("/studio/programs/7/", "/studio/programs") == 7
    assert route_id("/programs/abc", "/programs") is None
    assert route_id("/programs/", "/programs") is None
    assert route_id("/programs/1" + "0" * 20, "/programs") is None


class FakeState:
    """A state's vars and its `_`-helpers on a plain object, seen by an anonymous visitor."""

    def __init__(self, cls):
        for name, var in cls.get_fields().items():
            if not name.startswith("__"):
                setattr(self, name, var.default_factory() if var.default_factory else var.default)
        for name in dir(cls):
            if name.startswith("_") and not name.startswith("__") and isinstance(getattr(cls, name, None),
                                                                                types.FunctionType):
                setattr(self, name, types.MethodType(getattr(cls, name), self))
        self._cls = cls

    async def get_state(self, _cls):
        return SimpleNamespace(session_token="")


def _call(state: FakeState, name: str, *args):
    fn = state._cls.event_handlers[name].fn
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, fn(state, *args)).result()


def test_the_pages_keep_what_the_services_worded(session, people):
    program = build(session, people["trainer"], "Priced", price_kind="subscription", price="9.99", currency="eur")
    session.commit()
    page = FakeState(ProgramPageState)
    page._read(None, program.id)
    assert (page.found, page.price, page.pid, page.version) == (True, "€9.99/month", str(program.id), "Version 1")
    assert page.summary == "1 week of training, 1 day, 1 planned exercise"
    builder = FakeState(ProgramBuilderState)
    builder._read(people["trainer"], program.id)
    assert (builder.form["price"], builder.summary, builder.sales) == ("9.99", "1 week, 1 day, 1 exercise", "0 sales")


def test_a_page_number_from_the_browser_is_clamped_the_same_way_everywhere(session, people):
    build(session, people["trainer"], "Only one")
    session.commit()
    market = FakeState(MarketplaceState)
    for asked, shown in (("junk", 1), (-4, 1), (50, 1)):
        _call(market, "go_to_page", asked)
        assert (market.page, market.pages, market.total) == (shown, 1, 1)
    assert market.cards[0]["price"] == "Free"
