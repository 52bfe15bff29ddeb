"""The team page is a summary: each section's count, its 10 most urgent rows and "See all N"
to that section's own pages (50 a page), for managers only, audited as the page is."""

import re

from sqlalchemy import select

from rhc_app.services import dashboard
from rhc_app.store.models import AuditEvent
from tests.conftest import make_case


def _overdue(world, db, n):
    worker = world.user("north", "worker")
    # Found longer ago is more overdue: Late00 is the most urgent.
    return [make_case(db, worker, name=f"Ovi Late{i:02d}", found_hours_ago=200 - i,
                      reported_hours_ago=210 - i).conversation.id for i in range(n)]


def _listed(html, part):
    """The conversations a section's table links to, in order."""
    return re.findall(r'href="/conversations/([0-9a-f]+)"', part)


def test_the_team_page_shows_the_ten_most_urgent_and_links_to_all(world, auth, client, db):
    ids = _overdue(world, db, 53)
    auth.sign_in(world.user("north", "manager"))
    html = client.get("/team").get_data(as_text=True)
    overdue = html.split('id="overdue"')[1].split('id="due-soon"')[0]
    assert _listed(html, overdue) == ids[:dashboard.SHOWN]
    assert '<a class="govuk-link" href="/team/overdue">See all 53 overdue</a>' in overdue
    assert ">53</span><br>Overdue" in html  # the count at the top, not the rows shown
    assert "See all" not in html.split('id="unallocated"')[1].split('id="repeat"')[0]


def test_see_all_pages_hold_exactly_the_section(world, auth, client, db):
    ids = _overdue(world, db, 53)
    make_case(db, world.user("north", "worker"), name="Sid Soon", found_hours_ago=60,
              reported_hours_ago=70)  # due soon: not overdue, never on its pages
    auth.sign_in(world.user("north", "manager"))
    first = client.get("/team/overdue")
    second = client.get("/team/overdue?page=2")
    assert first.status_code == second.status_code == 200
    one, two = (_listed(a.get_data(as_text=True), a.get_data(as_text=True)) for a in (first, second))
    assert len(one) == 50 and one + two == ids
    assert "53 in all" in first.get_data(as_text=True)
    assert 'href="/team/overdue?page=2"' in first.get_data(as_text=True)
    past = client.get("/team/overdue?page=3")
    assert past.status_code == 404 and "There is no page 3" in past.get_data(as_text=True)
    assert client.get("/team/overdue?page=x").status_code == 404
    assert client.get("/team/nothing-of-the-sort").status_code == 404
    soon = client.get("/team/due-soon").get_data(as_text=True)
    assert "Sid Soon" in soon and "Ovi Late" not in soon
    seen = db.execute(select(AuditEvent.detail).where(
        AuditEvent.action == "team_section_viewed")).scalars().all()
    assert seen == ["overdue page 1", "overdue page 2", "due-soon page 1"]


def test_the_decisions_due_are_summarised_and_paged(world, auth, client, db):
    worker = world.user("north", "worker")
    for i in range(12):  # missing from care for days, a day apart: each decision overdue, due a day apart
        make_case(db, worker, name=f"Cia Incare{i:02d}", found_hours_ago=None,
                  reported_hours_ago=100 + 24 * i, in_care=True)
    auth.sign_in(world.user("north", "manager"))
    html = client.get("/team").get_data(as_text=True)
    decisions = html.split('id="repeat"')[1].split('id="no-found"')[0]
    assert decisions.count("Cia Incare") == dashboard.SHOWN
    assert "Cia Incare11" in decisions and "Cia Incare01" not in decisions  # oldest first
    assert 'href="/team/decisions">See all 12 decisions to record</a>' in decisions
    page = client.get("/team/decisions").get_data(as_text=True)
    assert page.count("Cia Incare") == 12 and "12 in all" in page


def test_workers_and_admins_get_no_section_pages(world, auth, client, db):
    _overdue(world, db, 1)
    auth.sign_in(world.user("north", "worker"))
    for url in ("/team", "/team/overdue", "/team/decisions", "/team/overdue?page=2"):
        assert client.get(url).status_code == 404, url
    auth.sign_out()
    auth.sign_in(world.user("south", "manager"))  # another organisation's manager
    assert "Ovi Late" not in client.get("/team/overdue").get_data(as_text=True)
