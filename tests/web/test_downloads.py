"""Every download is an attachment named by send_file (download_name), typed, and never
cached; the name carries the case reference or the period, never the child's name."""

from __future__ import annotations

from werkzeug.http import parse_options_header

from tests.web.test_documents_views import _held_conversation


def _saved_as(response) -> str:  # type: ignore[no-untyped-def]
    kind, options = parse_options_header(response.headers["Content-Disposition"])
    assert kind == "attachment"
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["Content-Length"] == str(len(response.data))
    return options["filename"]


def test_report_downloads(world, auth, client):
    auth.sign_in(world.user("north", "manager"))
    csv = client.get("/reports/quarterly?year=2024&format=csv&cohort=all")
    assert (csv.status_code, csv.content_type) == (200, "text/csv; charset=utf-8")
    assert _saved_as(csv) == "rhc-quarterly-all-2024.csv"
    pdf = client.get("/reports/quarterly?year=2024&format=pdf")
    assert (pdf.status_code, pdf.mimetype) == (200, "application/pdf")
    assert _saved_as(pdf) == "rhc-quarterly-2024.pdf" and pdf.data.startswith(b"%PDF")


def test_conversation_pdf_download(world, auth, client, db):
    worker = world.user("north", "worker")
    conv = _held_conversation(db, worker)
    auth.sign_in(worker)
    r = auth.post(f"/conversations/{conv.id}/documents/police.pdf", {},
                  page=f"/conversations/{conv.id}/documents")
    assert (r.status_code, r.mimetype) == (200, "application/pdf")
    name = _saved_as(r)
    assert name.startswith("rhc-police-NT-4411-") and name.endswith(".pdf")
    assert "Nova" not in r.headers["Content-Disposition"]
