"""The record of one conversation, as shared with police and uploaded to the child's case file.

The section order and titles are fixed (SECTION_TITLES) so that police and social workers
always find the same thing in the same place, and so tests can check them.
"""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Spacer

from rhc_app.documents import police_fields, police_follow_up
from rhc_app.documents.pdf_blocks import entries, field, styles
from rhc_app.documents.pdf_common import PageMarking, build_document, escape_markup
from rhc_app.documents.pdf_text import TextParagraph, split_text, text_flowables
from rhc_app.documents.police_history import amendments, returned, signoff_status
from rhc_app.documents.records import (
    ACTION_DETAILS_LABEL,
    AttemptInfo,
    ConversationRecord,
    PersonEntry,
    PlaceEntry,
    method_label,
    outcome_label,
    sees_self_missing_label,
    timeliness,
    yes_no,
)
from rhc_app.documents.strategy_section import SECTION_TITLE as STRATEGY_SECTION
from rhc_app.documents.strategy_section import decisions
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
    "Key facts",
    "Organisation",
    "Child",
    "Missing episode",
    "Attempts to make contact",
    "The conversation",
    "Details of the conversation",
    "In the child's own words",
    *(title for _, title in AREA_SECTIONS_BEFORE_PEOPLE),
    "People",
    "Places",
    "Risk factors",
    *(title for _, title in AREA_SECTIONS_AFTER_RISKS),
    "Actions and referrals",
    STRATEGY_SECTION,
    "Summary for the child",
    "Amendments",
    "Sign-off",
    "Management oversight",
    "Conversation held by",
    "Produced by",
)

#: A heading starts a new page unless this much room is left below it.
HEADING_ROOM = 30 * mm

PEOPLE_COLUMNS = ("Name", "Description", "Age", "How the child knows them", "Concern")
PLACES_COLUMNS = ("Place", "Area", "Slept there", "Concern")
ATTEMPT_COLUMNS = ("When", "How", "What happened")


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


def _attempt_row(attempt: AttemptInfo) -> list[str]:
    return [format_datetime(attempt.at), method_label(attempt.method), attempt.result]


def _ticked_actions(record: ConversationRecord) -> str:
    return "; ".join(label for label, _detail in record.actions if label != ACTION_DETAILS_LABEL)


class _Story:
    """The flowables of the record, added section by section."""

    def __init__(self, s: dict[str, ParagraphStyle]) -> None:
        self.s = s
        self.items: list[Flowable] = [TextParagraph(DOCUMENT_TITLE, s["title"])]

    def heading(self, title: str) -> None:
        assert title in SECTION_TITLES, title  # a typo here is a programming error
        # Not keepWithNext: that would push a long table whole onto the next page.
        self.items.append(CondPageBreak(HEADING_ROOM))
        self.items.append(TextParagraph(escape_markup(title), self.s["heading"]))

    def field(self, label: str, value: str | None) -> None:
        self.items.extend(field(label, value, self.s))

    def text(self, value: str | None) -> None:
        self.items.extend(text_flowables(value, self.s["body"], NOT_RECORDED))

    def empty(self) -> None:
        self.items.append(TextParagraph(NOT_RECORDED, self.s["empty"]))

    def bullet(self, markup: str) -> None:
        self.items.append(TextParagraph(markup, self.s["bullet"], bulletText="\u2022"))


def _top(st: _Story, r: ConversationRecord) -> None:
    """Page 1 first: how to handle it, then what an officer reading in a hurry needs."""
    handling = r.organisation.handling.strip()
    if handling:
        st.items.append(TextParagraph(escape_markup(f"Handling instructions: {handling}"),
                                      st.s["handling"]))
    st.heading("Key facts")
    st.field("Does the child consent to sharing with police?", yes_no(r.consent_to_share))
    st.field("Police risk grade", label_of(POLICE_RISKS, r.episode.police_risk))
    st.field("Immediate safeguarding actions and referrals", _ticked_actions(r))
    st.field("Record status", signoff_status(r.signoff))


def _who_and_episode(st: _Story, record: ConversationRecord) -> None:
    st.heading("Organisation")
    st.field("Name", record.organisation.name)
    st.heading("Child")
    st.field("Name", record.child.name)
    st.field("Date of birth", _date_of_birth(record))
    st.field("Case reference", record.child.case_reference)
    police_fields.child_lines(st, record)
    episode = record.episode
    st.heading("Missing episode")
    st.field("Missing from", episode.missing_from)
    st.field("Reported missing", format_datetime(episode.reported_missing_at))
    st.field("Found or returned", format_datetime(episode.found_at))
    st.field("Where found", episode.found_where)
    st.field("Police risk grade", label_of(POLICE_RISKS, episode.police_risk))
    st.field("Police reference", episode.police_reference)
    for n, other in enumerate(record.covered_episodes, start=2):  # one conversation, several
        st.field(f"Also covers missing episode {n}",
                 f"Reported missing {format_datetime(other.reported_missing_at)}. "
                 f"Found or returned {format_datetime(other.found_at)}. "
                 f"Where found: {other.found_where or NOT_RECORDED}. "
                 f"Police reference: {other.police_reference or NOT_RECORDED}.")
    st.heading("Attempts to make contact")
    if record.attempts:
        st.items.extend(entries("Attempt", ATTEMPT_COLUMNS,
                                [_attempt_row(a) for a in record.attempts], (40, 40, 90), st.s))
    else:
        st.empty()


