"""The conversation page's GOV.UK components come from stencils rendered once per process
(web/components.py): the page must be byte for byte what the GOV.UK macros themselves give,
filled or empty, ticked or not, with errors shown, and the stencils must hold nothing typed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from werkzeug.datastructures import MultiDict

from rhc_app.services.canvas import empty_canvas
from rhc_app.services.conversations import record_outcome, save_canvas
from rhc_app.store.models import Conversation
from rhc_app.web.components import Components
from tests.conftest import csrf_from, make_case, now

MARKUP = "<b>Tom & \"Jez\"</b> 'x' \ue001"  # what the escaping must keep apart


def _full_canvas() -> dict:
    c = empty_canvas()
    for i, key in enumerate(c["areas"]):
        c["areas"][key] = f"Area {i}: {MARKUP}\nsecond line"
    c["child_words"] = "I just wanted to see my friend & her mum"
    c["details"].update(method="phone", location="At school <café>", present="Mum",
                        seen_alone="yes", independent_offered="no", language="English",
                        interpreter="no", consent_to_share="yes", sees_self_missing="unsure",
                        how_got_home="Bus", helplines_given="Missing People 116 000",
                        holder_role="social_worker", holder_independent="no",
                        late_reason_note="Mum said no & then yes")
    c["people"] = [{"name": MARKUP, "description": "Older", "approximate_age": "20",
                    "relationship": "Friend", "concern": "Drives a grey car",
                    "do_not_share": "yes"},
                   {"name": "Kez", "description": "", "approximate_age": "",
                    "relationship": "", "concern": ""}]
    c["places"] = [{"name": "The flat", "area": "NE4", "slept_there": "yes", "concern": MARKUP},
                   {"name": "Park", "area": "", "slept_there": "no", "concern": "",
                    "do_not_share": "yes"}]
    c["notes"] = [{"text": MARKUP, "area": "themes", "at": "2026-11-01T10:00+00:00"},
                  {"text": "unsorted", "area": "", "at": ""}]
    c["risk_factors"] = ["bullied", "county_lines", "self_harm"]
    c["actions"] = ["health", "strategy_meeting"]
    c["actions_detail"] = "Referred to school nurse"
    return c


@pytest.fixture
def page(world, auth, db):
    worker = world.user("north", "worker")
    conv = db.get(Conversation, make_case(db, worker).conversation.id)
    record_outcome(db, worker, conv, "accepted", now() - timedelta(hours=2))
    assert save_canvas(db, worker, conv, _full_canvas(), conv.version).applied
    db.commit()
    auth.sign_in(worker)
    return f"/conversations/{conv.id}/canvas"


def _same(html: str) -> str:
    """The page without what changes from one request to the next."""
    html = re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token" value=""', html)
    return re.sub(r'nonce="[^"]+"', 'nonce=""', html)


def _both_ways(app, answer_of):
    """The page from the stencils (twice: made, then reused), then from the macros alone."""
    stencils = app.jinja_env.globals["govuk"]
    made, reused = answer_of(), answer_of()
    app.jinja_env.globals["govuk"] = stencils.direct
    try:
        direct = answer_of()
    finally:
        app.jinja_env.globals["govuk"] = stencils
    assert made.status_code == reused.status_code == direct.status_code
    return [_same(a.get_data(as_text=True)) for a in (made, reused, direct)]


def test_a_full_canvas_renders_as_the_macros_render_it(app, client, page):
    made, reused, direct = _both_ways(app, lambda: client.get(page))
    assert made == reused == direct
    assert direct.count(" checked") >= 3 + 2 + 10  # risk factors, actions, radios, do not share
    assert 'value="county_lines" checked' in made and "&lt;b&gt;Tom &amp; &#34;Jez&#34;" in made
    assert 'value="themes" selected' in made


def test_an_added_empty_row_renders_as_the_macros_render_it(app, client, page):
    made, reused, direct = _both_ways(app, lambda: client.get(page + "?add=person"))
    assert made == reused == direct and 'id="person-2"' in made


def test_a_refused_save_shows_each_error_and_its_summary_link(app, client, page):
    form = client.get(page).get_data(as_text=True)
    posted = MultiDict([("csrf_token", csrf_from(form)), ("base_version", "2"),
                        ("person-count", "1"), ("person-0-name", "Kez"),
                        ("person-0-concern", "y" * 5001), ("area-victims", "x" * 50_001),
                        ("detail-method", "bogus"), ("risk_factors", "bullied"),
                        ("note-count", "1"), ("note-0-text", "z" * 5001), ("action", "save")])
    made, reused, direct = _both_ways(app, lambda: client.post(page, data=posted))
    assert made == reused == direct
    for name in ("area-victims", "person-0-concern", "detail-method", "note-0-text"):
        assert f'href="#{name}"' in made  # the error summary's link to the box
        assert f'id="{name}-error"' in made  # the message beside the box
    assert "Choose one of the options" in made and 'value="bullied" checked' in made


def test_the_stencils_hold_nothing_typed_or_ticked(app, client, page):
    client.get(page)
    stencils = app.jinja_env.globals["govuk"].stencils
    assert stencils
    kept = "".join(html for html, _ in filter(None, stencils.values())) + "".join(stencils)
    for typed in ("Tom", "Kez", "The flat", "Referred to school nurse", "At school"):
        assert typed not in kept
    assert " checked" not in kept and " selected" not in kept


@pytest.mark.parametrize("component, params", [
    ("input", {"name": "a", "id": "a", "label": {"text": "A"}, "value": MARKUP}),
    ("input", {"name": "a", "id": "a", "label": {"text": "A"}, "value": ""}),
    ("input", {"name": "a", "id": "a", "label": {"text": "A"}}),
    ("textarea", {"name": "t", "id": "t", "label": {"text": "T"}, "value": "\n" + MARKUP}),
    ("characterCount", {"name": "c", "id": "c", "label": {"text": "C"}, "maxlength": 9,
                        "value": MARKUP, "errorMessage": {"text": "Too long"}}),
    ("radios", {"name": "r", "items": [{"value": "x&y", "text": "X", "checked": True},
                                       {"value": "z", "text": "Z", "checked": False}]}),
    ("checkboxes", {"name": "k", "items": [{"value": "a", "text": "A", "checked": True,
                                            "disabled": True},
                                           {"value": "b", "text": "B", "name": "other",
                                            "checked": True}]}),
    ("select", {"name": "s", "id": "s", "label": {"text": "S"},
                "items": [{"value": "", "text": "None"}, {"value": "q", "text": "Q",
                                                         "selected": True}]}),
    ("tag", {"text": "In progress", "classes": "govuk-tag--blue"}),
    ("tag", {"text": "3 episodes in 30 days: <record>", "classes": "govuk-tag--red x"}),
])
def test_each_component_is_what_its_macro_gives(app, component, params):
    govuk = Components(app.jinja_env)
    assert govuk(component, params) == govuk(component, params) == govuk.direct(component,
                                                                               params)
