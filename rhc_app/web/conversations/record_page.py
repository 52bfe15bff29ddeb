"""The conversation record once it can no longer change (completed, or awaiting sign-off):
read as a document, in summary lists, rather than as a form of locked boxes."""

from __future__ import annotations

from typing import Any

from flask import render_template

from rhc_app.domain.vocabulary import ACTIONS, AREAS, YES_NO, label_of
from rhc_app.store.models import Conversation
from rhc_app.web.conversations.canvas_labels import (
    DETAIL_LABELS,
    PERSON_LABELS,
    PLACE_LABELS,
    shown_detail,
)

# The details in the order they are asked on the canvas: the two Complete needs last there,
# first here, as a reader looks for them.
DETAIL_ORDER = ("held_at", "consent_to_share", "method", "location", "present", "seen_alone",
                "independent_offered", "language", "interpreter", "sees_self_missing",
                "how_got_home", "helplines_given")


def _rows(labels: dict[str, str], values: dict[str, Any], keys: tuple[str, ...] | None = None,
          answers: dict[str, dict[str, str]] | None = None) -> list[tuple[str, str]]:
    rows = []
    for key in keys or tuple(labels):
        value = str(values.get(key) or "")
        if answers and key in answers:
            value = label_of(answers[key], value, "")
        rows.append((labels[key], value))
    return rows


def _entry_keys(labels: dict[str, str], entry: dict[str, Any]) -> tuple[str, ...]:
    return tuple(k for k in labels if k != "do_not_share" or entry.get(k))


def render_record(conv: Conversation, canvas: dict[str, Any], risk_codes: dict[str, str]
                  ) -> Any:
    given = canvas["details"]
    details = [(DETAIL_LABELS[k], shown_detail(k, given[k]) if given.get(k) else "")
               for k in DETAIL_ORDER]
    areas = [(key, label, canvas["areas"].get(key) or "",
              [n["text"] for n in canvas["notes"] if n.get("area") == key])
             for key, label in AREAS.items()]
    # "Do not share" is shown only where the child asked for it.
    people = [_rows(PERSON_LABELS, p, _entry_keys(PERSON_LABELS, p),
                    answers={"do_not_share": YES_NO}) for p in canvas["people"]]
    places = [_rows(PLACE_LABELS, p, _entry_keys(PLACE_LABELS, p),
                    answers={"slept_there": YES_NO, "do_not_share": YES_NO})
              for p in canvas["places"]]
    notes = [(n.get("text", ""), AREAS.get(n.get("area") or "", "Not sorted yet"))
             for n in canvas["notes"]]
    return render_template(
        "conversations/record.html", conv=conv, episode=conv.episode, child=conv.episode.child,
        canvas=canvas, details=details, areas=areas, people=people, places=places, notes=notes,
        risk_factors=[risk_codes.get(c, c) for c in canvas["risk_factors"]],
        actions=[ACTIONS.get(a, a) for a in canvas["actions"]],
        title="Conversation record")
