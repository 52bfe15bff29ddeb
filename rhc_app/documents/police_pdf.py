"""The record of one conversation, as shared with police and uploaded to the child's case file.

The section order and titles are fixed (SECTION_TITLES) so that police and social workers
always find the same thing in the same place, and so tests can check them.
"""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Spacer, Table, TableStyle

from rhc_app.documents.pdf_common import PageMarking, build_document, escape_markup, register_fonts
from rhc_app.documents.pdf_text import (
    TextParagraph,
    joined,
    split_blocks,
    split_text,
    text_flowables,
)
from rhc_app.documents.records import (
    ConversationRecord,
    PersonEntry,
    PlaceEntry,
    method_label,
    outcome_label,
    timeliness,
    yes_no,
)
from rhc_app.domain.uk_time import age_on, format_date, format_datetime, london_date
from rhc_app.domain.vocabulary import AREAS, NOT_RECORDED, POLICE_RISKS, label_of

DOCUMENT_TITLE = "Return Home Conversation record"

#: Area key -> section title, in the order printed between "The conversation" and "People".
AREA_SECTIONS_BEFORE_PEOPLE: tuple[tuple[str, str], ...] = tuple(
    (key, AREAS[key]) for key in ("victims", "offenders", "locations", "themes",
                                  "push_factors", "pull_factors", "child_wants"))
#: Area key -> section title, printed after "Risk factors".
AREA_SECTIONS_AFTER_RISKS: tuple[tuple[str, str], ...] = tuple(
    (key, AREAS[key]) for key in ("carer_observations", "worker_analysis", "safety_advice"))

SECTION_TITLES: tuple[str, ...] = (
    "Organisation",
    "Child",
    "Missing episode",
    "The conversation",
    *(title for _, title in AREA_SECTIONS_BEFORE_PEOPLE),
    "People",
    "Places",
    "Risk factors",
    *(title for _, title in AREA_SECTIONS_AFTER_RISKS),
    "Actions and referrals",
    "Summary for the child",
    "Amendments",
    "Produced by",
)

#: A heading starts a new page unless this much room is left below it.
HEADING_ROOM = 30 * mm

PEOPLE_COLUMNS = ("Name", "Description", "Age", "How the child knows them", "Concern")
PLACES_COLUMNS = ("Place", "Area", "Slept there", "Concern")
#: A value that would wrap to more lines than this in its column is not squeezed into a cell.
CELL_MAX_LINES = 12
#: About the width of an average character of the 9 pt cell font, and a cell's padding.
_CHAR_MM, _PADDING_MM = 1.8, 2.2


def _styles() -> dict[str, ParagraphStyle]:
    fonts = register_fonts()
    body = ParagraphStyle("body", fontName=fonts.body, fontSize=10, leading=14, spaceAfter=4)
    return {
        "title": ParagraphStyle("title", parent=body, fontName=fonts.bold, fontSize=16,
                                leading=20, spaceAfter=8),
        "heading": ParagraphStyle("heading", parent=body, fontName=fonts.bold, fontSize=12.5,
                                  leading=16, spaceBefore=10, spaceAfter=4),
        "body": body,
        "empty": ParagraphStyle("empty", parent=body, textColor=colors.HexColor("#505a5f")),
        "cell": ParagraphStyle("cell", parent=body, fontSize=9, leading=12, spaceAfter=0),
        "head_cell": ParagraphStyle("head_cell", parent=body, fontName=fonts.bold, fontSize=9,
                                    leading=12, spaceAfter=0),
        "entry": ParagraphStyle("entry", parent=body, fontName=fonts.bold, spaceBefore=6),
        "bullet": ParagraphStyle("bullet", parent=body, leftIndent=12, bulletIndent=2,
                                 bulletFontName=fonts.body, bulletFontSize=10),
    }


