"""The people and places of the seeded canvases, as a borough's workers write them.

Most people are named once (a first name and a surname from a large pool, or a nickname);
a small set of recurring people and places (an older male with a car and a phone, a flat
the police know) turn up in a few per cent of conversations over the three years, each time
written a little differently (a phone number with or without spaces or +44, a registration
in lower case), so that the index's folding is what links them. Deterministic: everything is
drawn from the seed's rng.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

NICKNAMES = ("Bigz", "Kez", "Big T", "Lil J", "Ghost", "Tiny", "Moneybags", "Skeng", "Rocky",
             "Smokey", "Dutch", "Ace", "Blade", "Chunks", "Shorty", "Trigger", "Ice", "Scrappy")
DESCRIPTIONS = ("Older male, about 20", "Girl from the children's home", "Mum's ex-partner",
                "Man with a tattoo on his neck", "A friend from school", "Someone from Snapchat",
                "A lad from the estate", "Older girl who organises parties")
STREETS = ("Station Road", "High Street", "Church Lane", "Victoria Street", "Mill Lane",
           "Park Avenue", "Queen Street", "Albert Road", "North Terrace", "Grange Road",
           "Elm Grove", "Chapel Street", "Front Street", "Westgate Road", "Shields Road",
           "Heaton Park Road", "Scotswood Road", "Benwell Lane", "Walker Road", "Fenham Hall Drive")
# The borough's own postcode districts (a district names a few thousand households).
DISTRICTS = tuple(f"NE{n}" for n in range(1, 16))
VAGUE_AREAS = ("Town centre", "Near the station", "East end", "Out of the area", "Not sure",
               "By the river", "")
# Recurring adults known by their full names (after the nicknames run out).
ADULTS = ("Dean Carr", "Wayne Tully", "Craig Dobson", "Lee Harrop", "Shaun Pryce", "Gary Lomas",
          "Ricky Ferns", "Jason Ruddock", "Marcus Oyelaran", "Darren Keogh", "Nadia Sorel",
          "Stacey Brannigan", "Kyle Mottram", "Omar Haddou")
CARS = ("a grey Audi", "a black BMW", "a white van", "a silver Golf", "a red Corsa")


@dataclass(frozen=True)
class Recurring:
    """One person or place who turns up across children, with what identifies them."""

    kind: str  # person | place
    name: str
    phone: str  # national digits, 11 of them ("07700900123")
    vehicle: str  # "AB12CDE"
    postcode: str  # "NE4 7AB"
    handle: str  # "bigz_22", without its @
    weight: float


def recurring_set(rng: random.Random, count: int = 48) -> list[Recurring]:
    """People (two thirds) and places, numbered in Ofcom's drama range (07700 900xxx)."""
    out: list[Recurring] = []
    for i in range(count):
        person = i % 3 != 2
        letters = "".join(rng.choice("ABCDEFGHJKLMNOPRSTVWXY") for _ in range(5))
        out.append(Recurring(
            kind="person" if person else "place",
            name=(((NICKNAMES + ADULTS)[sum(r.kind == "person" for r in out) % (len(NICKNAMES)
                                                                           + len(ADULTS))])
                  if person else f"the flat at {rng.randint(1, 200)} {rng.choice(STREETS)}"),
            phone=f"07700900{i:03d}",
            vehicle=f"{letters[:2]}{rng.randint(10, 73)}{letters[2:]}",
            postcode=f"{rng.choice(DISTRICTS)} {rng.randint(1, 9)}{letters[3:]}",
            handle=f"{NICKNAMES[i % len(NICKNAMES)].lower().replace(' ', '_')}_{rng.randint(1, 99)}",
            weight=rng.paretovariate(1.5)))
    return out


def written_phone(rng: random.Random, digits: str) -> str:
    """The same number as different workers write it."""
    national = digits[1:]
    return rng.choice((f"{digits[:5]} {digits[5:]}", digits, f"+44 {national[:4]} {national[4:]}",
                       f"+44 (0){national[:4]} {national[4:7]} {national[7:]}",
                       f"{digits[:5]}-{digits[5:8]}-{digits[8:]}", f"+44{national}"))


def written_vehicle(rng: random.Random, reg: str) -> str:
    return rng.choice((f"{reg[:4]} {reg[4:]}", reg, reg.lower(), f"{reg[:4].lower()} {reg[4:]}"))


class People:
    """Draws the people and places of one canvas."""

    def __init__(self, rng: random.Random, share: float = 0.035) -> None:
        self.rng = rng
        self.recurring = recurring_set(rng)
        self.weights = [r.weight for r in self.recurring]
        self.share = share  # the chance that an entry is one of the recurring set

    def pick(self, kind: str) -> Recurring | None:
        rng = self.rng
        if rng.random() >= self.share:
            return None
        chosen = rng.choices(self.recurring, self.weights)[0]
        return chosen if chosen.kind == kind else None

    def person(self, rng: random.Random, concern: str, force_recurring: bool = False
               ) -> dict[str, Any]:
        r = self.pick("person") if not force_recurring else self._any("person")
        entry = {"name": self._one_off_name(rng), "description": rng.choice(DESCRIPTIONS),
                 "approximate_age": str(rng.randint(14, 40)),
                 "relationship": rng.choice(("Friend", "Met online", "Boyfriend", "Cousin",
                                             "Does not know")), "concern": concern}
        if r is not None:
            entry["name"] = r.name if rng.random() < 0.8 else f"{r.name} / {rng.choice(NICKNAMES)}"
            said = [concern]
            if rng.random() < 0.6:
                said.append(f"Their number is {written_phone(rng, r.phone)}.")
            if rng.random() < 0.4:
                said.append(f"Messages them as @{r.handle} on Snapchat.")
            entry["concern"] = " ".join(said)
            if rng.random() < 0.5:
                entry["description"] = (f"Drives {rng.choice(CARS)}, "
                                        f"{written_vehicle(rng, r.vehicle)}")
        return entry

    def place(self, rng: random.Random, generic: tuple[str, ...], concern: str,
              force_recurring: bool = False) -> dict[str, Any]:
        r = self.pick("place") if not force_recurring else self._any("place")
        if r is not None:
            area = r.postcode if rng.random() < 0.7 else r.postcode.split()[0]
            extra = f" Someone there uses {written_phone(rng, r.phone)}." \
                if rng.random() < 0.3 else ""
            return {"name": r.name, "area": area, "slept_there": rng.choice(("yes", "no")),
                    "concern": concern + extra}
        name = rng.choice(generic) if rng.random() < 0.4 else \
            f"{rng.randint(1, 300)} {rng.choice(STREETS)}"
        area = rng.choice(DISTRICTS) if rng.random() < 0.3 else rng.choice(VAGUE_AREAS)
        return {"name": name, "area": area, "slept_there": rng.choice(("yes", "no")),
                "concern": concern}

    def _any(self, kind: str) -> Recurring:
        mine = [(r, r.weight) for r in self.recurring if r.kind == kind]
        return self.rng.choices([r for r, _ in mine], [w for _, w in mine])[0]

    @staticmethod
    def _one_off_name(rng: random.Random) -> str:
        from .seed import FIRST, LAST  # the same pools as the children's names

        roll = rng.random()
        if roll < 0.55:
            return f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if roll < 0.85:  # a double-barrelled surname: the pool is then large
            return f"{rng.choice(FIRST)} {rng.choice(LAST)}-{rng.choice(LAST)}"
        if roll < 0.95:
            return f"{rng.choice(FIRST)} {rng.choice(LAST)[0]}."
        return rng.choice(FIRST)  # a first name only: it links children who never met
