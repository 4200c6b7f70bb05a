from datetime import UTC, date, datetime
from types import SimpleNamespace

from adaptivefit.services.core.clock import day_bounds


def test_day_bounds_cover_one_local_day_or_a_run_of_them_across_a_clock_change():
    # Sydney leaves daylight saving on 5 April 2026: that local day lasts 25 hours.
    member = SimpleNamespace(timezone="Australia/Sydney")
    assert day_bounds(member, date(2026, 4, 5)) == (datetime(2026, 4, 4, 13, 0, tzinfo=UTC),
                                                    datetime(2026, 4, 5, 14, 0, tzinfo=UTC))
    assert day_bounds(member, date(2026, 4, 4), date(2026, 4, 6)) == (datetime(2026, 4, 3, 13, 0, tzinfo=UTC),
                                                                      datetime(2026, 4, 6, 14, 0, tzinfo=UTC))
    assert day_bounds(SimpleNamespace(timezone=None), date(2026, 4, 5), date(2026, 4, 5)) == (
        datetime(2026, 4, 5, tzinfo=UTC), datetime(2026, 4, 6, tzinfo=UTC))
