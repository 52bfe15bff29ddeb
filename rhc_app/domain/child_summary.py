"""A first draft of the summary written to the child after a Return Home Conversation.

Good practice is that the child gets a note written to them: "You told me...", "We talked
about...", "What happens next is...". The draft is built only from facts that are safe
and right for the child to read: never the worker's analysis, other people's names, risk
labels or anything for professionals only. So areas, safety advice and next steps come in
as codes and go out as fixed plain sentences, written to read at age 11 or under with no
jargon (tests check this with analyse()). Unknown codes are left out, not copied: the
worker reads and edits the draft before it is given to the child.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from rhc_app.domain.uk_time import format_day_for_child

#: (name, how to reach them), for the summary and the child's PDF.
HELPLINES: tuple[tuple[str, str], ...] = (
    ("Missing People", "call or text 116 000. It is free, day or night."),
    ("Childline", "call 0800 1111. It is free."),
)
EMERGENCY = "If you are in danger now, call 999."

#: Conversation areas a child can be told were talked about. Others (the worker's
#: analysis, what carers said) are professional-only and are never named.
AREA_WORDS: dict[str, str] = {
    "victims": "How you are, and if you got hurt or felt unsafe.",
    "offenders": "Who you were with.",
    "locations": "Where you went and where you slept.",
    "themes": "What has been going on for you lately.",
    "push_factors": "Things at home that made you want to leave.",
    "pull_factors": "People or things that made you want to be somewhere else.",
    "child_wants": "What you want to happen.",
    "safety_advice": "How to stay safe.",
}

SAFETY_ADVICE_WORDS: dict[str, str] = {
    "phone_charged": "Keep your phone charged and with you.",
    "tell_someone": "Tell someone you trust where you are going.",
    "trusted_adult": "Pick an adult you trust who you can call at any time.",
    "call_999": "If you are in danger, call 999.",
    "no_lifts": "Do not get in a car with people you do not know well.",
    "online": "Be careful who you talk to online, and do not send photos of yourself.",
    "gifts": "Be careful if someone gives you money or gifts and then wants something back.",
    "come_home": "You can always come home, even if you are late.",
    "helplines": "You can call Missing People or Childline at any time.",
}

NEXT_STEP_WORDS: dict[str, str] = {
    "strategy_meeting": "People who help keep you safe will meet to talk about how to help.",
    "mace": "A group of people who keep young people safe will talk about how to help you.",
    "nrm": "We will ask for extra help and protection for you.",
    "police_intelligence": "I will tell the police what you told me, to help keep you safe.",
    "cawn": "The police may tell someone to stay away from you.",
    "health": "We will help you see a doctor or nurse.",
    "mental_health": "We will ask someone who helps with feelings to talk with you.",
    "education": "We will talk to your school about how they can help.",
    "substance_misuse": "We will ask a team that helps with drugs and drink to talk with you.",
    "safety_plan": "We will make a plan with you to help keep you safe.",
    "social_worker": "I will tell your social worker what we talked about.",
    "follow_up": "I will come and see you again soon.",
    "family_support": "We will look at help for you and your family.",
}

#: Words in an action's label -> the next step it means, tried in order when no code fits.
_NEXT_STEP_KEYWORDS: tuple[tuple[str, str], ...] = (
    (r"strategy|section\s*47|s\.?47", "strategy_meeting"),
    (r"\bmace\b|exploitation panel", "mace"),
    (r"\bnrm\b|national referral|trafficking|modern slavery", "nrm"),
    (r"\bcawn\b|abduction", "cawn"),
    (r"intelligence|police", "police_intelligence"),
    (r"mental health|camhs|wellbeing|counsel", "mental_health"),
    (r"health|gp\b|doctor|nurse|sexual health", "health"),
    (r"substance|drug|alcohol", "substance_misuse"),
    (r"education|school|college", "education"),
    (r"safety plan", "safety_plan"),
    (r"social worker", "social_worker"),
    (r"follow|visit|see again", "follow_up"),
    (r"family support|early help", "family_support"),
)


@dataclass(frozen=True)
class SummaryFacts:
    """The only facts the draft may use.

    ``areas``, ``safety_advice`` and ``next_steps`` hold codes (keys of AREA_WORDS,
    SAFETY_ADVICE_WORDS and NEXT_STEP_WORDS); a next step may also be an action's label
    (one of vocabulary.ACTIONS), matched by keyword. ``child_words`` is only what the worker
    recorded as the child's own words, quoted as they said it: never the worker's notes.
    """

    child_first_name: str
    worker_first_name: str
    talked_on: date | None = None
    child_words: str = ""
    areas: Sequence[str] = ()
    safety_advice: Sequence[str] = ()
    next_steps: Sequence[str] = ()
    helplines: Sequence[tuple[str, str]] = HELPLINES


def plain_next_step(code_or_label: str) -> str | None:
    """The plain sentence for an action code or label, or None if it is not known."""
    key = code_or_label.strip().lower()
    if key in NEXT_STEP_WORDS:
        return NEXT_STEP_WORDS[key]
    for pattern, code in _NEXT_STEP_KEYWORDS:
        if re.search(pattern, key):
            return NEXT_STEP_WORDS[code]
    return None


def _unique(items: Sequence[str | None]) -> list[str]:
    seen: list[str] = []
    for item in items:
        if item and item not in seen:
            seen.append(item)
    return seen


def _bullets(lines: list[str]) -> list[str]:
    return [f"\u2022 {line}" for line in lines]


def sentence(text: str) -> str:
    """``text`` ending in one full stop: none added after one is there ("talk.." reads as a
    mistake), nor after a question or exclamation mark, even inside closing quotes."""
    text = text.rstrip()
    if not text or text.rstrip("\"'\u201d\u2019)")[-1:] in (".", "!", "?", "\u2026"):
        return text
    return text + "."


def _quote(words: str) -> str:
    words = " ".join(words.split()).strip(" \"'\u201c\u201d\u2018\u2019")
    return f"\u201c{words}\u201d"


def draft_summary(facts: SummaryFacts) -> str:
    """A plain-text draft written to the child, one paragraph per blank line."""
    child = " ".join(facts.child_first_name.split())
    worker = " ".join(facts.worker_first_name.split())
    parts: list[str] = [f"Hi {child}," if child else "Hi,"]

    intro = sentence(f"This is a note from me, {worker}") if worker else "This is a note from me."
    if facts.talked_on:
        intro += f" We talked on {format_day_for_child(facts.talked_on)}."
    parts.append(intro + " Thank you for talking with me.")

    areas = _unique([AREA_WORDS.get(a) for a in facts.areas])
    if areas:
        parts.append("\n".join(["We talked about:", *_bullets(areas)]))

    if facts.child_words.strip():
        parts.append(f"You said: {_quote(facts.child_words)}")

    # The helplines are listed below when there are any: not named a second time here.
    advice = _unique([SAFETY_ADVICE_WORDS.get(a) for a in facts.safety_advice
                      if not (a == "helplines" and facts.helplines)])
    if advice:
        parts.append("\n".join(["We talked about ways to stay safe:", *_bullets(advice)]))

    steps = _unique([plain_next_step(s) for s in facts.next_steps])
    if steps:
        parts.append("\n".join(["What happens next is:", *_bullets(steps)]))
    else:
        parts.append("What happens next is: I will keep in touch with you.")

    if facts.helplines:
        lines = [f"{name}: {how}" for name, how in facts.helplines]
        parts.append("\n".join(["You can talk to someone at any time:", *_bullets(lines)]))
    parts.append(EMERGENCY)

    parts.append(f"You can always talk to me too.\nFrom {worker}" if worker
                 else "You can always talk to me too.")
    return "\n\n".join(parts)
