"""The scribe's text-to-facts extraction against hand-written dictations, plus its parts.

Each file in `dictations/` is a transcribed procedure note with the facts a careful reader takes from it,
written by hand: procedures (name, site, laterality, levels), imaging (modality, used, minutes, dose),
an indication key phrase, the supervising physician and whether a separate interpretation report exists.
One parametrised test checks every field of every dictation; a per-field accuracy table is printed at the
end of the session (it is the scribe's benchmark).

A dictation may list `known_wrong` fields (field: why): errors the scribe is known to make there. The test
then requires exactly those fields to be wrong, so a regression and a fix both show; the accuracy table
counts them as wrong. Dictations 077-082 were written after the rules and not tuned against.
"""

from __future__ import annotations

import re
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from claimscribe.claims.facts import ProcedureFacts
from claimscribe.scribe import rules, units
from claimscribe.scribe.corrections import correct
from claimscribe.scribe.extract import PIPE_NAMES, extract, load_pipeline, normalize
from claimscribe.scribe.numbers import spoken_to_digits
from claimscribe.scribe.textmap import MappedText

DICTATIONS = Path(__file__).parent / "dictations"
TOLERANCE = Decimal("0.01")


@dataclass(frozen=True)
class Dictation:
    id: str
    title: str
    text: str
    expected: dict[str, Any]
    known_wrong: dict[str, str]


def _load(path: Path) -> Dictation:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    unknown = set(data) - {"title", "setting", "text", "expected", "known_wrong"}
    assert not unknown, f"{path.name}: unknown keys {unknown}"
    return Dictation(path.stem, data["title"], data["text"], data["expected"], data.get("known_wrong") or {})


CASES = [_load(p) for p in sorted(DICTATIONS.glob("*.yaml"))]


# -- comparing facts with expectations ---------------------------------------------------------------------
def _close(got: Any, expected: Any, relative: bool = False) -> bool:
    if got is None or expected is None:
        return got is None and expected is None
    got, expected = Decimal(str(got)), Decimal(str(expected))
    if abs(got - expected) > TOLERANCE:
        return False
    return not relative or expected == 0 or abs(got - expected) / abs(expected) <= Decimal("0.001")


def _procedure_keys(procedures: list[dict[str, Any]], *fields: str) -> Counter[tuple[Any, ...]]:
    return Counter(
        tuple(tuple(p.get(f) or []) if f == "levels" else p.get(f) for f in fields) for p in procedures
    )


