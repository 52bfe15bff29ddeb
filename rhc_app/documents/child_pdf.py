"""The child's copy: the summary written to them, in large plain type, and who they can talk to.

It holds personal data, so it is still marked OFFICIAL-SENSITIVE on every page, but small
and grey so the page feels like a note from a person, not a form. It shows only the
child's first name, the summary the worker approved, the days they came back when one
conversation covered several times away, the name of the worker who held the
conversation and how to reach their team: nothing else from the record, so nothing
professional-only can reach the child by this route.
"""

from __future__ import annotations

import re

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable

from rhc_app.documents.pdf_common import PageMarking, build_document, escape_markup, register_fonts
from rhc_app.documents.pdf_text import TextParagraph, split_text
from rhc_app.documents.records import ConversationRecord
from rhc_app.domain.child_summary import EMERGENCY, HELPLINES, sentence
from rhc_app.domain.uk_time import format_day_for_child, london_date

TITLE = "What we talked about"
TALK_TO_TITLE = "Who you can talk to"
BODY_SIZE = 15  # at least 14pt: many readers are young, tired or reading in a second language
_BULLET = re.compile(r"^\s*(?:\u2022|-|\*)\s+")
_GREETING = re.compile(r"^\s*(hi|hello|hey|dear)\b", re.IGNORECASE)
_NUMBER = re.compile(r"[\d ]+")


def _styles() -> dict[str, ParagraphStyle]:
    fonts = register_fonts()
    ink = colors.HexColor("#0b0c0c")
    body = ParagraphStyle("child_body", fontName=fonts.body, fontSize=BODY_SIZE,
                          leading=BODY_SIZE * 1.45, spaceAfter=8, textColor=ink, shaping=1)
    return {
        "title": ParagraphStyle("child_title", parent=body, fontName=fonts.bold, fontSize=26,
                                leading=32, spaceAfter=14),
        "heading": ParagraphStyle("child_heading", parent=body, fontName=fonts.bold,
                                  fontSize=20, leading=26, spaceBefore=14, spaceAfter=8,
                                  keepWithNext=True),
        "body": body,
        "bullet": ParagraphStyle("child_bullet", parent=body, leftIndent=22, bulletIndent=4,
                                 spaceAfter=6, bulletFontName=fonts.body,
                                 bulletFontSize=BODY_SIZE),
    }


def _text(text: str, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    """Paragraphs at blank lines; a line starting with "•" or "-" becomes a bullet."""
    story: list[Flowable] = []
    for piece in split_text(text):
        lines: list[str] = []
        for line in piece.split("\n"):
            if _BULLET.match(line):
                if lines:
                    story.append(TextParagraph(escape_markup("\n".join(lines)), styles["body"]))
                    lines = []
                story.append(TextParagraph(escape_markup(_BULLET.sub("", line)), styles["bullet"],
                                       bulletText="\u2022"))
            else:
                lines.append(line)
        if any(line.strip() for line in lines):
            story.append(TextParagraph(escape_markup("\n".join(lines).strip("\n")), styles["body"]))
    return story


def _already_given(how: str, summary: str) -> bool:
    """Whether the summary already gives this way of reaching someone (its phone number)."""
    numbers = [n.replace(" ", "") for n in _NUMBER.findall(how) if n.strip()]
    return bool(numbers) and all(n in summary for n in numbers)


def _talk_to(record: ConversationRecord, contacts: list[tuple[str, str]],
             s: dict[str, ParagraphStyle]) -> list[Flowable]:
    """The worker who held the conversation first (never whoever downloaded the copy), then
    each helpline the summary has not already listed: each is listed once."""
    story: list[Flowable] = [TextParagraph(TALK_TO_TITLE, s["heading"])]
    worker = record.worker_name.strip()
    organisation = record.organisation.name.strip()
    me = worker or "The worker you talked to"
    if organisation:
        me = f"{me} from {organisation}"
    line = f"<b>{escape_markup(sentence(me))}</b> You can ask to talk to me again."
    contact = record.organisation.team_contact.strip()
    if contact:
        line += " " + escape_markup(sentence(f"To reach me: {contact}"))
    story.append(TextParagraph(line, s["bullet"], bulletText="\u2022"))
    summary = record.child_summary.replace(" ", "")
    for name, how in contacts:
        if not _already_given(how, summary):
            story.append(TextParagraph(f"<b>{escape_markup(name)}</b>: {escape_markup(how)}",
                                       s["bullet"], bulletText="\u2022"))
    if EMERGENCY not in record.child_summary:
        story.append(TextParagraph(escape_markup(EMERGENCY), s["body"]))
    return story


def _times_away(record: ConversationRecord, s: dict[str, ParagraphStyle]) -> list[Flowable]:
    """One conversation about several times away (issue 17): say which, by the days the child
    came back, in plain words."""
    if not record.covered_episodes:
        return []
    days = list(dict.fromkeys(  # twice on one day is one day
        format_day_for_child(london_date(e.found_at))
        for e in (record.episode, *record.covered_episodes) if e.found_at is not None))
    line = "We talked about more than one time you were away."
    if len(days) > 1:
        line += f" You came back on {', '.join(days[:-1])} and on {days[-1]}."
    return [TextParagraph(escape_markup(line), s["body"])]


def build_child_pdf(record: ConversationRecord,
                    contacts: list[tuple[str, str]] | None = None) -> bytes:
    """The child's copy as PDF bytes.

    ``contacts`` are (name, how to reach them) pairs; None gives the default helplines
    (Missing People and Childline). The worker and their organisation always come first.
    """
    s = _styles()
    story: list[Flowable] = [TextParagraph(TITLE, s["title"])]
    summary = record.child_summary.strip()
    first_name = record.child.first_name
    if first_name and not _GREETING.match(summary):
        story.append(TextParagraph(escape_markup(f"Hi {first_name},"), s["body"]))
    if summary:
        story.extend(_text(summary, s))
    else:
        story.append(TextParagraph("Your worker will go through this note with you.", s["body"]))
    story.extend(_times_away(record, s))
    story.extend(_talk_to(record, list(HELPLINES) if contacts is None else contacts, s))
    marking = PageMarking(font_size=8, bold=False, colour=colors.HexColor("#505a5f"))
    return build_document(story, TITLE, marking)
