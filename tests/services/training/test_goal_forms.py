"""The goal page's one target box: typed in the member's units, stored in kg."""

import pytest

from adaptivefit.services.training.goal_forms import goal_fields


@pytest.mark.parametrize(
    ("form", "units", "fields"),
    [
        ({"kind": "strength", "target": "225"}, "lb", {"kind": "strength", "target_e1rm_kg": "102.06"}),
        ({"kind": "bodyweight", "target": "82,5"}, "kg", {"kind": "bodyweight", "target_kg": "82.5"}),
        ({"kind": "consistency", "target": "3"}, "lb", {"kind": "consistency", "workouts_per_week": "3"}),
        ({"kind": "volume", "target": "lots"}, "lb", {"kind": "volume", "weekly_volume_kg": "lots"}),
        ({"kind": "strength", "target": ""}, "lb", {"kind": "strength"}),
        ({"kind": "other", "target": "5"}, "kg", {"kind": "other"}),
    ],
)
def test_the_target_box_fills_the_kinds_field_in_kg(form, units, fields):
    assert goal_fields(form, units) == fields
