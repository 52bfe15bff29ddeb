"""The summary written to the child and the two PDFs, through the web app."""

import io
import re
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import select

from rhc_app.documents.police_pdf import SECTION_TITLES
from rhc_app.services.canvas import empty_canvas
from rhc_app.services.conversations import record_outcome, save_canvas
from rhc_app.store.models import AuditEvent, Conversation
from tests.conftest import make_case, now

ANALYSIS = "Worker thinks the older male is grooming her"


def _held_conversation(db, worker, name="Nova Testchild"):
    episode = make_case(db, worker, name=name, ref="NT-4411")
    conv = db.get(Conversation, episode.conversation.id)
    record_outcome(db, worker, conv, "accepted", now() - timedelta(hours=2))
    canvas = empty_canvas()
    canvas["areas"].update(locations="We went to the bus station", worker_analysis=ANALYSIS,
                           child_wants="Wants to stay at her nan's at weekends")
    canvas["child_words"] = "I want to stay at my nan's at weekends"
    canvas["details"].update(held_at=(now() - timedelta(hours=1)).isoformat(),
                             consent_to_share="yes", method="face_to_face")
    canvas["people"] = [{"name": "Dax Otherperson", "description": "older", "approximate_age": "19",
                         "relationship": "met online", "concern": "gives her money"}]
    canvas["actions"] = ["strategy_meeting"]
    result = save_canvas(db, worker, conv, canvas, conv.version)
    assert result.applied, result
    db.commit()
    return conv


def test_draft_summary_is_for_the_child(world, auth, client, db):
    worker = world.user("north", "worker")
    conv = _held_conversation(db, worker)
    auth.sign_in(worker)
    html = client.get(f"/conversations/{conv.id}/summary").get_data(as_text=True)
    draft = re.search(r'<textarea[^>]*name="summary"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert "Nova" in draft
    assert "grooming" not in draft and "Dax" not in draft  # analysis and third parties stay out
    assert "You said: “I want to stay at my nan&#39;s at weekends”" in draft  # their words
    assert "Wants to stay" not in draft  # never the worker's note in the child's mouth
    assert 'id="reading-age"' in html


def test_readability_panel_flags_jargon(world, auth, client, db):
    worker = world.user("north", "worker")
    conv = _held_conversation(db, worker)
    auth.sign_in(worker)
    r = auth.post(f"/conversations/{conv.id}/summary",
                  {"summary": "You were at risk of CSE and the perpetrator absconded.",
                   "action": "check"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert 'id="jargon"' in html and "CSE" in html
    db.rollback()
    assert db.get(Conversation, conv.id).child_summary is None  # checking saves nothing


def test_save_read_back_and_download_pdfs(world, auth, client, db):
    worker = world.user("north", "worker")
    conv = _held_conversation(db, worker)
    auth.sign_in(worker)
    r = auth.post(f"/conversations/{conv.id}/summary",
                  {"summary": "Hi Nova,\n\nYou told me you went to the bus station."})
    assert r.status_code == 302
    r = auth.post(f"/conversations/{conv.id}/summary/read-back", {})
    assert r.status_code == 302
    page = f"/conversations/{conv.id}/documents"
    r = auth.post(f"/conversations/{conv.id}/documents/police.pdf", {}, page=page)
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    disposition = r.headers["Content-Disposition"]
    assert "Nova" not in disposition and "NT-4411" in disposition
    reader = PdfReader(io.BytesIO(r.data))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Nova Testchild" in text and "Dax Otherperson" in text and ANALYSIS in text
    positions = [text.find(t) for t in SECTION_TITLES]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)
    for p in reader.pages:
        assert p.extract_text().count("OFFICIAL-SENSITIVE") >= 2
    r = auth.post(f"/conversations/{conv.id}/documents/child.pdf",
                  {"child-password": "a-long-enough-password"}, page=page)
    reader = PdfReader(io.BytesIO(r.data))
    assert reader.is_encrypted
    assert reader.decrypt("a-long-enough-password")
    assert "bus station" in reader.pages[0].extract_text()
    actions = db.execute(select(AuditEvent.action).where(AuditEvent.record_id == conv.id)).scalars().all()
    assert "pdf_police" in actions and "pdf_child" in actions and "child_summary_read_back" in actions


def test_short_pdf_password_is_refused(world, auth, client, db):
    worker = world.user("north", "worker")
    conv = _held_conversation(db, worker)
    auth.sign_in(worker)
    page = f"/conversations/{conv.id}/documents"
    r = auth.post(f"/conversations/{conv.id}/documents/police.pdf", {"police-password": "short"},
                  page=page)
    assert r.status_code == 400
    assert "The password must be 12 to 128 characters" in r.get_data(as_text=True)


def test_other_organisation_cannot_download(world, auth, client, db):
    conv = _held_conversation(db, world.user("north", "worker"))
    auth.sign_in(world.user("south", "manager"))
    page = "/children"
    r = auth.post(f"/conversations/{conv.id}/documents/police.pdf", {}, page=page)
    assert r.status_code == 404
    assert client.get(f"/conversations/{conv.id}/summary").status_code == 404
