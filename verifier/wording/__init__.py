"""Everything the verifier says, in English and French, in one place.

- ``sentences``: the sentence of each check's ``message_key`` and of each verdict (what
  happened);
- ``explanations``: what a check's outcome means for a hiring manager, what to do next, and the
  advice under a verdict (what it means);
- ``rendering``: a report rendered for people with those words: JSON, explained JSON (the API
  and the employer page) and plain text (the CLI).

A new check adds its sentences in ``sentences`` and its meaning and next step in
``explanations``; surfaces never write their own words for a check.
"""
