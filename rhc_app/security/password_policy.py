"""What makes a password unacceptable (ASVS 5.0 6.2): too short or long, on the list of
30,000 common passwords (also once numbers or symbols at either end are taken off and
look-alike characters are read as letters), mostly repeats or runs such as aaaa, abcd, 1234
or qwerty, or containing the user's own name or e-mail address."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources

TOO_COMMON = "Password is too common: choose one that other people are unlikely to use"
COMMON_WITH_ADDITIONS = (
    "Password is a common password with numbers or symbols added, or with letters swapped for "
    "look-alikes (such as P@ssw0rd1 or Summer2024!): choose one that other people are "
    "unlikely to use")
REPEATS_OR_RUNS = (
    "Password must not be mostly repeated characters or runs such as aaaa, abcd, 1234 or "
    "qwerty")
PERSONAL = "Password must not contain your name or e-mail address"

# Sequences people type as runs, forwards or backwards; the keyboard rows run on into each
# other because people carry on typing ("qwertyuiopas").
_SEQUENCES = ("abcdefghijklmnopqrstuvwxyz", "01234567890", "qwertyuiopasdfghjklzxcvbnm",
              "!@#$%^&*()")
_NEXT = {(seq[i], seq[i + 1]) for seq in _SEQUENCES for i in range(len(seq) - 1)}
_PREV = {(b, a) for a, b in _NEXT}
# Look-alikes people swap for letters; "1" is tried as both "i" and "l".
_LOOK_ALIKES = str.maketrans({"0": "o", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b",
                              "9": "g", "@": "a", "$": "s", "!": "i", "+": "t", "|": "l"})


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("rhc_app").joinpath("data/common-passwords.txt").read_text("utf-8")
    return frozenset(w.strip().casefold() for w in text.splitlines()
                     if w.strip() and not w.startswith("#"))


def _fold(password: str) -> str:
    return unicodedata.normalize("NFKC", password).casefold()


def _core(folded: str) -> str:
    """What is left once numbers, symbols and spaces at either end are taken off."""
    start, end = 0, len(folded)
    while start < end and not folded[start].isalpha():
        start += 1
    while end > start and not folded[end - 1].isalpha():
        end -= 1
    return folded[start:end]


def _is_common_with_additions(folded: str) -> bool:
    core = _core(folded)
    candidates = {core, core.translate(_LOOK_ALIKES)}
    candidates |= {c.replace("1", "i") for c in candidates} | {c.replace("1", "l") for c in candidates}
    words = common_passwords()
    return any(c and c in words for c in candidates)


def _effective_length(folded: str) -> int:
    """Characters that are not the continuation of a repeat or run: "aaaa" and "abcd"
    count 2 each; linear in the length (no regular expression on the user's text)."""
    count = 0
    for i, ch in enumerate(folded):
        if i >= 2:
            a, b = folded[i - 2], folded[i - 1]
            if (a == b == ch or ((a, b) in _NEXT and (b, ch) in _NEXT)
                    or ((a, b) in _PREV and (b, ch) in _PREV)):
                continue
        count += 1
    return count


def _is_a_short_piece_repeated(folded: str, min_length: int) -> bool:
    n = len(folded)
    return any(n % k == 0 and folded == folded[:k] * (n // k)
               for k in range(1, min(n // 2, min_length - 1) + 1))


def _mostly_repeats_or_runs(folded: str, min_length: int) -> bool:
    return (_is_a_short_piece_repeated(folded, min_length)
            or _effective_length(folded) * 2 <= len(folded))


def _contains_personal(folded: str, personal: tuple[str, ...]) -> bool:
    parts = {p for v in personal for p in re.split(r"[\s@._+-]+", v or "") if len(p) >= 4}
    parts |= {v for v in personal if len(v or "") >= 4}
    return any(p.casefold() in folded for p in parts)


def password_problem(password: str, min_length: int, personal: tuple[str, ...] = ()) -> str | None:
    """Plain-English reason a password is not acceptable, or None."""
    if len(password) < min_length:
        return f"Password must be {min_length} characters or more"
    if len(password) > 256:
        return "Password must be 256 characters or fewer"
    folded = _fold(password)
    if folded in common_passwords():
        return TOO_COMMON
    if _mostly_repeats_or_runs(folded, min_length):
        return REPEATS_OR_RUNS
    if _is_common_with_additions(folded):
        return COMMON_WITH_ADDITIONS
    if _contains_personal(folded, personal):
        return PERSONAL
    return None