def compare(case: Dictation, facts: ProcedureFacts) -> dict[str, tuple[bool, str]]:
    """Field → (matches, what was expected and found). Fields a dictation does not state are left out."""
    exp = case.expected
    got = facts.model_dump(mode="python")
    results: dict[str, tuple[bool, str]] = {}

    def record(field: str, ok: bool, expected: Any, found: Any) -> None:
        results[field] = (ok, f"expected {expected!r}, got {found!r}")

    exp_procs, got_procs = exp["procedures"], got["procedures"]
    for label, fields in (
        ("procedures", ("name", "site", "laterality", "levels")),
        ("procedure name", ("name",)),
        ("procedure site", ("name", "site")),
        ("procedure laterality", ("name", "laterality")),
        ("procedure levels", ("name", "levels")),
    ):
        wanted, found = _procedure_keys(exp_procs, *fields), _procedure_keys(got_procs, *fields)
        record(label, wanted == found, sorted(wanted), sorted(found))

    exp_imaging = {i["modality"]: i for i in exp["imaging"]}
    got_imaging = {i["modality"]: i for i in got["imaging"]}
    record(
        "imaging modalities", set(exp_imaging) == set(got_imaging), sorted(exp_imaging), sorted(got_imaging)
    )
    for modality, e in exp_imaging.items():
        g = got_imaging.get(modality, {})
        record(f"{modality} used", g.get("used") == e["used"], e["used"], g.get("used"))
        minutes_ok = _close(g.get("minutes"), e.get("minutes"))
        record(f"{modality} minutes", minutes_ok, e.get("minutes"), g.get("minutes"))
        e_dose, g_dose = e.get("dose"), g.get("dose")
        dose_ok = (e_dose is None and g_dose is None) or (
            e_dose is not None
            and g_dose is not None
            and g_dose["unit"] == e_dose["unit"]
            and g_dose["kind"] == e_dose["kind"]
            and _close(g_dose["value"], e_dose["value"], relative=True)
        )
        record(f"{modality} dose", dose_ok, e_dose, g_dose)
        if "site" in e:
            record(f"{modality} site", g.get("site") == e["site"], e["site"], g.get("site"))
        if "purpose" in e:
            ok = g.get("purpose") is not None and e["purpose"].lower() in g["purpose"].lower()
            record(f"{modality} purpose", ok, e["purpose"], g.get("purpose"))

    phrase = exp["indication"]
    found = got["indication"]
    ok = (phrase is None and found is None) or (
        phrase is not None and found is not None and phrase.lower() in found.lower()
    )
    record("indication", ok, phrase, found)
    for field in ("supervising_physician", "interpretation_report"):
        record(field, got[field] == exp[field], exp[field], got[field])
    if "separate_encounter" in exp:
        record(
            "separate_encounter",
            got["separate_encounter"] == exp["separate_encounter"],
            exp["separate_encounter"],
            got["separate_encounter"],
        )

    spans = [ev for p in facts.procedures for ev in p.evidence]
    spans += [ev for i in facts.imaging for ev in i.evidence]
    spans += [ev for evs in facts.evidence.values() for ev in evs]
    bad = [ev for ev in spans if case.text[ev.start : ev.end] != ev.text or ev.end <= ev.start]
    record("evidence spans", not bad, "every span equals text[start:end]", bad)
    return results


# -- the dictations ------------------------------------------------------------------------------------------
def test_there_are_enough_dictations() -> None:
    assert len(CASES) >= 60
    assert any(not c.expected["procedures"] for c in CASES), "a note without a procedure"
    assert any(len(c.expected["procedures"]) > 1 for c in CASES), "several procedures in one note"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_dictation(case: Dictation) -> None:
    results = compare(case, extract(case.text))
    wrong = {field: detail for field, (ok, detail) in results.items() if not ok}
    unexpected = {field: detail for field, detail in wrong.items() if field not in case.known_wrong}
    fixed = sorted(set(case.known_wrong) - set(wrong))
    listing = "\n".join(f"  {f}: {d}" for f, d in unexpected.items())
    assert not unexpected, f"{case.id} ({case.title}):\n{listing}"
    assert not fixed, f"{case.id}: now right, remove from known_wrong: {fixed}"


def accuracy(cases: list[Dictation]) -> tuple[dict[str, tuple[int, int]], list[float]]:
    """Field → (correct, checked) over the dictations, and the extraction time of each, in seconds."""
    totals: Counter[str] = Counter()
    right: Counter[str] = Counter()
    timings = []
    for case in cases:
        start = time.perf_counter()
        facts = extract(case.text)
        timings.append(time.perf_counter() - start)
        for field, (ok, _) in compare(case, facts).items():
            key = re.sub(r"^(fluoroscopy|ultrasound|ct|mri|xray) ", "imaging ", field)
            totals[key] += 1
            right[key] += ok
    return {f: (right[f], totals[f]) for f in sorted(totals)}, timings


