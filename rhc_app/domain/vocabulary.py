"""The words of the record: every code the app stores, with the label people read, once.

Forms, templates, PDFs, reports and the dataset import all take their choices and labels
from here, so a label changed here changes everywhere and two pages cannot disagree. Each
mapping is code -> label, in the order it is offered or printed. Conversation statuses are
labelled here too; the rules for moving between them are in `lifecycle`.
"""

from __future__ import annotations

from collections.abc import Mapping

NOT_RECORDED = "Not recorded"

#: The areas to explore in the conversation, in the order the canvas offers them (the
#: prompts follow it) and the police PDF prints them.
AREAS: dict[str, str] = {
    "victims": "Victims",
    "offenders": "Offenders",
    "locations": "Locations",
    "themes": "Themes",
    "push_factors": "Push factors",
    "pull_factors": "Pull factors",
    "child_wants": "What the child wants to happen",
    "carer_observations": "Observations from parents or carers on return",
    "worker_analysis": "Worker's analysis",
    "safety_advice": "Safety advice given",
}

#: Actions and referrals agreed after the conversation.
ACTIONS: dict[str, str] = {
    "strategy_meeting": "Strategy meeting",
    "exploitation_panel": "Exploitation panel (MACE)",
    "nrm": "National Referral Mechanism",
    "police_intelligence": "Police intelligence",
    "cawn": "Child abduction warning notice",
    "health": "Health",
    "education": "Education",
    "substance_misuse": "Substance misuse service",
    "other": "Other",
}

#: How a worker tried to reach the child to offer the conversation.
CONTACT_METHODS: dict[str, str] = {
    "face_to_face": "Face to face",
    "phone": "Phone",
    "text": "Text message",
    "video": "Video call",
    "letter": "Letter or email",
    "via_carer": "Through a parent or carer",
}

#: How the conversation itself was held: only the ways a conversation can happen.
HELD_BY: dict[str, str] = {k: CONTACT_METHODS[k] for k in ("face_to_face", "phone", "video")}

#: What became of the offer (a conversation's outcome, and the statuses of the same name).
OUTCOMES: dict[str, str] = {
    "accepted": "Accepted",
    "declined": "Declined",
    "not_completed": "Not completed",
}

#: The answers on the outcome form, in the worker's words: offering, then each outcome.
OFFER_ANSWERS: dict[str, str] = {
    "offer": "I offered the conversation (waiting for an answer)",
    "accepted": "The child accepted",
    "declined": "The child declined",
    "not_completed": "Not completed (no contact, missing again, …)",
}

#: Every state of a conversation, in the order it moves through them.
STATUSES: dict[str, str] = {
    "to_offer": "To offer",
    "offered": "Offered",
    **OUTCOMES,
    "in_progress": "In progress",
    "awaiting_signoff": "Awaiting sign-off",
    "completed": "Completed",
    # An episode's own conversation while another conversation covers it (domain/covering.py).
    "covered": "Covered by another conversation",
}

#: The risk grade police gave the missing episode.
POLICE_RISKS: dict[str, str] = {"low": "Low", "medium": "Medium", "high": "High"}
POLICE_RISK_NOT_KNOWN = "Not known yet"

GENDERS: dict[str, str] = {
    "female": "Female",
    "male": "Male",
    "other": "Other",
    "not_recorded": NOT_RECORDED,
}

#: Where the child went missing from.
MISSING_FROM: dict[str, str] = {"home": "Home", "care": "Care or placement"}

YES_NO: dict[str, str] = {"yes": "Yes", "no": "No"}
YES_NO_UNSURE: dict[str, str] = {**YES_NO, "unsure": "Not sure"}


def label_of(words: Mapping[str, str], code: str | None, empty: str = NOT_RECORDED) -> str:
    """The label for a stored code; an unknown code (an old or imported value) is shown as
    words rather than dropped, and nothing stored as ``empty``."""
    if not code:
        return empty
    return words.get(code, code.replace("_", " ").capitalize())


def choices(words: Mapping[str, str]) -> list[tuple[str, str]]:
    """(code, label) pairs, as form fields take them."""
    return list(words.items())


# -- actions and referrals followed to the end (issue 13, "actions") ----------------------
#: The safety plan update joins the agreed actions; "Other" stays last.
ACTIONS = {**{k: v for k, v in ACTIONS.items() if k != "other"},
           "safety_plan_update": "Safety plan update", "other": ACTIONS["other"]}

#: Where an action or referral stands. "Not done" needs a reason (domain/follow_up.py).
ACTION_STATUSES: dict[str, str] = {
    "open": "Open",
    "done": "Done",
    "not_done": "Not done",
}

