"""The risk-factor code list: one place, shared by capture, import and the reports.

Codes and labels come from the Harrow table; the extra areas are the ones the reports name
and workers expect. An organisation can extend the list with codes of its own (stored in
its settings) through :func:`codes_for`.
"""

from __future__ import annotations

from collections.abc import Mapping

RISK_FACTORS: dict[str, str] = {
    "criminal_activity": "Risk of involvement in criminal activities whilst missing",
    "sexual_exploitation": "Risk of sexual exploitation",
    "family_friends_contact": "Concerns around contact with family or friends",
    "gang_activity": "Risk of gang related activity",
    "trafficking": "Risk of trafficking",
    "drug_misuse": "Risk of drug misuse",
    "involved_in_criminality": "Involved in criminality",
    "alcohol_misuse": "Risk of alcohol misuse",
    "criminal_exploitation": "Child criminal exploitation",
    "victim_of_crime": "Victim of criminal activity",
    "mental_health": "Mental health concerns",
    "bullied": "Being bullied",
    "risk_to_others": "Young person poses a risk to others",
    "forced_marriage": "Risk of forced marriage",
    "county_lines": "County lines",
    "radicalisation": "Risk of radicalisation",
    "online_exploitation": "Risk of online exploitation",
    "self_harm": "Self-harm",
    "modern_slavery": "Risk of modern slavery",
}


def codes_for(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The code list for one organisation: the shared list plus its own additions."""
    merged = dict(RISK_FACTORS)
    if extra:
        merged.update(extra)
    return merged


def label_for(code: str, extra: Mapping[str, str] | None = None) -> str:
    return codes_for(extra).get(code, code)