@pytest.fixture(scope="module", autouse=True)
def accuracy_summary(request: pytest.FixtureRequest):
    """After the module: accuracy per field over every dictation, with extraction times (the benchmark)."""
    yield
    reporter = request.config.pluginmanager.getplugin("terminalreporter")
    capture = request.config.pluginmanager.getplugin("capturemanager")
    if reporter is None or capture is None:
        return
    fields, timings = accuracy(CASES)
    with capture.global_and_fixture_disabled():
        reporter.write_line("")
        reporter.write_line(f"scribe accuracy over {len(CASES)} dictations (field: correct/checked)")
        for field, (right, checked) in fields.items():
            reporter.write_line(f"  {field:<24} {right:>3}/{checked:<3} {right / checked:6.1%}")
        reporter.write_line(
            f"  extraction time: median {statistics.median(timings) * 1000:.1f} ms, "
            f"max {max(timings) * 1000:.1f} ms per dictation"
        )


# -- the pieces ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("1.2 Gy·cm²", "1.2", "dap"),
        ("DAP 312 mGy·cm²", "0.312", "dap"),
        ("85 cGy·cm²", "0.85", "dap"),
        ("3.1 dGy cm2", "0.31", "dap"),
        ("2,500 µGy·m²", "25", "dap"),
        ("2500 uGy m2", "25", "dap"),
        ("2100 micrograys meters squared", "21", "dap"),
        ("12.5 gray centimeters squared", "12.5", "dap"),
        ("0.9 Gy cm2", "0.9", "dap"),
        ("250 mGy x cm2", "0.25", "dap"),
        ("45 mGy", "45", "air_kerma"),
        ("0.12 Gy", "120", "air_kerma"),
        ("1.8 cGy", "18", "air_kerma"),
        ("12 milligray", "12", "air_kerma"),
        ("8, milligray", "8", "air_kerma"),  # the pause comma speech recognition writes
        ("3.4, gray centimeters squared", "3.4", "dap"),
    ],
)
def test_dose_units_convert_with_pint(text: str, value: str, kind: str) -> None:
    dose = units.parse_dose(text)
    assert dose is not None
    assert (dose.value, dose.kind) == (Decimal(value), kind)
    assert dose.unit == ("Gy·cm²" if kind == "dap" else "mGy")


def test_a_dose_per_length_is_not_a_dose() -> None:
    assert units.parse_dose("DLP 350 mGy·cm") is None
    assert units.parse_dose("3 mg of dexamethasone in 2 mL") is None


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("3.2 minutes", "3.2"),
        ("42 seconds", "0.7"),
        ("fluoro time 0:42", "0.7"),
        ("1 min 30 sec", "1.5"),
        ("1 minute and 12 seconds", "1.2"),
        ("2 minutes 15 seconds", "2.25"),
        ("00:01:12", "1.2"),
        ("1 hour 5 minutes", "65"),
        ("50 seconds", "0.83"),
    ],
)
def test_durations_in_minutes(text: str, minutes: str) -> None:
    assert units.parse_minutes(text) == Decimal(minutes)


@pytest.mark.parametrize(
    ("spoken", "digits", "word"),
    [
        ("four point two minutes", "4.2 minutes", "four point two"),
        ("forty two seconds", "42 seconds", "forty two"),
        ("one second", "1 second", "one"),
        ("twelve milligray", "12 milligray", "twelve"),
        ("zero point six milligray", "0.6 milligray", "zero point six"),
        ("point eight minutes", "0.8 minutes", "point eight"),
        ("L four L five", "L 4 L 5", "four"),
        ("C five-six", "C 5 6", "five-six"),
        ("two thousand one hundred micrograys", "2100 micrograys", "two thousand one hundred"),
    ],
)
def test_spoken_numbers_map_back_to_the_words(spoken: str, digits: str, word: str) -> None:
    mapped = spoken_to_digits(spoken)
    assert mapped.text == digits
    number = re.search(r"[\d.]+", mapped.text)
    assert number is not None
    start, end = mapped.to_original(number.start(), number.end())
    assert spoken[start:end] == word