#: A manager's decision on a record waiting for sign-off, as its history shows it.
SIGN_OFF_DECISIONS: dict[str, str] = {
    "signed_off": "Signed off",
    "returned": "Returned to the worker",
}
# -- strategy meeting decisions and the still-missing list (issue 13, decisions) -------------
#: What a manager or worker decided about a strategy meeting. "not_needed" is a manager's.
STRATEGY_DECISIONS: dict[str, str] = {
    "held": "Strategy meeting held",
    "booked": "Strategy meeting booked",
    "not_needed": "Strategy meeting not needed",
}
STRATEGY_DECISIONS_MANAGER_ONLY = ("not_needed",)

#: Why a decision is needed.
STRATEGY_PROMPTS: dict[str, str] = {
    "repeat": "Missing often: the episode that reached the threshold",
    "in_care": "A child in care missing: a strategy meeting is due by the set day of missing",
    "booked_not_held": "The meeting's booked date has passed: record that it was held, or "
                       "book it again",
}

#: Where a child's strategy meeting decision stands.
STRATEGY_STATES: dict[str, str] = {
    "none": "No decision needed",
    "booked": "Meeting booked",
    "due": "Decision due",
    "overdue": "Decision overdue",
}
STRATEGY_STATE_COLOURS: dict[str, str] = {"none": "grey", "booked": "blue", "due": "yellow",
                                          "overdue": "red"}
# -- figures (issue 13): the figures a manager lists, and why an offer is closed ----------

#: Each figure a manager can list the episodes behind, in the words of the reports.
FIGURES: dict[str, str] = {
    "children": "Missing children",
    "episodes": "Missing episodes",
    "offered": "Conversation offered",
    "accepted": "Conversation accepted",
    "declined": "Conversation declined",
    "within": "Held within 72 hours (accepted and held within 72 hours of the time found)",
    "offered_within": "Offered within 72 hours of the time found",
}

#: Why a declined or not completed conversation will not be offered again.
CLOSE_REASONS: dict[str, str] = {
    "moved_out_of_area": "No further offer: child moved out of area",
    "offered_three_times": "Offered three times",
    "other": "Other",
}

#: Care status as the weekly missing meeting shows it (from the latest episode).
CARE_STATUSES: dict[str, str] = {"in_care": "In care", "at_home": "At home"}
# -- fields (issue 17): declines, late reasons, who held it ----------------------------------

#: Why a conversation was offered or held more than 72 hours after the child was found: the
#: list an organisation starts with (its own list is in its settings, see `delay_reasons`).
#: "Other" is always offered, with a note.
LATE_REASONS: dict[str, str] = {
    "notification_arrived_late": "Notification arrived late",
    "child_missing_again": "Child missing again",
    "child_not_available": "Child not available",
    "worker_not_available": "Worker not available",
}
LATE_REASON_OTHER: dict[str, str] = {"other": "Other"}
LATE_REASON_NOT_RECORDED = "No reason recorded"

#: The answer on the outcome form for a decision not to offer the conversation at all. It is
#: recorded as "not completed", with who decided and why.
NOT_OFFERED_ANSWER: dict[str, str] = {
    "not_offered": "A decision was taken not to offer it",
}

#: The role of the person who held the conversation.
HOLDER_ROLES: dict[str, str] = {
    "missing_worker": "Missing and exploitation worker",
    "provider_worker": "Worker from an independent provider",
    "social_worker": "Social worker",
    "early_help_worker": "Early help or family support worker",
    "youth_worker": "Youth worker",
    "other": "Other",
}

#: Missing People's framing of the conversation, offered beside the areas as prompts only.
CONVERSATION_STAGES: dict[str, str] = {
    "before": "Before they went missing",
    "during": "While they were missing",
    "after": "Since they came back",
}

# -- people and places across children (issue 16) ------------------------------------------

#: Who a user is, as the admin pages and the header name them.
ROLE_LABELS: dict[str, str] = {"worker": "Worker", "manager": "Manager", "admin": "Admin",
                               "exploitation_lead": "Exploitation lead"}

#: How two children's mentions of a person or place matched.
LINK_MATCHES: dict[str, str] = {
    "phone": "Same phone number",
    "vehicle": "Same vehicle registration",
    "postcode": "Same postcode",
    "district": "Same postcode district",
    "handle": "Same social media name",
    "name": "Same name or nickname",
}
LINK_ENTRY_KINDS: dict[str, str] = {"person": "Person", "place": "Place"}
#: Hotspots: how a place is counted, and how its count compares with the period before.
HOTSPOT_KINDS: dict[str, str] = {"district": "Postcode district", "name": "Named place"}
HOTSPOT_TRENDS: dict[str, str] = {"up": "Up", "down": "Down", "same": "No change"}