def _field(label: str, value: str | None, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    """A "Label: value" line; a long value carries on in bounded paragraphs below."""
    pieces = split_blocks(value) or [(NOT_RECORDED, True)]
    body, carry_on = styles["body"], joined(styles["body"])
    out: list[Flowable] = []
    for index, (piece, ends) in enumerate(pieces):
        text = escape_markup(piece)
        if index == 0:
            text = f"<b>{escape_markup(label)}:</b> {text}"
        out.append(TextParagraph(text, body if ends else carry_on))
    return out


def _fits_a_cell(value: str, width_mm: float) -> bool:
    per_line = max(1, int((width_mm - _PADDING_MM) / _CHAR_MM))
    lines = 0
    for line in value.split("\n"):
        lines += max(1, -(-len(line) // per_line))
        if lines > CELL_MAX_LINES:
            return False
    return True


def _entries(singular: str, columns: tuple[str, ...], rows: list[list[str]],
             widths_mm: tuple[float, ...], styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    """People or places: a grid while every value fits a cell, else one block per entry.

    Why not always a grid: reportlab lays out the rest of a tall row again each time it
    splits the row across a page, so a long cell cost time quadratic in its length (a
    1,000-line concern was laid out 33,000 lines' worth).
    """
    if all(_fits_a_cell(cell or "", width)
           for row in rows for cell, width in zip(row, widths_mm, strict=True)):
        return [_table(columns, rows, widths_mm, styles)]
    story: list[Flowable] = []
    for number, row in enumerate(rows, start=1):
        story.append(TextParagraph(f"{singular} {number} of {len(rows)}", styles["entry"]))
        for label, value in zip(columns, row, strict=True):
            if (value or "").strip() or label == columns[0]:
                story.extend(_field(label, value, styles))
    return story


def _table(columns: tuple[str, ...], rows: list[list[str]], widths_mm: tuple[float, ...],
           styles: dict[str, ParagraphStyle]) -> Table:
    """A grid that repeats its header on each page and may split a tall row across pages."""
    data = [[TextParagraph(escape_markup(c), styles["head_cell"]) for c in columns]]
    for row in rows:
        data.append([TextParagraph(escape_markup(cell or "") or "", styles["cell"]) for cell in row])
    table = Table(data, colWidths=[w * mm for w in widths_mm], repeatRows=1, splitInRow=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#505a5f")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f2f1")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def _person_row(person: PersonEntry) -> list[str]:
    age = "" if person.approximate_age in (None, "") else str(person.approximate_age)
    return [person.name, person.description, age, person.relationship, person.concern]


def _place_row(place: PlaceEntry) -> list[str]:
    slept = "" if place.slept_there is None else yes_no(place.slept_there)
    return [place.name, place.area, slept, place.concern]


def _date_of_birth(record: ConversationRecord) -> str:
    dob = record.child.date_of_birth
    if dob is None:
        return NOT_RECORDED
    when = record.episode.reported_missing_at or record.produced_at
    return f"{format_date(dob)} (aged {age_on(dob, london_date(when))} when reported missing)"


def _amendments(record: ConversationRecord, s: dict[str, ParagraphStyle]) -> list[Flowable]:
    """Each change since completion: when, by whom, to what, why (episode changes move the
    72-hour figures above, so what they were before is printed too)."""
    if not record.amendments:
        return [TextParagraph("None", s["empty"])]
    out: list[Flowable] = []
    for a in record.amendments:
        head = f"{format_datetime(a.at)}, {a.by}: {a.subject.lower()}"
        out.append(TextParagraph(f"<b>{escape_markup(head)}</b>", s["bullet"], bulletText="\u2022"))
        out.extend(_field("Reason", a.reason, s))
        out.extend(TextParagraph(escape_markup(c), s["bullet"], bulletText="\u2013")
                   for c in a.changes)
    return out


def _sections(record: ConversationRecord, s: dict[str, ParagraphStyle]) -> list[Flowable]:
    story: list[Flowable] = [TextParagraph(DOCUMENT_TITLE, s["title"])]

    def heading(title: str) -> None:
        assert title in SECTION_TITLES, title  # a typo here is a programming error
        # Not keepWithNext: that would push a long table whole onto the next page.
        story.append(CondPageBreak(HEADING_ROOM))
        story.append(TextParagraph(escape_markup(title), s["heading"]))

    def area(key: str, title: str) -> None:
        heading(title)
        story.extend(text_flowables(record.area(key), s["body"], NOT_RECORDED))

    heading("Organisation")
    story.extend(_field("Name", record.organisation.name, s))

    heading("Child")
    story.extend(_field("Name", record.child.name, s))
    story.extend(_field("Date of birth", _date_of_birth(record), s))
    story.extend(_field("Case reference", record.child.case_reference, s))

    episode = record.episode
    heading("Missing episode")
    if episode.missing_from:
        story.extend(_field("Missing from", episode.missing_from, s))
    story.extend(_field("Reported missing", format_datetime(episode.reported_missing_at), s))
    story.extend(_field("Found", format_datetime(episode.found_at), s))
    story.extend(_field("Police risk grade", label_of(POLICE_RISKS, episode.police_risk), s))
    story.extend(_field("Police reference", episode.police_reference, s))

    heading("The conversation")
    story.extend(_field("Offered", format_datetime(record.offered_at), s))
    story.extend(_field("Outcome", outcome_label(record.outcome), s))
    story.extend(_field("Held at", format_datetime(record.held_at), s))
    story.extend(_field("72-hour timescale", timeliness(record), s))
    story.extend(_field("How", method_label(record.method), s))
    story.extend(_field("Where", record.location, s))
    story.extend(_field("Who was present", record.present, s))
    story.extend(_field("Seen alone", yes_no(record.seen_alone), s))

    for key, title in AREA_SECTIONS_BEFORE_PEOPLE:
        area(key, title)

    heading("People")
    if record.people:
        story.extend(_entries("Person", PEOPLE_COLUMNS,
                              [_person_row(p) for p in record.people], (32, 44, 14, 36, 44), s))
    else:
        story.append(TextParagraph(NOT_RECORDED, s["empty"]))

    heading("Places")
    if record.places:
        story.extend(_entries("Place", PLACES_COLUMNS,
                              [_place_row(p) for p in record.places], (44, 40, 20, 66), s))
    else:
        story.append(TextParagraph(NOT_RECORDED, s["empty"]))

    heading("Risk factors")
    if record.risk_factors:
        for _code, label in record.risk_factors:
            story.append(TextParagraph(escape_markup(label), s["bullet"], bulletText="\u2022"))
    else:
        story.append(TextParagraph(NOT_RECORDED, s["empty"]))

    for key, title in AREA_SECTIONS_AFTER_RISKS:
        area(key, title)

    heading("Actions and referrals")
    if record.actions:
        for label, detail in record.actions:
            pieces = split_text(detail)
            first = f"<b>{escape_markup(label)}</b>"
            if pieces:
                first += f": {escape_markup(pieces[0])}"
            story.append(TextParagraph(first, s["bullet"], bulletText="\u2022"))
            story.extend(TextParagraph(escape_markup(p), s["bullet"]) for p in pieces[1:])
    else:
        story.append(TextParagraph(NOT_RECORDED, s["empty"]))

    heading("Summary for the child")
    story.extend(text_flowables(record.child_summary, s["body"], NOT_RECORDED))

    heading("Amendments")
    story.extend(_amendments(record, s))

    heading("Produced by")
    story.extend(_field("Worker", record.worker_name, s))
    story.extend(_field("Role", record.worker_role, s))
    story.extend(_field("Date produced", format_datetime(record.produced_at), s))
    story.append(Spacer(1, 4 * mm))
    return story


def build_police_pdf(record: ConversationRecord) -> bytes:
    """The full record as PDF bytes, marked OFFICIAL-SENSITIVE with "Page X of Y" on every page.

    The footer carries the case reference (never the name) so printed pages can be matched.
    """
    ref = record.child.case_reference.strip()
    marking = PageMarking(footer_left=f"Case ref: {ref}" if ref else "")
    return build_document(_sections(record, _styles()), DOCUMENT_TITLE, marking)
