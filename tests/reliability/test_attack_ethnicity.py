"""Attack finding 17: free-text ethnicity reached the partner export and the committee PDF as
typed, look-alike formula prefixes escaped the CSV guard, and small counts were published.

Ethnicity is now one of the 2021 census categories (form and import), every shared CSV cell
is checked as a spreadsheet reads it, and shared outputs suppress counts below the
organisation's threshold (5 unless set) with a note saying so."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from rhc_app.domain import ethnicity
from rhc_app.domain.figures import csv_safe
from rhc_app.services.children import ChildDetails, EpisodeDetails, add_child, add_episode
from rhc_app.store.models import Child, Conversation, Organisation
from tests.conftest import csrf_from, make_case, now
from tests.reliability_plugin import attack_refused

LOOK_ALIKES = [
    " =HYPERLINK(\"http://evil.example/\",\"x\")",
    "\u00a0=1+1",             # no-break space
    "\u200b=1+1",             # zero-width space
    "\ufeff@SUM(A1)",         # byte-order mark
    "\uff1dcmd|' /C calc'!A0",  # full-width equals sign
    "\uff0b1+1",              # full-width plus
    "\u3000-1+1",             # ideographic space
    "\t=1", "\r=1", "\n=1", "+1", "-1+1", "@A1",
]
HEADER = ("child_ref,child_name,date_of_birth,gender,ethnicity,in_care,episode_ref,"
          "reported_missing_at,found_at,police_risk,rhc_offered_at,rhc_outcome,rhc_held_at,"
          "risk_factors")


def _as_spreadsheet_reads(cell: str) -> str:
    folded = unicodedata.normalize("NFKC", cell)
    return folded.lstrip(" \u00a0\u200b\u200c\u200d\u2060\ufeff\n")


def _runs_as_formula(cell: str) -> bool:
    return _as_spreadsheet_reads(cell).startswith(("=", "+", "-", "@", "\t", "\r"))


def test_every_look_alike_formula_is_neutralised():
    for value in LOOK_ALIKES:
        cell = csv_safe(value)
        assert cell.startswith("'") and not _runs_as_formula(cell), repr(value)
        assert cell[1:] == value  # the value itself is kept, only neutralised
    for value in ("Irish", "White: Roma", "-", "", "a=b", "3"):
        assert csv_safe(value) == value
    attack_refused("finding 17: look-alike formula prefixes escape the CSV guard")


def test_form_offers_only_census_categories(world, auth, client, db):
    auth.sign_in(world.user("north", "worker"))
    page = client.get("/children/new").get_data(as_text=True)
    assert '<select class="govuk-select' in page and 'name="ethnicity"' in page
    assert page.count("<option") == 22  # Not recorded, 19 categories, Not known, Refused
    for value in ("=HYPERLINK(\"http://evil.example/\")", "White British", "Martian"):
        r = client.post("/children/new", data={
            "name": "Robin Testchild", "case_reference": "CASE-ETH-1", "gender": "female",
            "ethnicity": value, "in_care": "no", "csrf_token": csrf_from(page)})
        html = r.get_data(as_text=True)
        assert r.status_code in (200, 400)
        assert "Select an ethnic group from the list, or Not known" in html
        assert 'value="CASE-ETH-1"' in html  # nothing typed is lost
    assert db.scalar(select(func.count()).select_from(Child)) == 0
    chosen = "Asian, Asian British or Asian Welsh: Pakistani"
    r = client.post("/children/new", data={
        "name": "Robin Testchild", "case_reference": "CASE-ETH-1", "gender": "female",
        "ethnicity": chosen, "in_care": "no", "csrf_token": csrf_from(page)})
    assert r.status_code == 302
    db.rollback()
    assert db.execute(select(Child)).scalar_one().ethnicity == chosen
    attack_refused("finding 17: free-text ethnicity through the add-child form")


def test_import_accepts_category_names_and_refuses_others(world, runner, db, tmp_path):
    def row(ref: str, value: str) -> str:
        cell = '"' + value.replace('"', '""') + '"'
        return (f"{ref},Ada Sampleton,2010-01-02,female,{cell},no,E-{ref},2024-05-10T10:00Z,"
                ",,,,,")

    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "\n" + row("A1", "  indian ") + "\n" + row("A2", "\u00a0=1+1")
                   + "\n" + row("A3", "Martian") + "\n", encoding="utf-8")
    r = runner.invoke(args=["import", "episodes", str(bad), "--org", "north"])
    assert r.exit_code != 0
    assert "line 3, ethnicity: ethnicity '=1+1' is not a 2021 census category" in r.output
    assert "line 4, ethnicity: ethnicity 'Martian' is not a 2021 census category" in r.output
    assert "line 2" not in r.output
    assert db.scalar(select(func.count()).select_from(Child)) == 0
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "\n" + row("A1", "  indian ") + "\n" + row("A2", "WHITE:  roma")
                    + "\n" + row("A3", "not known") + "\n" + row("A4", "White British") + "\n",
                    encoding="utf-8")
    r = runner.invoke(args=["import", "episodes", str(good), "--org", "north"])
    assert r.exit_code == 0, r.output
    db.rollback()
    assert sorted(c.ethnicity for c in db.execute(select(Child)).scalars()) == [
        "Asian, Asian British or Asian Welsh: Indian", "Not known", "White: English, Welsh, "
        "Scottish, Northern Irish or British", "White: Roma"]
    attack_refused("finding 17: free-text ethnicity through the dataset import")


def _older_children(db, user, values: list[str]) -> None:
    """Children recorded before the list existed: their free text stays in the database."""
    ring = db.info["keyring"]
    t = now()
    for i, value in enumerate(values):
        child = add_child(db, ring, user, ChildDetails(
            name=f"Older Child{i}", case_reference=f"OLD-{i}", date_of_birth="2011-05-04",
            ethnicity=value))
        add_episode(db, user, child, EpisodeDetails(
            reported_missing_at=t - timedelta(days=2, hours=i), found_at=t - timedelta(days=1)))
    db.commit()


def _export(runner) -> list[dict[str, str]]:
    today = now().date()
    r = runner.invoke(args=["export", "dataset", "--org", "north", "--from",
                            str(today - timedelta(days=30)), "--to", str(today)])
    assert r.exit_code == 0, r.output
    return list(csv.DictReader(io.StringIO(r.output)))


def test_partner_export_neutralises_and_withholds(world, runner, db):
    worker = world.user("north", "worker")
    attack = "\uff1dcmd|' /C calc'!A0"
    _older_children(db, worker, [attack] * 5 + ["White British"] * 5 + ["Irish Traveller"]
                    + ["Black Caribbean"] * 2)
    rows = _export(runner)
    assert len(rows) == 13
    values = [r["ethnicity"] for r in rows]
    assert not any(_runs_as_formula(v) for v in values)
    assert values.count("'" + attack) == 5  # five children share it: kept, neutralised
    assert values.count("White: English, Welsh, Scottish, Northern Irish or British") == 5
    # Held by fewer than 5 children in the export: a child could be picked out.
    assert values.count("Withheld: fewer than 5 children") == 3
    assert "Irish Traveller" not in values and not any("Caribbean" in v for v in values)
    attack_refused("finding 17: partner export carries a full-width formula and rare groups")


def test_partner_export_threshold_is_an_organisation_setting(world, runner, db):
    _older_children(db, world.user("north", "worker"), ["Black Caribbean"] * 3)
    assert _export(runner)[0]["ethnicity"] == "Withheld: fewer than 5 children"
    r = runner.invoke(args=["orgs", "set", "north", "--small-count-threshold", "3"])
    assert r.exit_code == 0, r.output
    db.rollback()
    org = db.execute(select(Organisation).where(Organisation.slug == "north")
                     .execution_options(populate_existing=True)).scalar_one()
    assert org.setting("small_count_threshold") == 3
    rows = _export(runner)
    assert {r["ethnicity"] for r in rows} == {
        "Black, Black British, Black Welsh, Caribbean or African: Caribbean"}


def _pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


@pytest.fixture
def small_counts(world, db):
    manager = world.user("north", "manager")
    worker = world.user("north", "worker")
    for i in range(3):  # three children, each missing once: every count is below 5
        make_case(db, worker, name=f"Sam Child{i}", found_hours_ago=20, reported_hours_ago=30)
    _older_children(db, worker, ["Martian"])  # an older free-text value, shown as recorded
    return manager


def test_committee_outputs_suppress_small_counts(small_counts, auth, client):
    auth.sign_in(small_counts)
    today = now().date()
    fy = today.year if today.month >= 4 else today.year - 1
    start = f"{fy}-04-01"
    base = f"/reports/risk-factors?from={start}&to={today}"
    page = client.get(base).get_data(as_text=True)
    assert "Martian" in page  # the manager's own page is exact
    pdf = _pdf_text(client.get(base + "&format=pdf").data)
    assert "Counts below 5 (other than 0) are shown as '<5' to protect children's identities" \
        in pdf
    assert "White: English, Welsh, Scottish, Northern Irish or British <5" in pdf  # 3 children
    assert "Martian <5" in pdf
    # The day it was produced may be the 3rd or 4th of a month.
    counts = re.sub(r"produced \w+ \d+ \w+ \d{4}, \d\d:\d\d", "", pdf)
    assert "produced" in pdf and "produced" not in counts
    assert " 3 " not in f" {counts} " and " 4 " not in f" {counts} "  # 3 children, 4 in all: hidden
    quarterly = client.get(f"/reports/quarterly?year={fy}&format=csv&cohort=all")
    rows = list(csv.reader(io.StringIO(quarterly.get_data(as_text=True))))
    cells = [c for r in rows[1:-1] for c in r[1:]]
    assert "<5" in cells and not ({"1", "2", "3", "4"} & set(cells))
    assert "to protect children's identities" in rows[-1][0]
    pdf = _pdf_text(client.get(f"/reports/quarterly?year={fy}&format=pdf").data)
    assert re.search(r"No\. Missing Children(?: (?:0|<5)){5} ", pdf) and "shown as '<5'" in pdf
    page = client.get(f"/reports/quarterly?year={fy}").get_data(as_text=True)
    assert "&lt;5" not in page  # the manager's screen keeps the exact figures
    attack_refused("finding 17: committee PDF and CSV publish counts below 5")


def test_a_percentage_of_a_small_count_is_not_shown():
    from rhc_app.domain import disclosure, figures

    counts = [dict(children=9, episodes=9, offered=9, accepted=6, declined=3, within=2)] * 5
    rows = {r[0]: r[1:] for r in disclosure.table_rows(
        figures.table_from_counts(2024, "all", counts), 5)}
    assert rows["RHC Declined"] == ["<5"] * 5 and rows["RHC Accepted"] == ["6"] * 5
    assert rows["% RHC Accepted"] == ["66.7%"] * 5  # 6 of 9: both shown
    assert rows["% Within Timescale"] == ["suppressed"] * 5  # 2 of 6 would give the 2 back
    attack_refused("finding 17: a percentage gives back a suppressed count")


def test_risk_factor_labels_in_csv_are_neutralised(world, auth, client, db):
    org = world.orgs["north"].org
    db.rollback()
    org = db.get(Organisation, org.id)
    org.settings = {**(org.settings or {}), "extra_risk_factors": {"own_1": "\u00a0=HYPERLINK(1)"}}
    episode = make_case(db, world.user("north", "worker"))
    conv = db.execute(select(Conversation).where(Conversation.episode_id == episode.id)).scalar_one()
    conv.risk_factors, conv.held_at, conv.outcome = ["own_1"], now(), "accepted"
    db.commit()
    auth.sign_in(world.user("north", "manager"))
    today = now().date()
    csv_text = client.get(f"/reports/risk-factors?from={today - timedelta(days=5)}&to={today}"
                          "&format=csv").get_data(as_text=True)
    cells = [c for r in csv.reader(io.StringIO(csv_text)) for c in r]
    assert "'\u00a0=HYPERLINK(1)" in cells and not any(_runs_as_formula(c) for c in cells)
    attack_refused("finding 17: an organisation's risk-factor label with a hidden formula")


def test_older_values_keep_working(world, auth, client, db):
    episode = make_case(db, world.user("north", "worker"))  # stored as "White British"
    auth.sign_in(world.user("north", "worker"))
    html = client.get(f"/children/{episode.child_id}").get_data(as_text=True)
    assert "White: English, Welsh, Scottish, Northern Irish or British" in html
    assert ethnicity.display("Martian") == "Martian"  # unknown older text: as recorded
    assert len(ethnicity.CATEGORIES) == 19 and len(ethnicity.GROUPS) == 5
