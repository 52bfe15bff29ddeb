"""Hotspots: the places children's conversations name most, by postcode district and by
named place, counted by children and by episodes over a period, against the period just
before it. Counted from the people and places index (keyed hashes); only one entry per
hotspot is opened, to give it its name on the page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

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


def _counts(s: Session, org_id: str, start: datetime, end: datetime,
            tokens: list[str] | None = None, limit: int | None = None) -> list[tuple]:  # type: ignore[type-arg]
    children = func.count(func.distinct(LinkToken.child_id))
    episodes = func.count(func.distinct(LinkToken.conversation_id))
    query = (select(LinkToken.token_kind, LinkToken.token, children, episodes,
                    func.min(LinkToken.conversation_id))
             .where(LinkToken.organisation_id == org_id, LinkToken.entry_kind == "place",
                    LinkToken.token_kind.in_(HOTSPOT_KINDS), LinkToken.mentioned_at >= start,
                    LinkToken.mentioned_at < end)
             .group_by(LinkToken.token_kind, LinkToken.token)
             .order_by(children.desc(), episodes.desc(), LinkToken.token))
    if tokens is not None:
        query = query.where(LinkToken.token.in_(tokens))
    if limit is not None:
        query = query.limit(limit)
    return [tuple(r) for r in s.execute(query).all()]


def hotspots(s: Session, org_id: str, start: datetime, end: datetime, limit: int = 20
             ) -> list[Hotspot]:
    """The `limit` places named for the most children in [start, end), with their counts in
    the period of the same length just before."""
    found = [Hotspot(kind, token, children, episodes, conversation_id=conv_id)
             for kind, token, children, episodes, conv_id
             in _counts(s, org_id, start, end, limit=limit)]
    before = {token: (children, episodes) for _k, token, children, episodes, _c
              in _counts(s, org_id, start - (end - start), start, [h.token for h in found])}
    # The conversations that give the labels, in one query and held here (the session keeps
    # them only while referenced), so each `_label` finds its own without a query.
    held = s.execute(select(Conversation).where(Conversation.id.in_({h.conversation_id for h in found})
                                         )).scalars().all()
    for spot in found:
        spot.children_before, spot.episodes_before = before.get(spot.token, (0, 0))
        spot.label = _label(s, spot)
    del held
    return found


def _label(s: Session, spot: Hotspot) -> str:
    """The district as written ("SW1A"), or the place's name as the worker wrote it."""
    ring = s.info["keyring"]
    rows = s.execute(select(LinkToken.entry_index).where(
        LinkToken.conversation_id == spot.conversation_id, LinkToken.token == spot.token,
        LinkToken.entry_kind == "place")).scalars().all()
    conv = s.get(Conversation, spot.conversation_id)
    places = normalise_canvas(conv.canvas if conv else {})["places"]
    for index in rows:
        entry = places[index] if index < len(places) else {}
        if spot.token_kind == HOTSPOT_KINDS[1]:  # a named place
            return str(entry.get("name") or "")
        for kind, value in entry_tokens("place", entry):
            if kind == "district" and token_of(ring, kind, value) == spot.token:
                return value
    return ""
