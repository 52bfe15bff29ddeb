"""Ideas to explore in each area: offered, collapsed, never a list to work through."""

PROMPTS: dict[str, list[str]] = {
    "victims": ["Are you OK now? Did anyone hurt you while you were away?",
                "Was anyone else with you who might be at risk?",
                "Did you have food, somewhere warm, your medication?"],
    "offenders": ["Who were you with? How do you know them?",
                  "Did someone ask you to leave, or come and get you?",
                  "Has anyone given you money, a phone, gifts, or asked you to do things?"],
    "locations": ["Where did you go? Where did you sleep?",
                  "How did you get there and back?",
                  "Is there anywhere you feel unsafe?"],
    "themes": ["Does this feel like other times you have been away?",
               "Is anyone making you feel you owe them something?"],
    "push_factors": ["How are things at home or where you live?",
                     "Has anything happened that made you want to leave?",
                     "Do you feel listened to?"],
    "pull_factors": ["What made you want to be there?",
                     "Is there someone you wanted to be with?"],
    "child_wants": ["What would help you not need to go away again?",
                    "What do you want to happen now?"],
    "carer_observations": ["How did they look and sound when they came back?",
                           "What did they say? Were they hungry or tired? What did they do next?"],
    "worker_analysis": ["What do you make of what the child said and how they said it?",
                        "What has changed since earlier episodes?"],
    "safety_advice": ["Who can they call? Did you give them Missing People's 116 000?",
                      "Do they have a safe plan for next time they feel like leaving?"],
}

#: Missing People's framing of the conversation, offered beside the areas as another way in:
#: before, while and after they were missing. Ideas only; the notes still go in the areas.
STAGE_PROMPTS: dict[str, list[str]] = {
    "before": ["What was happening before you left?",
               "Was there something that made you want to go, or someone who wanted you to?"],
    "during": ["Where did you go, and who were you with?",
               "How did you travel? Who paid for it?",
               "Where did you sleep and eat?"],
    "after": ["How are you feeling now?",
              "How did you get home? Who brought you?",
              "What help would you like now?"],
}
