"""Ethnic group: the 2021 census categories for England and Wales (19 in 5 groups), plus
"Not known" and "Refused".

A child's ethnicity is chosen from this list in the form and must be one of it in an import,
so what reaches the partner export and the committee outputs is a known category, never
free text someone typed. Values stored before the list existed keep working: the common
older spellings map to their category; anything else is shown as recorded.
"""

from __future__ import annotations

import unicodedata

GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Asian, Asian British or Asian Welsh",
     ("Bangladeshi", "Chinese", "Indian", "Pakistani", "Any other Asian background")),
    ("Black, Black British, Black Welsh, Caribbean or African",
     ("African", "Caribbean", "Any other Black, Black British or Caribbean background")),
    ("Mixed or Multiple ethnic groups",
     ("White and Asian", "White and Black African", "White and Black Caribbean",
      "Any other Mixed or Multiple ethnic background")),
    ("White",
     ("English, Welsh, Scottish, Northern Irish or British", "Irish",
      "Gypsy or Irish Traveller", "Roma", "Any other White background")),
    ("Other ethnic group", ("Arab", "Any other ethnic group")),
)
NOT_KNOWN = "Not known"
REFUSED = "Refused"

# Stored and shown as "Group: category", the census's own way of naming a category.
CATEGORIES: tuple[str, ...] = tuple(f"{group}: {name}" for group, names in GROUPS
                                    for name in names)
ALL: tuple[str, ...] = (*CATEGORIES, NOT_KNOWN, REFUSED)

# Older spellings (2011 census, case systems) seen in stored records and imports.
_OLDER = {
    "White British": "White: English, Welsh, Scottish, Northern Irish or British",
    "British": "White: English, Welsh, Scottish, Northern Irish or British",
    "White English": "White: English, Welsh, Scottish, Northern Irish or British",
    "White Irish": "White: Irish",
    "White Other": "White: Any other White background",
    "Any other White": "White: Any other White background",
    "Gypsy/Roma": "White: Roma",
    "Traveller of Irish heritage": "White: Gypsy or Irish Traveller",
    "Black African": "Black, Black British, Black Welsh, Caribbean or African: African",
    "Black Caribbean": "Black, Black British, Black Welsh, Caribbean or African: Caribbean",
    "Any other Black background":
        "Black, Black British, Black Welsh, Caribbean or African: "
        "Any other Black, Black British or Caribbean background",
    "Mixed White and Asian": "Mixed or Multiple ethnic groups: White and Asian",
    "Mixed White and Black African": "Mixed or Multiple ethnic groups: White and Black African",
    "Mixed White and Black Caribbean":
        "Mixed or Multiple ethnic groups: White and Black Caribbean",
    "Any other mixed background":
        "Mixed or Multiple ethnic groups: Any other Mixed or Multiple ethnic background",
    "Unknown": NOT_KNOWN,
    "Not recorded": NOT_KNOWN,
    "Information not yet obtained": NOT_KNOWN,
    "Information refused": REFUSED,
    "Prefer not to say": REFUSED,
}


def _key(value: str) -> str:
    """Case- and space-insensitive, and blind to look-alike characters (NFKC)."""
    return "".join(unicodedata.normalize("NFKC", value).casefold().split())


_LOOKUP: dict[str, str] = {}
for _group, _names in GROUPS:
    for _name in _names:
        _LOOKUP[_key(_name)] = f"{_group}: {_name}"
for _value in ALL:
    _LOOKUP[_key(_value)] = _value
for _old, _new in _OLDER.items():
    _LOOKUP.setdefault(_key(_old), _new)


def canonical(value: str | None) -> str | None:
    """The category a spelling names (full name, the category alone, or a known older
    spelling), or None when it names none."""
    if value is None:
        return None
    return _LOOKUP.get(_key(value))


def display(value: str | None) -> str | None:
    """What to show for a stored value: its category, or an older value as it was recorded."""
    if value is None or not value.strip():
        return None
    return canonical(value) or value.strip()


def choices() -> list[tuple[str, str]]:
    return [("", "Not recorded"), *((c, c) for c in CATEGORIES), (NOT_KNOWN, NOT_KNOWN),
            (REFUSED, "Refused (the child or family chose not to say)")]
