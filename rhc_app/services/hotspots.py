"""Hotspots: the places children's conversations name most, by postcode district and by
named place, counted by children and by episodes over a period, against the period just
before it. Counted from the people and places index (keyed hashes); only one entry per
hotspot is opened, to give it its name on the page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from rhc_app.crypto import KeyRing
from rhc_app.domain.identifiers import entry_tokens
from rhc_app.services.canvas import normalise_canvas
from rhc_app.services.links import token_of
from rhc_app.store.models import Conversation, LinkToken

HOTSPOT_KINDS = ("district", "name")


@dataclass
class Hotspot:
    token_kind: str  # district | name
    token: str
    children: int
    episodes: int
    children_before: int = 0
    episodes_before: int = 0
    label: str = ""
    conversation_id: str = ""  # the conversation whose entry gave the label

    @property
    def trend(self) -> str:
        if self.children == self.children_before:
            return "same"
        return "up" if self.children > self.children_before else "down"


def counted(s: Session, org_id: str, start: datetime, end: datetime, limit: int = 20
            ) -> list[Hotspot]:
    """The `limit` places named for the most children in [start, end), with their counts in
    the period of the same length just before, in one query over both periods; no labels."""
    now = LinkToken.mentioned_at >= start

    def distinct_when(in_period: Any, column: Any) -> Any:
        return func.count(func.distinct(case((in_period, column))))

    children, episodes = (distinct_when(now, LinkToken.child_id),
                          distinct_when(now, LinkToken.conversation_id))
    query = (select(LinkToken.token_kind, LinkToken.token, children, episodes,
                    distinct_when(~now, LinkToken.child_id),
                    distinct_when(~now, LinkToken.conversation_id),
                    func.min(case((now, LinkToken.conversation_id))))
             .where(LinkToken.organisation_id == org_id, LinkToken.entry_kind == "place",
                    LinkToken.token_kind.in_(HOTSPOT_KINDS),
                    LinkToken.mentioned_at >= start - (end - start),
                    LinkToken.mentioned_at < end)
             .group_by(LinkToken.token_kind, LinkToken.token).having(children > 0)
             .order_by(children.desc(), episodes.desc(), LinkToken.token).limit(limit))
    return [Hotspot(kind, token, *counts, conversation_id=conv_id)
            for kind, token, *counts, conv_id in s.execute(query)]


def hotspots(s: Session, org_id: str, start: datetime, end: datetime, limit: int = 20
             ) -> list[Hotspot]:
    """The `limit` places named for the most children in [start, end), with their counts in
    the period of the same length just before, and their labels."""
    found = counted(s, org_id, start, end, limit)
    label(s, found)
    return found


def label(s: Session, found: list[Hotspot]) -> None:
    """Give each hotspot its label from the entry of its conversation: the entries found and
    their conversations in one query each."""
    ids = {h.conversation_id for h in found}
    if not ids:
        return
    entries: dict[tuple[str, str], list[int]] = {}
    for cid, token, index in s.execute(
            select(LinkToken.conversation_id, LinkToken.token, LinkToken.entry_index)
            .where(LinkToken.conversation_id.in_(ids), LinkToken.entry_kind == "place",
                   LinkToken.token.in_({h.token for h in found}))
            .order_by(LinkToken.entry_index)):
        entries.setdefault((cid, token), []).append(index)
    places = {conv.id: normalise_canvas(conv.canvas)["places"] for conv in s.execute(
        select(Conversation).where(Conversation.id.in_(ids))).scalars()}
    ring = s.info["keyring"]
    for spot in found:
        spot.label = _label(ring, spot, places.get(spot.conversation_id, []),
                            entries.get((spot.conversation_id, spot.token), []))


def _label(ring: KeyRing, spot: Hotspot, places: list[Any], rows: list[int]) -> str:
    """The district as written ("SW1A"), or the place's name as the worker wrote it."""
    for index in rows:
        entry = places[index] if index < len(places) else {}
        if spot.token_kind == HOTSPOT_KINDS[1]:  # a named place
            return str(entry.get("name") or "")
        for kind, value in entry_tokens("place", entry):
            if kind == "district" and token_of(ring, kind, value) == spot.token:
                return value
    return ""