def test_rewrites_chain_back_to_the_dictation() -> None:
    text = "Procedure: write knee. Fluoro time forty two seconds."
    mapped = normalize(text)
    assert mapped.text == "Procedure: right knee. Fluoro time 42 seconds."
    start = mapped.text.index("right knee")
    assert text[slice(*mapped.to_original(start, start + len("right knee")))] == "write knee"
    start = mapped.text.index("42 seconds")
    assert text[slice(*mapped.to_original(start, start + len("42 seconds")))] == "forty two seconds"


def test_textmap_replacement_and_copy() -> None:
    mapped = MappedText.rewrite("abc XYZ def", [(4, 7, "Q")])
    assert mapped.text == "abc Q def"
    assert mapped.to_original(0, 3) == (0, 3)
    assert mapped.to_original(4, 5) == (4, 7)
    assert mapped.to_original(6, 9) == (8, 11)
    with pytest.raises(ValueError):
        MappedText.rewrite("abc", [(0, 2, "x"), (1, 3, "y")])


@pytest.mark.parametrize(
    ("heard", "meant"),
    [
        ("write knee", "right knee"),
        ("by lateral SI joints", "bilateral SI joints"),
        ("S1 joint", "SI joint"),
        ("see arm", "C-arm"),
        ("milli gray", "milligray"),
        ("Dr. Wright", "Dr. Wright"),
    ],
)
def test_recognition_errors_are_corrected(heard: str, meant: str) -> None:
    assert correct(heard).text == meant


@pytest.mark.parametrize(
    ("text", "levels"),
    [
        ("L4-5 transforaminal injection", ["L4-L5"]),
        ("L4/L5 transforaminal injection", ["L4-L5"]),
        ("L five S one transforaminal injection", ["L5-S1"]),
        ("C five six medial branch block", ["C5-C6"]),
        ("L4 and L5 transforaminal injection", ["L4", "L5"]),
        ("T12 and L1 kyphoplasty", ["T12", "L1"]),
        ("T12-L1 kyphoplasty", ["T12", "L1"]),
        ("L6 transforaminal injection", []),
    ],
)
def test_spinal_levels(text: str, levels: list[str]) -> None:
    facts = extract(f"PROCEDURE: {text}.")
    assert facts.procedures[0].levels == levels


@pytest.mark.parametrize(
    "sentence",
    [
        "No fluoroscopy was used.",
        "Fluoroscopy was not used.",
        "The injection was done without fluoroscopic guidance.",
        "Fluoroscopy: none.",
        "We did not use fluoroscopy.",
        "Landmark guided rather than fluoroscopy.",
    ],
)
def test_negation_wins(sentence: str) -> None:
    facts = extract(f"PROCEDURE: Right knee injection. {sentence}")
    assert facts.imaging_of("fluoroscopy") is not None
    assert facts.imaging_of("fluoroscopy").used is False


def test_distant_no_does_not_negate_imaging() -> None:
    facts = extract("PROCEDURE: Left L5-S1 TFESI. There was no vascular uptake of contrast on live fluoro.")
    assert facts.imaging_of("fluoroscopy").used is True


def test_a_note_without_a_procedure_has_no_procedures() -> None:
    facts = extract("HPI: Knee pain for 3 months.\nPLAN: Will consider a right knee injection next visit.")
    assert facts.procedures == []


def test_rule_files_reject_unknown_keys() -> None:
    with pytest.raises(ValidationError):
        rules.ProcedureRule(name="x", patterns=["x"], sitee="knee")
    from medspacy.context import ConTextRule

    with pytest.raises(ValueError):
        ConTextRule.from_dict({"literal": "no", "category": "NEGATED_EXISTENCE", "scope": 3})


def test_pipeline_is_cached_and_quiet(capfd: pytest.CaptureFixture[str]) -> None:
    assert load_pipeline() is load_pipeline()
    assert tuple(load_pipeline().pipe_names) == PIPE_NAMES
    extract("PROCEDURE: Right knee injection under fluoroscopy. Fluoroscopy time 0.5 minutes.")
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""
