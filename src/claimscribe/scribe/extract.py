"""The scribe's public entry: `extract(text)` turns a procedure dictation into ProcedureFacts.

    >>> from claimscribe.scribe.extract import extract
    >>> facts = extract("PROCEDURE: Right knee injection. Fluoroscopy was not used.")
    >>> facts.procedures[0].name, facts.imaging_of("fluoroscopy").used
    ('large joint injection', False)

The text is first rewritten (spoken numbers → digits, speech-recognition errors corrected) with a map
back to the dictation, then parsed by a medspaCy pipeline on a blank English model (no model weights),
and the facts are assembled from the parse. Every evidence span is [start, end) of the ORIGINAL text and
its `text` equals `text[start:end]`.

`load_pipeline()` builds the pipeline once per process (about a second, mostly importing spaCy).
"""

from __future__ import annotations

import re
import warnings
from functools import cache

from spacy.language import Language

from claimscribe.claims.facts import Evidence, ProcedureFacts
from claimscribe.scribe.corrections import correct
from claimscribe.scribe.numbers import spoken_to_digits
from claimscribe.scribe.textmap import MappedText

PIPE_NAMES = (
    "claimscribe_sentences",
    "claimscribe_sectionizer",
    "claimscribe_clinical",
    "claimscribe_anatomy",
    "claimscribe_levels",
    "claimscribe_context",
    "claimscribe_quantities",
    "claimscribe_statements",
)


@cache
def load_pipeline() -> Language:
    """The scribe's spaCy pipeline: medspaCy's tokenizer on a blank English model, then the claimscribe_*
    components (sentences, sections, targets, anatomy, levels, ConText, quantities, statements)."""
    import medspacy

    import claimscribe.scribe.components  # noqa: F401  (registers the claimscribe_* factories)
    from claimscribe.scribe import units

    nlp = medspacy.load(medspacy_enable=["medspacy_tokenizer"])
    nlp.add_pipe("claimscribe_sentences")
    nlp.add_pipe("claimscribe_sectionizer")
    nlp.add_pipe("claimscribe_targets", name="claimscribe_clinical", config={"rule_set": "clinical"})
    nlp.add_pipe(
        "claimscribe_targets",
        name="claimscribe_anatomy",
        config={"rule_set": "anatomy", "result_type": "group", "span_group_name": "claimscribe_anatomy"},
    )
    nlp.add_pipe("claimscribe_levels")
    nlp.add_pipe("claimscribe_context")
    nlp.add_pipe("claimscribe_quantities")
    nlp.add_pipe("claimscribe_statements")
    units.parse_dose("1 mGy")  # builds the unit registry and patterns now rather than on the first note
    return nlp


def normalize(text: str) -> MappedText:
    """The text the pipeline parses: spoken numbers as digits, recognition errors corrected."""
    return correct(spoken_to_digits(text))


@cache
def _procedure_cues() -> re.Pattern[str]:
    from claimscribe.scribe import rules

    return re.compile("|".join(f"(?:{p})" for p in rules.procedure_cues()), re.IGNORECASE)


def described_procedure(text: str) -> bool:
    """Whether the note describes an operation or a needle procedure (rules/imaging.yaml)."""
    return _procedure_cues().search(text) is not None


def extract(text: str) -> ProcedureFacts:
    """The facts of one procedure dictation. A note naming no procedure gives empty `procedures`."""
    from claimscribe.scribe.assemble import assemble

    mapped = normalize(text)
    nlp = load_pipeline()
    with warnings.catch_warnings():
        # medspaCy's matchers hold only regex and phrase rules; spaCy warns that their token Matcher is empty
        warnings.filterwarnings("ignore", message=r"\[W036\]")
        doc = nlp(mapped.text)

    def to_evidence(start: int, end: int) -> Evidence:
        start, end = mapped.to_original(start, end)
        return Evidence(start=start, end=end, text=text[start:end])

    return assemble(doc, to_evidence)