def _conversation(st: _Story, r: ConversationRecord) -> None:
    st.heading("The conversation")
    st.field("Offered", format_datetime(r.offered_at))
    st.field("Outcome", outcome_label(r.outcome))
    if r.outcome in ("declined", "not_completed") or r.outcome_reason.strip():
        st.field("Reason", r.outcome_reason)
    police_fields.offer_lines(st, r)
    st.field("72-hour timescale", timeliness(r))
    for n, other in enumerate(r.covered_episodes, start=2):
        st.field(f"72-hour timescale, missing episode {n}", timeliness(r, other))
    # The canvas's own words for each question, so the worker finds what they answered.
    st.heading("Details of the conversation")
    st.field("When it was held", format_datetime(r.held_at))
    st.field("How", method_label(r.method))
    st.field("Where", r.location)
    st.field("Who was present", r.present)
    st.field("Was the child seen alone?", yes_no(r.seen_alone))
    st.field("Was an independent person offered?", yes_no(r.independent_offered))
    st.field("Language used", r.language)
    st.field("Was an interpreter used?", yes_no(r.interpreter))
    st.field("Does the child consent to sharing with police?", yes_no(r.consent_to_share))
    st.field("Does the child see themselves as having been missing?",
             sees_self_missing_label(r.sees_self_missing))
    st.field("How they got home, and who brought them", r.how_got_home)
    st.field("Helplines and safety information given", r.helplines_given)
    st.heading("In the child's own words")
    st.text(r.child_words)


def _findings(st: _Story, r: ConversationRecord) -> None:
    for key, title in AREA_SECTIONS_BEFORE_PEOPLE:
        st.heading(title)
        st.text(r.area(key))
    st.heading("People")
    if r.people:
        st.items.extend(entries("Person", PEOPLE_COLUMNS, [_person_row(p) for p in r.people],
                                (32, 44, 14, 36, 44), st.s))
    else:
        st.empty()
    st.heading("Places")
    if r.places:
        st.items.extend(entries("Place", PLACES_COLUMNS, [_place_row(p) for p in r.places],
                                (44, 40, 20, 66), st.s))
    else:
        st.empty()
    st.heading("Risk factors")
    for _code, label in r.risk_factors:
        st.bullet(escape_markup(label))
    if not r.risk_factors:
        st.empty()
    for key, title in AREA_SECTIONS_AFTER_RISKS:
        st.heading(title)
        st.text(r.area(key))


def _actions(st: _Story, r: ConversationRecord) -> None:
    st.heading("Actions and referrals")
    st.items.extend(police_follow_up.follow_up(r, st.s))  # followed up: status, owner, due
    for label, detail in r.actions if not r.follow_up else ():
        pieces = split_text(detail)
        first = f"<b>{escape_markup(label)}</b>"
        if pieces:
            first += f": {escape_markup(pieces[0])}"
        st.bullet(first)
        st.items.extend(TextParagraph(escape_markup(p), st.s["bullet"]) for p in pieces[1:])
    if not r.actions and not r.follow_up:
        st.empty()
    if r.follow_up and r.actions and r.actions[-1][0] == ACTION_DETAILS_LABEL:
        st.field(ACTION_DETAILS_LABEL, r.actions[-1][1])
    st.heading(STRATEGY_SECTION)
    st.items.extend(decisions(r.strategy_decisions, st.s))
    st.heading("Summary for the child")
    st.text(r.child_summary)


def _provenance(st: _Story, r: ConversationRecord) -> None:
    """Changes and sign-off, then who held the conversation apart from who produced this copy."""
    st.heading("Amendments")
    st.items.extend(amendments(r, st.s))
    st.heading("Sign-off")
    st.field("Status", signoff_status(r.signoff))
    last_return = returned(r.signoff)
    if last_return:
        st.field("Last returned to the worker", last_return)
    st.heading("Management oversight")
    st.items.extend(police_follow_up.oversight(r, st.s))
    st.heading("Conversation held by")
    st.field("Worker", r.worker_name)
    st.field("Organisation", r.organisation.name)
    st.field("Role", r.worker_role)
    police_fields.holder_lines(st, r)
    producer = r.produced_by
    st.heading("Produced by")
    st.field("Name", producer.name if producer else r.worker_name)
    st.field("Role", producer.role if producer else r.worker_role)
    st.field("Date produced", format_datetime(r.produced_at))
    st.items.append(Spacer(1, 4 * mm))


def _sections(record: ConversationRecord, s: dict[str, ParagraphStyle]) -> list[Flowable]:
    st = _Story(s)
    for part in (_top, _who_and_episode, _conversation, _findings, _actions, _provenance):
        part(st, record)
    return st.items


def build_police_pdf(record: ConversationRecord) -> bytes:
    """The full record as PDF bytes, marked OFFICIAL-SENSITIVE with "Page X of Y" on every page.

    The footer carries the case reference (never the name) so printed pages can be matched.
    """
    ref = record.child.case_reference.strip()
    marking = PageMarking(footer_left=f"Case ref: {ref}" if ref else "")
    return build_document(_sections(record, styles()), DOCUMENT_TITLE, marking)
