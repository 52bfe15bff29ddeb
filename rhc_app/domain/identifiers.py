"""What identifies a person or a place the child mentioned, folded so that two workers'
spellings of the same thing compare equal: phone numbers, vehicle registrations, postcodes,
social-media handles and names. Pure functions: the caller turns each (kind, value) into a
keyed hash (services/links.py), so the values themselves are never stored.

Every pattern here runs on free text a worker typed, so each is linear: fixed-width pieces,
bounded repeats and no nested or overlapping quantifiers (tests/reliability/test_attack_regex.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import TypeVar

T = TypeVar("T")

TOKEN_KINDS = ("phone", "vehicle", "postcode", "district", "handle", "name")

# A run of digits with the spaces, dashes and brackets people write between them, maybe after
# "+" (no dots: "01.12.2026" is a date). Bounded (at most 20 characters), so each start tries
# a fixed number of steps.
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d ()\-]{7,18}\d(?!\d)")
# Current UK registrations (since 2001): two letters, two digits, three letters.
_VEHICLE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2}[0-9]{2}) ?([A-Za-z]{3})(?![A-Za-z0-9])")
# A full postcode: outward code (area letters, district), a space or not, inward code.
_POSTCODE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{1,2}[0-9][A-Za-z0-9]?) ?([0-9][A-Za-z]{2})"
                       r"(?![A-Za-z0-9])")
# An outward code on its own ("SW1A", "M1"): only when it is the whole "area" box.
_DISTRICT = re.compile(r"[A-Za-z]{1,2}[0-9][A-Za-z0-9]?")
# "@name": not the middle of an e-mail address (a letter or digit before the @).
_HANDLE = re.compile(r"(?<![\w@])@([A-Za-z0-9_.]{2,30})")
# Where one name box holds several names: "Kai / Bigz", "Kai, known as Bigz".
_NAME_SPLIT = re.compile(r"/|,|;|\(|\)|\"|\baka\b|\ba\.k\.a\.|\bknown as\b|\bcalled\b",
                         re.IGNORECASE)
_DOUBLED = re.compile(r"([a-z])\1+")
_VARIANTS = (("ph", "f"), ("ck", "k"), ("kh", "k"), ("gh", "g"), ("th", "t"), ("ey", "i"),
             ("ie", "i"), ("y", "i"))


def phone(raw: str) -> str | None:
    """A phone number as E.164 (+447700900123); None when it is not one."""
    plus = raw.lstrip().startswith("+")
    digits = "".join(ch for ch in raw if ch.isdigit())
    if plus and digits.startswith("44"):
        national = digits[2:].removeprefix("0")  # "+44 (0)7700…" is written too
    elif digits.startswith("0044"):
        national = digits[4:].removeprefix("0")
    elif plus:
        return "+" + digits if 8 <= len(digits) <= 15 else None
    elif digits.startswith("0") and not digits.startswith("00"):
        national = digits[1:]
    else:
        return None
    # Ten digits after the 0: nearly every UK number (a nine-digit one is rarer than a date).
    if len(national) != 10 or national[0] not in "123578":
        return None
    return "+44" + national


def vehicle(raw: str) -> str | None:
    """A current-format UK registration, spaces and case folded (AB12CDE)."""
    m = _VEHICLE.fullmatch(raw.strip())
    return (m.group(1) + m.group(2)).upper() if m else None


def postcode(raw: str) -> tuple[str, str] | None:
    """A full postcode as (full, district): "sw1a 1aa" gives ("SW1A1AA", "SW1A")."""
    m = _POSTCODE.fullmatch(raw.strip())
    if not m:
        return None
    outward = m.group(1).upper()
    return outward + m.group(2).upper(), outward


def handle(raw: str) -> str | None:
    """A social-media handle, lower case with its "@" ("@Bigz_22" gives "@bigz_22")."""
    name = raw.strip().removeprefix("@").rstrip(".").casefold()
    return "@" + name if len(name) >= 2 else None


def _latin(text: str) -> bool:
    return all(not ch.isalpha() or "LATIN" in unicodedata.name(ch, "") for ch in text)


def name(raw: str) -> str | None:
    """A name or nickname folded for comparison: case, accents, spacing and a few common
    spelling variants ("Phillip" and "Filip", "Zoë" and "zoe", "Jonny" and "Jonnie").
    A name in another script is kept as it is written, only case and width folded."""
    text = " ".join(unicodedata.normalize("NFKC", raw).casefold().split())
    if not text:
        return None
    stripped = "".join(ch for ch in unicodedata.normalize("NFKD", text)
                       if not unicodedata.combining(ch))
    if not _latin(stripped):
        return text
    folded = _fold_latin(stripped)
    return folded if len(folded.replace(" ", "")) >= 2 else None


def _fold_latin(stripped: str) -> str:
    stripped = stripped.replace("'", "").replace("\u2019", "")  # "friend's" is "friends"
    folded = "".join(ch if ch.isalnum() or ch == " " else " " for ch in stripped)
    folded = " ".join(folded.replace("ß", "ss").split())
    for old, new in _VARIANTS:
        folded = folded.replace(old, new)
    folded = _DOUBLED.sub(r"\1", folded)
    return folded


def names(raw: str) -> list[str]:
    """Every name in one name box: the whole, and each part when it lists several."""
    found = [name(raw)]
    parts = _NAME_SPLIT.split(raw)
    if len(parts) > 1:
        found += [name(p) for p in parts]
    return _unique(n for n in found if n)


# What workers write in a name box when there is no name: it would link every child who
# mentioned a "mum" or a "friend's house". Compared after folding.
_NOT_NAMES = {
    "person": ("mum", "mom", "mother", "dad", "father", "parent", "parents", "stepdad",
               "stepmum", "brother", "sister", "nan", "nanna", "gran", "grandma", "grandad",
               "uncle", "aunt", "auntie", "cousin", "friend", "friends", "boyfriend",
               "girlfriend", "partner", "carer", "unknown", "not known", "no name", "someone",
               "a man", "a woman", "man", "woman", "boy", "girl", "older boy", "older man",
               "he", "she", "they", "them"),
    "place": ("home", "house", "a house", "flat", "a flat", "school", "friends house",
              "the street", "street", "unknown",
              "not known", "town", "the park", "park", "the shops", "shops"),
}
NOT_NAMES = {kind: {name(w) for w in words} for kind, words in _NOT_NAMES.items()}
_LEADING = ("her", "his", "their", "my", "a", "an", "the")


def is_a_name(entry_kind: str, folded: str) -> bool:
    """False for "her boyfriend", "a friend's house": words for someone, not their name."""
    for prefix in _LEADING_FOLDED:
        folded = folded.removeprefix(prefix)
    return folded not in NOT_NAMES[entry_kind]


# Folded once, not on every entry of every save.
_LEADING_FOLDED = tuple(_fold_latin(word) + " " for word in _LEADING)


def in_text(text: str) -> list[tuple[str, str]]:
    """The phone numbers, registrations, full postcodes and handles anywhere in `text`."""
    found: list[tuple[str, str]] = []
    for m in _PHONE.finditer(text):
        number = phone(m.group(0))
        if number:
            found.append(("phone", number))
    for m in _VEHICLE.finditer(text):
        found.append(("vehicle", (m.group(1) + m.group(2)).upper()))
    for m in _POSTCODE.finditer(text):
        outward = m.group(1).upper()
        found += [("postcode", outward + m.group(2).upper()), ("district", outward)]
    for m in _HANDLE.finditer(text):
        tag = handle(m.group(1))
        if tag:
            found.append(("handle", tag))
    return found


def entry_tokens(entry_kind: str, entry: Mapping[str, object]) -> list[tuple[str, str]]:
    """What identifies one person or place of a canvas, as (token kind, folded value) pairs."""
    text_fields = ("name", "description", "concern", "relationship") if entry_kind == "person" \
        else ("name", "area", "concern")
    values = {f: str(entry.get(f) or "") for f in text_fields}
    found = [("name", n) for n in names(values["name"]) if is_a_name(entry_kind, n)]
    for value in values.values():
        found += in_text(value)
    area = values.get("area", "").strip()
    if area and _DISTRICT.fullmatch(area):
        found.append(("district", area.upper()))
    return _unique(found)


def _unique(items: Iterable[T]) -> list[T]:
    seen: dict[T, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)
