"""One vocabulary: every label is written once (domain/vocabulary.py), and the pages, the
police PDF and the import all speak it."""

import io
import re
from datetime import timedelta
from pathlib import Path

from pypdf import PdfReader

from rhc_app.domain import dataset, vocabulary
from rhc_app.services.canvas import empty_canvas
from rhc_app.services.conversations import record_attempt, record_outcome, save_canvas
from rhc_app.store.models import Conversation
from rhc_app.web.children.forms import ChildForm, EpisodeForm
from rhc_app.web.conversations.forms import AttemptForm
from tests.conftest import make_case, now

APP = Path(__file__).resolve().parents[2] / "rhc_app"

#: Labels no other module has a reason to spell out (short ones like "Yes" or "Home" are
#: ordinary words elsewhere too).
DISTINCT_LABELS = (
    *vocabulary.AREAS.values(), *vocabulary.ACTIONS.values(),
    *(v for v in vocabulary.CONTACT_METHODS.values() if " " in v),
    *vocabulary.OFFER_ANSWERS.values(), "Not completed", "Awaiting sign-off", "In progress",
    vocabulary.MISSING_FROM["care"],
)


def test_each_label_is_written_once():
    copies = []
    for path in sorted(APP.rglob("*")):
        if path.suffix not in (".py", ".html", ".js") or path.name == "vocabulary.py":
            continue
        source = path.read_text(encoding="utf-8")
        copies += [f"{path.relative_to(APP)}: {label}" for label in DISTINCT_LABELS
                   if f'"{label}"' in source or f"'{label}'" in source]
    assert copies == []


def test_forms_and_import_offer_the_vocabulary_codes(app):
    with app.test_request_context():
        assert dict(ChildForm().gender.choices) == vocabulary.GENDERS
        episode = EpisodeForm()
        assert dict(episode.missing_from.choices) == vocabulary.MISSING_FROM
        assert [c for c, _ in episode.police_risk.choices] == [*vocabulary.POLICE_RISKS, ""]
        assert dict(AttemptForm().method.choices) == vocabulary.CONTACT_METHODS
    header = ",".join(dataset.COLUMNS)
    row = "C1,,,unknown,,yes,E1,2026-11-01 10:00,,severe,,,,"
    errors = [str(e) for e in dataset.parse_dataset(f"{header}\n{row}\n".encode()).errors]
    assert f"gender 'unknown' is not one of: {', '.join(vocabulary.GENDERS)}" in errors[0]
    assert f"police_risk 'severe' is not one of: {', '.join(vocabulary.POLICE_RISKS)}" \
        in errors[1]


def test_overview_names_each_contact_attempt_in_the_form_words(world, auth, client, db):
    worker = world.user("north", "worker")
    conv = db.get(Conversation, make_case(db, worker).conversation.id)
    record_attempt(db, worker, conv, now() - timedelta(hours=1), "via_carer", None)
    db.commit()
    auth.sign_in(worker)
    html = client.get(f"/conversations/{conv.id}").get_data(as_text=True)
    cells = re.findall(r'<td class="govuk-table__cell">([^<]*)</td>', html)
    assert "Through a parent or carer" in cells  # as the worker chose it, not "Via carer"


def test_police_pdf_uses_the_page_words(world, auth, client, db):
    worker = world.user("north", "worker")
    episode = make_case(db, worker, ref="VW-2207")
    episode.missing_from = "care"
    conv = db.get(Conversation, episode.conversation.id)
    record_outcome(db, worker, conv, "accepted", now() - timedelta(hours=2))
    canvas = empty_canvas()
    canvas["areas"]["carer_observations"] = "Tired and hungry"
    canvas["details"].update(held_at=(now() - timedelta(hours=1)).isoformat(),
                             consent_to_share="yes")
    assert save_canvas(db, worker, conv, canvas, conv.version).applied
    db.commit()
    auth.sign_in(worker)
    page = f"/conversations/{conv.id}/documents"
    r = auth.post(f"/conversations/{conv.id}/documents/police.pdf", {}, page=page)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(r.data)).pages)
    assert "Missing from: Care or placement" in text  # as the episode page says it
    assert "Observations from parents or carers on return\nTired and hungry" in text
    assert "Police risk grade: Medium" in text
