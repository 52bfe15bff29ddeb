"""Missing People's before / during / after prompts: one list per stage, in plain words."""

import re

from rhc_app.domain.prompts import PROMPTS, STAGE_PROMPTS
from rhc_app.domain.vocabulary import AREAS, CONVERSATION_STAGES


def test_every_stage_has_prompts_and_the_areas_are_unchanged():
    assert list(STAGE_PROMPTS) == list(CONVERSATION_STAGES) == ["before", "during", "after"]
    assert all(2 <= len(prompts) <= 4 for prompts in STAGE_PROMPTS.values())
    assert list(PROMPTS) == list(AREAS)  # a framing beside the areas, not new areas


def test_prompts_are_short_questions_without_acronyms():
    for prompt in (p for prompts in STAGE_PROMPTS.values() for p in prompts):
        assert prompt.endswith("?") and len(prompt.split()) <= 15, prompt
        assert not re.search(r"\b[A-Z]{2,}\b", prompt), prompt
