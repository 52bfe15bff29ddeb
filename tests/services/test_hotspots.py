"""Hotspots: places by postcode district and by name, counted by children and episodes in a
period, against the period before; one organisation's only."""

from __future__ import annotations

from datetime import timedelta

from rhc_app.services.hotspots import hotspots
from tests.conftest import now
from tests.services.test_links import held

GARAGE = {"name": "The old garage", "area": "M1 2AB", "slept_there": "yes", "concern": ""}


def test_places_are_counted_by_district_and_by_name_against_the_period_before(world, db):
    north, south = world.user("north", "worker"), world.user("north", "worker2")
    held(db, north, places=[GARAGE])
    held(db, south, places=[{**GARAGE, "name": "the Old  Garage", "area": "m1"}])
    held(db, north, places=[{**GARAGE, "name": "The old garage"}], ref="TWICE-1")
    held(db, north, places=[{**GARAGE, "name": "Shed"}], ref="TWICE-1")  # same child again
    held(db, north, places=[{"name": "Bus station", "area": "M1 4XY"}], hours_ago=24 * 100)
    held(db, world.user("south", "worker"), places=[GARAGE])  # another organisation
    org = world.orgs["north"].org.id
    end = now() + timedelta(hours=1)
    found = {(h.token_kind, h.label): h for h in hotspots(db, org, end - timedelta(days=90), end)}
    district = found[("district", "M1")]
    assert (district.children, district.episodes, district.children_before) == (3, 4, 1)
    assert district.trend == "up"
    garage = next(h for (kind, _label), h in found.items() if kind == "name"
                  and h.label.casefold().split() == ["the", "old", "garage"])
    assert (garage.children, garage.episodes, garage.children_before) == (3, 3, 0)
    assert ("name", "Bus station") not in found  # only in the period before
    ranked = list(found.values())
    assert ranked[0] is district  # most children, then most episodes, first
    before = {(h.token_kind, h.label): h for h in hotspots(
        db, org, end - timedelta(days=180), end - timedelta(days=90))}
    assert before[("district", "M1")].children == 1 and before[("name", "Bus station")]
    south_org = world.orgs["south"].org.id
    assert [h.children for h in hotspots(db, south_org, end - timedelta(days=90), end)] == [1, 1]
